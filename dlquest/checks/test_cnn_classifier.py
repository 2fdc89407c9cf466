"""Check for `cnn_classifier`: a CNN with batch norm reaching 97% on a held-out split of load_digits in time.

The split (25%, stratified by label) is drawn here, in the grader, with the session's seed: an instructor's
secret seed gives a split the learner has never seen. The learner's code receives the training images and
labels; the probe predicts the held-out images itself, and their labels never leave this process.
The budget is CPU time (on the one thread the sandbox allows), so that a busy grading machine does not fail a
submission that a quiet one passes; the exercise's time-out (90 s of wall time) is the hard stop. The grader
reads the CPU time of the learner's process from outside it (`learner.last_cpu_seconds`), so code that patches
`time` cannot shrink it; where that is unavailable the probe's own process_time() is used. The wall time of
the whole run is measured here as well and reported alongside.

scikit-learn's own copy of the digits is hidden from the learner's process (HELD_OUT_DATA): code that looks
the held-out images up there (in train_model or in the model's forward) finds nothing. Where the sandbox cannot
hide it, the held-out images get fresh noise so that an exact lookup fails (and the grading says so).
"""

import hashlib
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from dlquest.grader.checklib import SCIKIT_LEARN_DATA, held_out_hidden, scrub
from dlquest.grader.records import CheckFailed, Feedback

HELD_OUT_DATA = SCIKIT_LEARN_DATA
NOISE = 0.03  # the standard deviation of the noise on exposed held-out pixels (scaled to run from 0 to 1)

REQUIRED_ACCURACY = 0.97
TIME_BUDGET_SECONDS = 20  # CPU seconds for build_model + train_model, one thread
_RESULTS = {}


def _warm_up():
    """Load here, before the probes fork, what the learner's code would otherwise spend its time budget on:
    torch's convolution and batch-norm kernels, and torch._dynamo, which an optimizer's first step imports."""
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(18, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    nn.functional.cross_entropy(model(torch.ones(2, 1, 8, 8)), torch.tensor([0, 1])).backward()
    optimizer.step()


_warm_up()


def split(seed):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed % 2**31)

    def images(a):
        return torch.tensor(a / 16.0, dtype=torch.float32).reshape(-1, 1, 8, 8)

    return (images(X_train), torch.tensor(y_train, dtype=torch.int64), images(X_test)), y_test


def _structure(model):
    return {
        "is a module": isinstance(model, nn.Module),
        "type": type(model).__name__,
        "convolution": isinstance(model, nn.Module) and any(isinstance(m, nn.Conv2d) for m in model.modules()),
        "batch norm": isinstance(model, nn.Module)
        and any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules()),
    }


def built(module, images):
    model = module.build_model()
    info = _structure(model)
    if info["is a module"]:
        model.train()
        info["scores"] = model(images).detach()
    return info


def trained_predictions(module, X_train, y_train, X_test):
    start = time.process_time()
    model = module.build_model()
    model = module.train_model(model, X_train, y_train)
    cpu = time.process_time() - start
    info = _structure(model)
    info["cpu seconds"] = cpu
    if info["is a module"]:
        model.eval()
        with torch.no_grad():
            scores = model(X_test)
        info["scores shape"] = list(scores.shape)
        if scores.dim() == 2 and scores.shape[1] == 10:
            info["predictions"] = scores.argmax(dim=1).cpu().numpy()
    return info


def learner_run(learner, seed):
    """Train once per submission and seed; the tests judge the same run."""
    key = (str(learner.path), hashlib.sha256(Path(learner.path).read_bytes()).hexdigest(), seed)
    if key not in _RESULTS:
        exposed = not held_out_hidden(learner)  # asked first: it starts the learner's process if need be
        inputs, y_test = split(seed)
        if exposed:
            X_train, y_train, X_test = inputs
            noise = torch.from_numpy(np.random.default_rng().normal(0.0, NOISE, tuple(X_test.shape)))
            inputs = (X_train, y_train, X_test + noise.to(X_test.dtype))
        start = time.perf_counter()
        try:
            info = learner.run(trained_predictions, *inputs)
        except CheckFailed as failure:
            info = failure
        else:
            outside = getattr(learner, "last_cpu_seconds", None)
            if outside is not None:  # measured by the grader: wins over what the learner's process reports
                info["cpu seconds"] = float(outside)
        _RESULTS[key] = (info, y_test, time.perf_counter() - start)
    info, y_test, wall = _RESULTS[key]
    if isinstance(info, CheckFailed):
        raise CheckFailed(*info.feedback)
    return info, y_test, wall


def teardown_module():
    """Leave no held-out label in this process's memory: a warm grader forks the next learner's process from it."""
    scrub(_RESULTS)


def _require_cnn_with_batch_norm(info, what):
    assert info["is a module"], f"{what} must return an nn.Module, got {info['type']}"
    assert info["convolution"], f"{what} returned a model without an nn.Conv2d layer: this project needs a CNN"
    assert info["batch norm"], (f"{what} returned a model without batch normalisation: add nn.BatchNorm2d after "
                                f"a convolution (or nn.BatchNorm1d after a linear layer)")


def test_model_is_a_cnn_with_batch_norm(learner, seed):
    images = torch.rand(5, 1, 8, 8, generator=torch.Generator().manual_seed(seed))
    _require_cnn_with_batch_norm(learner.run(built, images), "build_model()")


def test_model_gives_ten_scores_per_image(learner, seed):
    images = torch.rand(5, 1, 8, 8, generator=torch.Generator().manual_seed(seed))
    info = learner.run(built, images)
    assert info["is a module"], f"build_model() must return an nn.Module, got {info['type']}"
    scores = info["scores"]
    if not hasattr(scores, "shape") or list(scores.shape) != [5, 10]:
        raise CheckFailed(Feedback("shape_mismatch", {"what": "build_model()(images of shape (5, 1, 8, 8))",
                                                      "expected": [5, 10],
                                                      "got": list(getattr(scores, "shape", ()))}))


def test_reaches_97_percent_on_held_out_digits(learner, seed):
    info, y_test, _ = learner_run(learner, seed)
    _require_cnn_with_batch_norm(info, "train_model(model, X_train, y_train)")
    if "predictions" not in info:
        raise CheckFailed(Feedback("shape_mismatch", {"what": "trained model(X_test)",
                                                      "expected": [len(y_test), 10], "got": info["scores shape"]}))
    predicted = np.asarray(info["predictions"])
    right = int((predicted == y_test).sum())
    accuracy = right / len(y_test)
    assert accuracy >= REQUIRED_ACCURACY, (
        f"held-out accuracy {accuracy:.3f} ({right} of {len(y_test)} right); at least {REQUIRED_ACCURACY:.2f} "
        f"is needed")


def test_training_stays_within_the_time_budget(learner, seed):
    info, _, wall = learner_run(learner, seed)
    cpu = info.get("cpu seconds")
    assert isinstance(cpu, float), f"the CPU time of the run could not be measured (got {cpu!r})"
    assert cpu <= TIME_BUDGET_SECONDS, (
        f"build_model and train_model used {cpu:.1f} s of CPU time ({wall:.1f} s of wall time for the whole run); "
        f"the budget is {TIME_BUDGET_SECONDS} s: use fewer epochs or smaller layers")
