"""Check for `vocabulary`: the order of the ids, min_freq, encode and decode, on small texts and the course data."""

import re
from pathlib import Path

import pytest
import torch

from dlquest.grader.checklib import expect_same

REVIEWS_CSV = Path(__file__).resolve().parents[1] / "data" / "reviews" / "reviews.csv"


def built(module, texts, min_freq=None):
    vocab = module.Vocabulary(texts) if min_freq is None else module.Vocabulary(texts, min_freq=min_freq)
    return {"itos": list(vocab.itos), "stoi": dict(vocab.stoi), "len(vocab)": len(vocab)}


def first_ids(module, texts):
    vocab = module.Vocabulary(texts, min_freq=1)
    return {"itos[:2]": list(vocab.itos[:2]), "stoi['<PAD>']": vocab.stoi["<PAD>"],
            "stoi['<UNK>']": vocab.stoi["<UNK>"]}


def test_pad_is_0_and_unk_is_1(learner, reference):
    expect_same(learner, reference, first_ids, [["a", "b"], ["b", "c"]], what="the special tokens")


def test_orders_by_count_then_by_first_occurrence(learner, reference):
    # z occurs 3 times; b, a, c, d, e twice each, first seen in that order (not alphabetical); y once.
    texts = [["b", "a", "c", "a"], ["c", "d", "z", "b", "e"], ["e", "y", "d", "z", "z"]]
    expect_same(learner, reference, built, texts, 1, what="Vocabulary(texts, min_freq=1)")


def test_counts_over_all_texts_together(learner, reference):
    # "film" is in every text once (3 in all) and beats "dull", which one text holds twice.
    texts = [["film", "dull", "dull"], ["film", "fun"], ["film", "fun", "fun"]]
    expect_same(learner, reference, built, texts, 1, what="Vocabulary(texts, min_freq=1)")


@pytest.mark.parametrize("min_freq", [2, 3])
def test_keeps_tokens_with_count_at_least_min_freq(learner, reference, min_freq):
    # counts: the 4, film 3, good 2, bad 2, plot 1, acting 1
    texts = [["the", "good", "film"], ["the", "bad", "plot"], ["the", "film", "good"], ["the", "acting", "bad", "film"]]
    expect_same(learner, reference, built, texts, min_freq, what=f"Vocabulary(texts, min_freq={min_freq})")


def test_default_min_freq_keeps_every_token(learner, reference):
    texts = [["one", "two", "two"], ["three"]]
    expect_same(learner, reference, built, texts, None, what="Vocabulary(texts)")


def encoded(module, texts, min_freq, queries):
    vocab = module.Vocabulary(texts, min_freq=min_freq)
    return {repr(query): list(vocab.encode(query)) for query in queries}


def test_encode_gives_unk_for_unknown_tokens(learner, reference):
    texts = [["a", "good", "film"], ["a", "bad", "film"], ["a", "film"]]
    queries = [["a", "film"], ["a", "good", "film"], ["never", "seen", "film"], ["film", "film", "a"], []]
    expect_same(learner, reference, encoded, texts, 2, queries, what="encode(tokens)")


def decoded(module, texts, queries):
    vocab = module.Vocabulary(texts, min_freq=1)
    return {f"query {i}": list(vocab.decode(query)) for i, query in enumerate(queries)}


def test_decode_skips_padding_and_shows_unk(learner, reference):
    texts = [["a", "good", "film"], ["a", "bad", "film"], ["a", "film"]]
    queries = [[2, 3, 4], [2, 1, 3, 0, 0], [0, 2, 0, 5, 0], [1, 1], [0, 0], []]
    expect_same(learner, reference, decoded, texts, queries, what="decode(ids)")


def test_decode_accepts_a_tensor(learner, reference):
    texts = [["a", "good", "film"], ["a", "bad", "film"]]
    queries = [torch.tensor([2, 5, 1, 0, 0]), torch.tensor([3, 4])]
    expect_same(learner, reference, decoded, texts, queries, what="decode(torch.tensor(ids))")


def course_texts():
    rows = REVIEWS_CSV.read_text(encoding="utf-8").splitlines()[1:400]
    return [re.findall(r"[a-z]+", row.split(",", 3)[3].lower()) for row in rows]


def round_trip(module, train, test):
    vocab = module.Vocabulary(train, min_freq=3)
    ids = [list(vocab.encode(text)) for text in test]
    return {"itos": list(vocab.itos), "encode": ids, "decode": [list(vocab.decode(row)) for row in ids]}


def test_builds_encodes_and_decodes_course_reviews(learner, reference):
    texts = course_texts()
    expect_same(learner, reference, round_trip, texts[:300], texts[300:], what="reviews from the course data")
