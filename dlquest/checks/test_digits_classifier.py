"""Check for `digits_classifier`: at least 95% accuracy on a held-out split of load_digits.

The split (25%, stratified by label) is drawn here, in the grader, with the session's seed: an instructor's
secret seed gives a split the learner has never seen. The learner's code receives the training inputs and
labels and the held-out inputs only, and returns its predictions; the held-out labels never leave this
process. The exercise's time-out (30 s of wall time, one CPU thread) bounds the training.

scikit-learn's own copy of the digits is hidden from the learner's process (HELD_OUT_DATA), so code that looks
the held-out images up there (load_digits() inside fit_predict) finds nothing. Where the sandbox cannot hide it
(no mount namespace; the grading then reports "held-out data hidden" as off), the held-out images get fresh
noise, so that an exact lookup fails. They are loaded here only once the learner's process has started.
"""

import hashlib
from pathlib import Path

import numpy as np
import torch

from dlquest.grader.checklib import SCIKIT_LEARN_DATA, held_out_hidden, scrub
from dlquest.grader.records import CheckFailed, Feedback

HELD_OUT_DATA = SCIKIT_LEARN_DATA
NOISE = 0.5  # the standard deviation of the noise on exposed held-out pixels (pixel values run from 0 to 16)

REQUIRED_ACCURACY = 0.95
_RESULTS = {}


def _warm_up():
    """Load here, before the probes fork, what the learner's code would otherwise spend its time budget (and
    its memory allowance) loading: torch itself, and torch._dynamo, which an optimizer's first step imports."""
    parameter = torch.nn.Parameter(torch.ones(2))
    optimizer = torch.optim.Adam([parameter], lr=0.1)
    parameter.sum().backward()
    optimizer.step()


_warm_up()


def split(seed):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed % 2**31)
    return (X_train.astype(np.float64), y_train.astype(np.int64), X_test.astype(np.float64)), y_test


def predictions(module, X_train, y_train, X_test):
    predicted = module.fit_predict(X_train, y_train, X_test)
    if hasattr(predicted, "detach"):
        predicted = predicted.detach().cpu().numpy()
    return np.asarray(predicted)


def learner_predictions(learner, seed):
    """Train once per submission and seed; both tests judge the same run."""
    key = (str(learner.path), hashlib.sha256(Path(learner.path).read_bytes()).hexdigest(), seed)
    if key not in _RESULTS:
        exposed = not held_out_hidden(learner)  # asked first: it starts the learner's process if need be
        inputs, y_test = split(seed)
        if exposed:
            X_train, y_train, X_test = inputs
            inputs = (X_train, y_train, X_test + np.random.default_rng().normal(0.0, NOISE, X_test.shape))
        try:
            _RESULTS[key] = (learner.run(predictions, *inputs), y_test)
        except CheckFailed as failure:
            _RESULTS[key] = (failure, y_test)
    predicted, y_test = _RESULTS[key]
    if isinstance(predicted, CheckFailed):
        raise CheckFailed(*predicted.feedback)
    return predicted, y_test


def teardown_module():
    """Leave no held-out label in this process's memory: a warm grader forks the next learner's process from it."""
    scrub(_RESULTS)


def test_predicts_one_label_per_held_out_digit(learner, seed):
    predicted, y_test = learner_predictions(learner, seed)
    if not hasattr(predicted, "shape") or predicted.shape != y_test.shape:
        raise CheckFailed(Feedback("shape_mismatch", {"what": "fit_predict(X_train, y_train, X_test)",
                                                      "expected": list(y_test.shape),
                                                      "got": list(getattr(predicted, "shape", ()))}))
    assert np.issubdtype(predicted.dtype, np.integer), (
        f"fit_predict must return integer labels, got an array of {predicted.dtype}")
    assert predicted.min() >= 0 and predicted.max() <= 9, "every predicted label must be one of 0, 1, …, 9"


def test_reaches_95_percent_on_held_out_digits(learner, seed):
    predicted, y_test = learner_predictions(learner, seed)
    if not hasattr(predicted, "shape") or predicted.shape != y_test.shape:
        raise CheckFailed(Feedback("shape_mismatch", {"what": "fit_predict(X_train, y_train, X_test)",
                                                      "expected": list(y_test.shape),
                                                      "got": list(getattr(predicted, "shape", ()))}))
    accuracy = float((predicted == y_test).mean())
    assert accuracy >= REQUIRED_ACCURACY, (
        f"held-out accuracy {accuracy:.3f} ({int((predicted == y_test).sum())} of {len(y_test)} right); "
        f"at least {REQUIRED_ACCURACY:.2f} is needed")
