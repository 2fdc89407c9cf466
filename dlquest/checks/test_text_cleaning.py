"""Check for `text_cleaning`: each cleaning step on inputs aimed at it, then whole reviews from the course data.

The stop words come from the course's helper (dlquest/data/reviews/reviews.py): nltk's English list when its
data is installed, the shipped copy otherwise. Learner and reference always receive the same list.
"""

import importlib.util
from pathlib import Path

import pytest

from dlquest.grader.records import CheckFailed, Feedback

REVIEWS_PY = Path(__file__).resolve().parents[1] / "data" / "reviews" / "reviews.py"


def reviews_module():
    spec = importlib.util.spec_from_file_location("dlquest_course_reviews_data", REVIEWS_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# name: text, cleaned with no stop words. Each aims at one step of the contract.
CASES = {
    "lower-case": "GREAT Movie, Truly GREAT",
    "html-tags": "<b>Great</b> film<br /><br />loved it<br/>fun<i>to</i>watch <p class='x'>yes</p>",
    "urls": "see http://x.com/a?b=1 and www.y.org/z now, or https://example.com/page?q=2 today",
    "upper-case-url": "Trailer at HTTPS://EXAMPLE.COM/TRAILER and WWW.FILMS.ORG/ABOUT here",
    "url-inside-a-tag": 'click <a href="http://x.org/page">this link</a> please<br /><img src="www.y.org/p.png">',
    "contractions": "it isn't bad... don't miss it! it's a rock'n'roll, top-notch film",
    "numbers-and-mixtures": "10/10, a b_movie with a 2nd act!!! café noir a+ (1999)",
    "only-noise": "<br /><br /> http://a.b/c 123 !!! 4.5 -- ...",
    "empty": "",
}


def clean(module, text, stop_words):
    return module.clean_text(text, stop_words)


def judge(got, expected, what):
    if not isinstance(got, list) or not all(isinstance(token, str) for token in got):
        shown = type(got).__name__ if not isinstance(got, list) else "a list holding something other than str"
        raise CheckFailed(Feedback("type_mismatch", {"what": what, "expected": "a list of str", "got": shown}))
    if got != expected:
        first = next((i for i, (g, e) in enumerate(zip(got, expected)) if g != e), min(len(got), len(expected)))
        raise CheckFailed(Feedback("value_differs", {
            "what": f"{what} (first difference at token {first})",
            "expected": _shorten(expected), "got": _shorten(got)}))


def _shorten(tokens, limit=400):
    text = repr(tokens)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def expect_tokens(learner, reference, text, stop_words, what=None):
    got = learner.run(clean, text, stop_words)
    expected = reference.run(clean, text, stop_words)
    judge(got, expected, what or f"clean_text({text!r}, stop_words)")


@pytest.mark.parametrize("case", list(CASES))
def test_each_step(learner, reference, case):
    expect_tokens(learner, reference, CASES[case], frozenset())


def test_removes_the_course_stop_words(learner, reference):
    words = reviews_module().stop_words()
    text = ("The movie was NOT at all what I had expected: it is one of the best films of the year, and I'd see "
            "it again.")
    expect_tokens(learner, reference, text, words)


def test_removes_exactly_the_stop_words_it_is_given(learner, reference):
    # A short custom list: words in nltk's list stay, the given ones go (a list works as well as a set).
    text = "The film was a movie about a movie, and the cinema loved the film."
    expect_tokens(learner, reference, text, ["movie", "film"])
    expect_tokens(learner, reference, text, {"the", "cinema"})


def test_compares_stop_words_after_lower_casing(learner, reference):
    expect_tokens(learner, reference, "THE Movie IS Great. This IS it.", {"the", "is", "this"})


def test_cleans_reviews_from_the_course_data(learner, reference):
    data = reviews_module()
    words = data.stop_words() - data.SENTIMENT_WORDS
    texts = data.load_reviews()["train"][0][:30]
    for index, text in enumerate(texts):
        expect_tokens(learner, reference, text, words, what=f"clean_text(review {index} of the training data)")


def clean_and_keep(module, text, stop_words):
    before = list(stop_words)
    tokens = module.clean_text(text, stop_words)
    return {"stop words afterwards": list(stop_words) == before, "tokens": tokens}


def test_leaves_the_stop_words_alone(learner, reference):
    got = learner.run(clean_and_keep, "the plot was not the point", ["the", "was"])
    assert got["stop words afterwards"] is True, "clean_text must not change the stop-word collection it is given"
