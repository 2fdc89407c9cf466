r"""Exercise `text_cleaning`: turn a raw movie review into a list of clean tokens (Python `re` and nltk).

Implement ``clean_text(text, stop_words)``. Apply exactly these five steps, in this order:

1. Lower-case the whole text:                        text = text.lower()
2. Replace every HTML tag with ONE space:            text = re.sub(r"<[^>]*>", " ", text)
   ("great<br />fun" becomes "great  fun", so the words on both sides stay apart.)
3. Replace every URL with ONE space:                 text = re.sub(r"https?://\S+|www\.\S+", " ", text)
   (Step 2 runs first, so a link inside a tag such as <a href="http://x.org"> goes away with its tag; step 1
   runs first, so "HTTP://X.ORG" is caught too.)
4. Tokenise with nltk's ``wordpunct_tokenize`` (``from nltk.tokenize import wordpunct_tokenize``). It splits
   the text into runs of word characters and runs of other non-space characters, the regex ``\w+|[^\w\s]+``:
       wordpunct_tokenize("it isn't bad...")  ->  ["it", "isn", "'", "t", "bad", "..."]
   It is a plain regular expression: it needs no downloaded nltk data (``word_tokenize`` would need "punkt").
5. Keep a token only when ``token.isalpha()`` is True (this drops punctuation, numbers such as "10" and
   mixtures such as "2nd" or "b_movie") AND the token is not in ``stop_words``.

Return the kept tokens as a list of str, in the order they appear in the text (repeated tokens stay).

``stop_words`` is any collection of lower-case words that supports ``in`` (a set, a frozenset, a list),
possibly empty. Use exactly the words you are given: do not load nltk's list yourself, and do not modify
the collection. (The course passes nltk's English list when the nltk "stopwords" data is installed and
otherwise the same list shipped in dlquest/data/reviews/stopwords_en.txt; for sentiment analysis the lesson
takes the negations such as "not" and "isn" out of it first.)

Example:
    clean_text("This movie was <b>NOT</b> bad!<br />See http://x.org", {"this", "was"})
    -> ["movie", "not", "bad", "see"]

Check your work with:  dlquest check text_cleaning
"""

import re

from nltk.tokenize import wordpunct_tokenize


def clean_text(text, stop_words):
    # TODO: the five steps above, in order: lower(), the HTML regex, the URL regex, wordpunct_tokenize,
    #       then keep the tokens that are alphabetic and not stop words.
    raise NotImplementedError("clean_text")
