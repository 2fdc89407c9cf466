"""Check for `linear_regression`: the same gradient-descent steps as the reference, and the least-squares answer.

Everything is float64. The step-by-step tests use few iterations on data where every step moves the
parameters, so a different loss convention, update rule or starting point shows at once; the convergence
test compares the learner's (w, b) after many steps with np.linalg.lstsq, computed here in the check.
"""

import numpy as np
import pytest

from dlquest.grader.checklib import assert_same, expect_same

# Tolerance of the convergence test: |w − w_lstsq| and |b − b_lstsq| at most this (absolute, per entry).
LSTSQ_ATOL = 1e-6


def make_data(seed, n_samples=40, n_features=3, noise=0.3):
    """Well-conditioned data: standard-normal features, a known linear rule plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    true_w = rng.uniform(-3.0, 3.0, size=n_features)
    y = X @ true_w + 1.5 + noise * rng.normal(size=n_samples)
    return X, y


def fit(module, X, y, *options):
    w, b, losses = module.fit_linear_regression(X, y, *options)
    return {"w": np.asarray(w, dtype=float), "b": float(b), "losses": [float(v) for v in losses]}


def fit_with_defaults(module, X, y):
    # The whole loss history: it shows the default learning rate and number of steps even once (w, b) settled.
    w, b, losses = module.fit_linear_regression(X, y)
    return {"w": np.asarray(w, dtype=float), "b": float(b), "losses": [float(v) for v in losses]}


def first_loss(module, X, y):
    return fit(module, X, y, 0.05, 1)["losses"]


def test_first_loss_is_the_mse_of_the_zero_model(learner, reference, seed):
    # Before any update w = 0 and b = 0, so losses[0] = mean(y²): this fixes the loss convention.
    X, y = make_data(seed)
    expect_same(learner, reference, first_loss, X, y, what="losses of a 1-step fit")


@pytest.mark.parametrize("n_iterations", [1, 2, 5])
def test_follows_the_update_rule_step_by_step(learner, reference, seed, n_iterations):
    X, y = make_data(seed + n_iterations)
    expect_same(learner, reference, fit, X, y, 0.05, n_iterations, what=f"after {n_iterations} steps")


def test_one_feature(learner, reference, seed):
    X, y = make_data(seed + 11, n_samples=15, n_features=1)
    expect_same(learner, reference, fit, X, y, 0.1, 20, what="one feature, 20 steps")


def test_uses_the_given_learning_rate_and_iterations(learner, reference, seed):
    X, y = make_data(seed + 17, n_samples=25, n_features=2)
    expect_same(learner, reference, fit, X, y, 0.013, 37, what="learning_rate=0.013, 37 steps")


def test_defaults(learner, reference, seed):
    X, y = make_data(seed + 23, n_samples=30, n_features=2)
    expect_same(learner, reference, fit_with_defaults, X, y, what="fit_linear_regression(X, y)")


def fit_twice_and_inputs(module, X, y):
    X_before, y_before = X.copy(), y.copy()
    first = fit(module, X, y, 0.05, 3)
    second = fit(module, X, y, 0.05, 3)
    return {"second fit": second, "same as the first": bool(np.array_equal(first["w"], second["w"])),
            "X unchanged": bool(np.array_equal(X, X_before)), "y unchanged": bool(np.array_equal(y, y_before))}


def test_starts_from_zero_and_leaves_the_data_alone(learner, reference, seed):
    X, y = make_data(seed + 29, n_samples=12, n_features=2)
    expect_same(learner, reference, fit_twice_and_inputs, X, y, what="two fits on the same data")


def test_converges_to_the_least_squares_solution(learner, seed):
    X, y = make_data(seed + 31, n_samples=60, n_features=3)
    got = learner.run(fit, X, y, 0.1, 3000)
    # The exact answer, computed after the learner ran: least squares on [X, 1] (the last column is the bias).
    solution, *_ = np.linalg.lstsq(np.hstack([X, np.ones((len(X), 1))]), y, rcond=None)
    learner.note(*assert_same({"w": got["w"], "b": got["b"]}, {"w": solution[:-1], "b": float(solution[-1])},
                              what="(w, b) after 3000 steps vs np.linalg.lstsq", rtol=0.0, atol=LSTSQ_ATOL))
    # And gradient descent went downhill all the way.
    losses = got["losses"]
    assert all(later <= earlier + 1e-12 for earlier, later in zip(losses, losses[1:])), \
        "the recorded losses should never increase with this learning rate"
