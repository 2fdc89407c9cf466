"""Check for `perceptron`: judged on weights, bias and predictions against the reference, sample by sample."""

import numpy as np
import pytest

from dlquest.grader.checklib import expect_same


def separable(seed, n=24):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X @ np.array([1.5, -2.0]) + 0.3 > 0).astype(int)
    return X, y


def noisy(seed, n=30, features=3):
    rng = np.random.default_rng(seed + 1)
    return rng.normal(size=(n, features)), rng.integers(0, 2, size=n)


def fit_and_predict(module, X, y, X_new, learning_rate, n_iterations):
    model = module.Perceptron(learning_rate=learning_rate, n_iterations=n_iterations)
    model.fit(X, y)
    return {
        "weights": np.asarray(model.weights, dtype=float),
        "bias": float(model.bias),
        "predictions": np.asarray(model.predict(X_new)),
    }


def test_learns_separable_data(learner, reference, seed):
    X, y = separable(seed)
    expect_same(learner, reference, fit_and_predict, X, y, X, 0.1, 20, what="after fit")


def test_follows_the_rule_sample_by_sample(learner, reference, seed):
    # Data no line separates: the weights keep moving, so every single update shows in the result.
    X, y = noisy(seed)
    expect_same(learner, reference, fit_and_predict, X, y, X, 0.05, 7, what="after fit")


def test_uses_the_given_learning_rate_and_iterations(learner, reference, seed):
    # The first point appears twice with both labels: no line separates the data, so every pass counts.
    X, y = noisy(seed + 7, n=11, features=2)
    X, y = np.vstack([X, X[:1]]), np.append(y, 1 - y[0])
    expect_same(learner, reference, fit_and_predict, X, y, X, 0.3, 3, what="after fit")


def defaults(module, X, y):
    model = module.Perceptron()
    returned = model.fit(X, y)
    return {
        "fit returns self": returned is model,
        "weights": np.asarray(model.weights, dtype=float),
        "bias": float(model.bias),
    }


def test_defaults_and_fit_returns_self(learner, reference, seed):
    # Defaults show in the weights: 1000 passes at rate 0.01 end elsewhere than any other pair.
    X, y = noisy(seed + 3, n=10, features=2)
    expect_same(learner, reference, defaults, X, y, what="Perceptron() then fit")


def fit_twice(module, first, second):
    model = module.Perceptron(learning_rate=0.1, n_iterations=5)
    model.fit(*first)
    model.fit(*second)
    return {"weights": np.asarray(model.weights, dtype=float), "bias": float(model.bias)}


def test_fit_starts_from_zero_every_time(learner, reference, seed):
    expect_same(learner, reference, fit_twice, noisy(seed + 11), noisy(seed + 12),
                what="after a second fit on other data")


def predict_on_boundary(module, X):
    model = module.Perceptron(learning_rate=0.1, n_iterations=1)
    model.fit(np.array([[1.0, 1.0]]), np.array([1]))  # zero weights predict 1 (score 0 >= 0): no update
    model.weights = np.array([1.0, -1.0])
    model.bias = 0.0
    return np.asarray(model.predict(X)).astype(np.int64)


def test_predict_gives_one_on_the_boundary(learner, reference):
    X = np.array([[2.0, 2.0], [1.0, 3.0], [3.0, 1.0], [0.0, 0.0]])  # scores 0, -2, 2, 0
    expect_same(learner, reference, predict_on_boundary, X, what="predict(X) with w = [1, -1], b = 0")


@pytest.mark.parametrize("n_samples", [1, 5])
def test_predict_returns_one_label_per_row(learner, reference, seed, n_samples):
    X, y = separable(seed + 5)
    X_new = np.random.default_rng(seed).normal(size=(n_samples, 2))
    expect_same(learner, reference, fit_and_predict, X, y, X_new, 0.1, 4, what="predictions")
