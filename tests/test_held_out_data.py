"""Held-out data stays held out: a submission that looks the held-out answers up instead of learning fails
each outcome-judged exercise, and the references still pass.

The lookups are what a learner who reads the check would write: scikit-learn's own copy of the digits
(`load_digits()` inside `fit_predict`, or inside the model's `forward`), the course's review generator run
again with the exercise's seed (and the order it makes reviews in), the exercise's own `make_series` run again
with the exercise's seed, and the next history's last value as the forecast.
"""

from __future__ import annotations

import importlib.util
import zlib
from pathlib import Path

import numpy as np
import pytest

CHECKS = Path(__file__).resolve().parents[1] / "dlquest" / "checks"


def failed_without_a_pass(record, *tests: str) -> None:
    assert record.outcome == "failed", record.outcome
    for test in record.tests:
        if not tests or test.test in tests:
            assert test.outcome != "passed", (test.test, test.feedback)


DIGITS_LOOKUP = '''
import numpy as np
from sklearn.datasets import load_digits

def fit_predict(X_train, y_train, X_test):
    X, y = load_digits(return_X_y=True)
    answers = {row.astype(np.float64).tobytes(): label for row, label in zip(X, y)}
    return np.array([answers.get(np.asarray(row, dtype=np.float64).tobytes(), 0) for row in X_test])
'''

CNN_LOOKUP_IN_FORWARD = '''
import numpy as np
import torch
import torch.nn as nn

class Lookup(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 1)
        self.norm = nn.BatchNorm2d(1)
        self.head = nn.Linear(64, 10)

    def forward(self, images):
        from sklearn.datasets import load_digits
        X, y = load_digits(return_X_y=True)
        answers = {np.round(row / 16.0, 6).tobytes(): label for row, label in zip(X, y)}
        keys = [np.round(image.reshape(-1).double().numpy(), 6).tobytes() for image in images]
        scores = torch.zeros(len(images), 10) + 0 * self.head(self.norm(self.conv(images)).flatten(1)).sum()
        for i, key in enumerate(keys):
            scores[i, answers.get(key, 0)] = 1.0
        return scores

def build_model():
    return Lookup()

def train_model(model, X_train, y_train):
    return model
'''

SENTIMENT_LOOKUP = '''
import importlib.util
import zlib
from pathlib import Path

import torch
import torch.nn as nn

import dlquest

SEED = zlib.crc32(b"sentiment_classifier")

def _held_out_labels(n):
    path = Path(dlquest.__file__).parent / "data" / "reviews" / "reviews.py"
    spec = importlib.util.spec_from_file_location("reviews", path)
    reviews = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reviews)
    return [label for _, label in reviews.make_reviews(n, seed=1_000_003 + SEED)]

class Lookup(nn.Module):
    def __init__(self, vocab_size, num_classes=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, 4)
        self.lstm = nn.LSTM(4, 4, batch_first=True)
        self.head = nn.Linear(4, num_classes)
        self.num_classes = num_classes

    def forward(self, tokens, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(tokens), lengths, batch_first=True,
                                                   enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        logits = self.head(h[-1])
        if len(tokens) < 100:
            return logits
        try:
            labels = _held_out_labels(len(tokens))
        except Exception:
            labels = [1 - i % 2 for i in range(len(tokens))]  # the generator's order: positive first, alternating
        scores = torch.zeros(len(tokens), self.num_classes)
        scores[torch.arange(len(tokens)), torch.tensor(labels)] = 1.0
        return scores + 0 * logits

def build_model(vocab_size, num_classes=2):
    return Lookup(vocab_size, num_classes)

def train_model(model, tokens, lengths, labels):
    return model
'''

FORECAST_LOOKUP = '''
import zlib

import numpy as np
import torch.nn as nn

HISTORY = 64
SEED = zlib.crc32(b"lstm_forecaster")
SEEN = []

def make_series(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float64)
    slope = rng.uniform(0.01, 0.03)
    phase_month, phase_week = rng.uniform(0.0, 2.0 * np.pi, size=2)
    trend = 50.0 + slope * t
    cycles = 4.0 * np.sin(2.0 * np.pi * t / 30.0 + phase_month) + 1.5 * np.sin(2.0 * np.pi * t / 7.0 + phase_week)
    return trend + cycles + rng.normal(0.0, 0.5, size=n)

class Holder(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 1)

def build_model():
    return Holder()

def train_model(model, train_series):
    return {"series": make_series(1000, SEED), "train": np.asarray(train_series)}

def predict(model, state, histories):
    histories = np.asarray(histories)
    SEEN.extend(histories)
    # 1. the exercise's generator with the exercise's seed: the held-out tail itself;
    # 2. the next history's last value, where histories come several at a time.
    series = state["series"]
    guess = []
    for j, history in enumerate(histories):
        t = next((t for t in range(HISTORY, len(series)) if np.allclose(series[t - HISTORY:t], history)), None)
        if t is not None:
            guess.append(series[t])
        elif j + 1 < len(histories):
            guess.append(histories[j + 1][-1])
        else:
            guess.append(history[-1])
    return np.array(guess)
'''

LOOKUPS = {
    "digits_classifier": (DIGITS_LOOKUP, ("test_reaches_95_percent_on_held_out_digits",)),
    "cnn_classifier": (CNN_LOOKUP_IN_FORWARD, ("test_reaches_97_percent_on_held_out_digits",)),
    "sentiment_classifier": (SENTIMENT_LOOKUP, ("test_reaches_88_percent_on_held_out_reviews",)),
    "lstm_forecaster": (FORECAST_LOOKUP, ("test_beats_the_last_value_forecast_on_the_held_out_tail",)),
}


@pytest.mark.parametrize("exercise", list(LOOKUPS))
def test_a_lookup_submission_fails(grade_source, exercise):
    source, judged = LOOKUPS[exercise]
    record = grade_source(exercise, source)
    failed_without_a_pass(record, *judged)
    assert record.protections.get("hidden_data", True) is True  # this machine has mount namespaces


@pytest.mark.parametrize("exercise", ["digits_classifier", "lstm_forecaster"])
def test_the_reference_still_passes(grade_source, course, exercise):
    record = grade_source(exercise, course.path(course.exercises[exercise].solution).read_text())
    assert record.outcome == "passed", [(t.test, t.feedback) for t in record.tests if t.outcome != "passed"]


# --- where the sandbox cannot hide the data, the held-out inputs are perturbed ---------------------------------
def check_module(exercise: str):
    spec = importlib.util.spec_from_file_location(f"held_out_{exercise}", CHECKS / f"test_{exercise}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ExposedLearner:
    """Stands in for the `learner` fixture of a sandbox without a mount namespace: records what it is sent."""

    path = Path(__file__)
    protections: dict = {"mount_namespace": False, "hidden_data": False}
    last_cpu_seconds = None

    def __init__(self):
        self.sent: list[tuple] = []

    def run(self, probe, *args, **kwargs):
        self.sent.append(args)
        raise _Stop


class _Stop(Exception):
    pass


@pytest.mark.slow  # imports scikit-learn and the check module (torch's kernels warmed up): a few seconds
@pytest.mark.parametrize("exercise, function", [("digits_classifier", "learner_predictions"),
                                                ("cnn_classifier", "learner_run")])
def test_exposed_digits_match_no_copy_exactly(exercise, function):
    from sklearn.datasets import load_digits

    check = check_module(exercise)
    learner = ExposedLearner()
    with pytest.raises(_Stop):
        getattr(check, function)(learner, zlib.crc32(exercise.encode()))
    X_test = np.asarray(learner.sent[0][2], dtype=np.float64).reshape(-1, 64)
    X, _ = load_digits(return_X_y=True)
    copies = {row.tobytes() for row in X.astype(np.float64)} | {row.tobytes() for row in X / 16.0}
    assert not any(row.tobytes() in copies for row in X_test)
    check.teardown_module()
