"""Check for `mlp_numpy`: forward, loss, gradients (against the reference and against central finite
differences of the learner's own loss), one training trajectory and XOR learned with the defaults."""

import numpy as np
import pytest

from dlquest.grader.checklib import assert_same, expect_same

NAMES = ["W1", "b1", "W2", "b2"]
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def problem(seed, n=5, d=3, h=4, k=2):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(d, h)), "b1": rng.normal(size=h) * 0.5,
              "W2": rng.normal(size=(h, k)), "b2": rng.normal(size=k) * 0.5}
    return params, rng.normal(size=(n, d)), rng.uniform(size=(n, k))


def copy(params):
    return {name: value.copy() for name, value in params.items()}


def run_forward(module, params, X):
    return np.asarray(module.forward(copy(params), X))


def run_loss(module, params, X, Y):
    return float(module.loss(copy(params), X, Y))


def run_gradients(module, params, X, Y):
    given = copy(params)
    grads = module.gradients(given, X, Y)
    unchanged = all(np.array_equal(given[name], params[name]) for name in params)
    if not (isinstance(grads, dict) and set(NAMES) <= set(grads)):
        return {"gradients": f"not a dict with the keys {NAMES}", "params left unchanged": unchanged}
    return {"gradients": {name: np.asarray(grads[name]) for name in NAMES}, "params left unchanged": unchanged}


def test_forward(learner, reference, seed):
    params, X, _ = problem(seed)
    expect_same(learner, reference, run_forward, params, X, what="forward(params, X)")


@pytest.mark.parametrize("outputs", [1, 2])
def test_loss(learner, reference, seed, outputs):
    params, X, Y = problem(seed + outputs, k=outputs)
    expect_same(learner, reference, run_loss, params, X, Y, what="loss(params, X, Y)")


@pytest.mark.parametrize("size", [(5, 3, 4, 2), (1, 2, 3, 1), (7, 2, 5, 3)], ids=["5x3-4-2", "1x2-3-1", "7x2-5-3"])
def test_gradients(learner, reference, seed, size):
    params, X, Y = problem(seed, *size)
    expect_same(learner, reference, run_gradients, params, X, Y, what="gradients(params, X, Y)")


def finite_differences(module, params, X, Y):
    analytic = run_gradients(module, params, X, Y)["gradients"]
    numeric = {}
    step = 1e-6
    for name in NAMES:
        grad = np.zeros_like(params[name])
        for index in np.ndindex(params[name].shape):
            plus, minus = copy(params), copy(params)
            plus[name][index] += step
            minus[name][index] -= step
            grad[index] = (module.loss(plus, X, Y) - module.loss(minus, X, Y)) / (2 * step)
        numeric[name] = grad
    return {"analytic": analytic, "numeric": numeric}


def test_gradients_match_finite_differences(learner, seed):
    params, X, Y = problem(seed + 7)
    result = learner.run(finite_differences, params, X, Y)
    assert_same(result["analytic"], result["numeric"], rtol=1e-5, atol=1e-8,
                what="your gradients, against central differences of your loss,")


def run_train(module, X, Y, options):
    params, losses = module.train(X, Y, **options)
    return {"params": {name: np.asarray(params[name]) for name in NAMES},
            "losses": np.asarray(losses, dtype=float)}


def test_training_trajectory(learner, reference, seed):
    _, X, Y = problem(seed + 3, n=6, d=3, k=2)
    expect_same(learner, reference, run_train, X, Y, {"n_hidden": 3, "lr": 0.5, "epochs": 25, "seed": seed},
                what="train(X, Y, n_hidden=3, lr=0.5, epochs=25)")


def learns_xor(module):
    params, losses = module.train(XOR_X, XOR_Y)
    predictions = (np.asarray(module.forward(params, XOR_X)) > 0.5).astype(np.int64).ravel()
    return {"predictions": predictions, "epochs recorded": len(losses),
            "final loss below 0.01": bool(losses[-1] < 0.01)}


def test_learns_xor_with_the_defaults(learner, reference):
    expect_same(learner, reference, learns_xor, what="train(XOR) with the default settings")
