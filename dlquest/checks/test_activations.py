"""Check for `activations`: values (dtype and shape too), derivatives (with their convention at 0), the slope
argument, and safety for huge inputs (overflow and invalid-value warnings are errors inside every probe)."""

import numpy as np
import pytest

from dlquest.grader.checklib import expect_same

FUNCTIONS = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu", "leaky_relu_grad"]


def call(module, name, x, kwargs):
    original = x.copy()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = getattr(module, name)(x, **kwargs)
    return {"value": np.asarray(out) if not isinstance(out, np.ndarray) else out,
            "x left unchanged": bool(np.array_equal(x, original))}


def inputs(seed, shape=(2, 3, 4)):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-6.0, 6.0, size=shape)
    x.flat[0] = 0.0
    return x


@pytest.mark.parametrize("name", FUNCTIONS)
def test_values(learner, reference, seed, name):
    expect_same(learner, reference, call, name, inputs(seed), {}, what=f"{name}(x)", check_dtype=True)


@pytest.mark.parametrize("name", ["relu_grad", "leaky_relu_grad"])
def test_derivative_at_zero(learner, reference, name):
    x = np.array([-1.0, -0.0, 0.0, 1e-12, 1.0])
    expect_same(learner, reference, call, name, x, {}, what=f"{name}(x) at x = [-1, -0, 0, 1e-12, 1]")


@pytest.mark.parametrize("name", ["leaky_relu", "leaky_relu_grad"])
def test_uses_the_given_slope(learner, reference, seed, name):
    expect_same(learner, reference, call, name, inputs(seed + 2), {"slope": 0.2}, what=f"{name}(x, slope=0.2)")


HUGE = np.array([-1e4, -1000.0, -710.0, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 710.0, 1000.0, 1e4])


@pytest.mark.parametrize("name", FUNCTIONS)
def test_safe_for_huge_inputs(learner, reference, name):
    expect_same(learner, reference, call, name, HUGE, {}, what=f"{name}(x) for x up to ±10000")
