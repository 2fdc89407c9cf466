"""Reference solution for `text_cleaning`."""

import re

from nltk.tokenize import wordpunct_tokenize

HTML_TAG = re.compile(r"<[^>]*>")
URL = re.compile(r"https?://\S+|www\.\S+")


def clean_text(text, stop_words):
    text = text.lower()
    text = HTML_TAG.sub(" ", text)
    text = URL.sub(" ", text)
    tokens = wordpunct_tokenize(text)
    return [token for token in tokens if token.isalpha() and token not in stop_words]
