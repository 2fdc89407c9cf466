"""Check for `windowed_dataset`: shapes, the training-only scaler, and every window and target, in time order.

The series has a trend, so a scaler fitted on the whole series differs clearly from one fitted on the
training part; the cases vary the window, the horizon and a fraction whose split point must be rounded down.
"""

import numpy as np
import pytest

from dlquest.grader.checklib import expect_same

# name: (length of the series, window, horizon, train_fraction)
CASES = {
    "basic": (50, 5, 1, 0.8),
    "horizon-3": (40, 4, 3, 0.75),
    "rounds-down": (37, 6, 2, 0.7),
    "window-1": (12, 1, 1, 0.5),
}


def make_series(case, seed):
    n = CASES[case][0]
    rng = np.random.default_rng(seed + sum(map(ord, case)))
    t = np.arange(n, dtype=np.float64)
    return 20.0 + 0.3 * t + 2.0 * np.sin(t / 3.0) + rng.normal(0.0, 0.5, size=n)


def arguments(case, seed):
    _, window, horizon, fraction = CASES[case]
    return make_series(case, seed), window, horizon, fraction


def call(module, series, window, horizon, fraction):
    return module.make_windows(series.copy(), window, horizon, fraction)


def shapes(module, *args):
    names = ["X_train", "y_train", "X_test", "y_test"]
    result = call(module, *args)
    return {name: str(tuple(np.shape(value))) for name, value in zip(names, result[:4])}


def scaler_values(module, *args):
    scaler = call(module, *args)[4]
    if hasattr(scaler, "mean_") and hasattr(scaler, "scale_"):
        return {"mean": float(scaler.mean_[0]), "std": float(scaler.scale_[0])}
    mean, std = scaler
    return {"mean": float(mean), "std": float(std)}


def training_samples(module, *args):
    X_train, y_train = call(module, *args)[:2]
    return {"X_train": np.asarray(X_train, dtype=np.float64), "y_train": np.asarray(y_train, dtype=np.float64)}


def held_out_samples(module, *args):
    X_test, y_test = call(module, *args)[2:4]
    return {"X_test": np.asarray(X_test, dtype=np.float64), "y_test": np.asarray(y_test, dtype=np.float64)}


def describe(case):
    n, window, horizon, fraction = CASES[case]
    return f"make_windows(series of {n}, window={window}, horizon={horizon}, train_fraction={fraction})"


@pytest.mark.parametrize("case", list(CASES))
def test_shapes(learner, reference, seed, case):
    expect_same(learner, reference, shapes, *arguments(case, seed), what=f"shapes from {describe(case)}")


@pytest.mark.parametrize("case", ["basic", "rounds-down"])
def test_scaler_is_fitted_on_the_training_part_only(learner, reference, seed, case):
    expect_same(learner, reference, scaler_values, *arguments(case, seed), what=f"scaler from {describe(case)}")


@pytest.mark.parametrize("case", list(CASES))
def test_training_windows_and_targets(learner, reference, seed, case):
    expect_same(learner, reference, training_samples, *arguments(case, seed), what=describe(case))


@pytest.mark.parametrize("case", list(CASES))
def test_test_windows_and_targets(learner, reference, seed, case):
    expect_same(learner, reference, held_out_samples, *arguments(case, seed), what=describe(case))
