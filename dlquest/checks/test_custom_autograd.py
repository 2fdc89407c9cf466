"""Check for `custom_autograd`: forward values, gradients for a random upstream gradient, gradcheck, and that
`relu` / `silu` really go through the learner's Function (their grad_fn is the Function's backward node).

Inputs are float64 and small; the ReLU inputs contain exact zeros, where the contract fixes the gradient to 0.
gradcheck (fast mode) runs inside the learner's process on inputs kept away from ReLU's kink.
"""

import pytest
import torch

from dlquest.grader.checklib import expect_same, to_device

FUNCTIONS = {"relu": "ReLUFunction", "silu": "SiLUFunction"}


def make_input(seed, name, dtype=torch.float64):
    generator = torch.Generator().manual_seed(seed + len(name))
    x = 3 * torch.randn(4, 6, generator=generator, dtype=dtype)
    x[0, :3] = 0.0  # exactly on ReLU's kink
    upstream = torch.randn(4, 6, generator=generator, dtype=dtype)
    return x, upstream


def forward(module, device, name, x):
    return getattr(module, name)(to_device(device, x))


def backward(module, device, name, x, upstream):
    x = to_device(device, x).detach().requires_grad_(True)
    y = getattr(module, name)(x)
    y.backward(to_device(device, upstream))
    return x.grad if x.grad is not None else "no gradient"


def gradcheck(module, name, seed):
    generator = torch.Generator().manual_seed(seed)
    magnitude = 0.2 + torch.rand(3, 4, generator=generator, dtype=torch.float64)
    sign = torch.where(torch.rand(3, 4, generator=generator) < 0.5, -1.0, 1.0).to(torch.float64)
    x = (sign * magnitude).requires_grad_(True)  # |x| >= 0.2: no finite difference straddles ReLU's kink
    function = getattr(module, FUNCTIONS[name])
    return torch.autograd.gradcheck(function.apply, (x,), eps=1e-6, atol=1e-5, fast_mode=True,
                                    raise_exception=False)


def graph_node(module, name):
    x = torch.randn(5, dtype=torch.float64, requires_grad=True)
    y = getattr(module, name)(x)
    return type(y.grad_fn).__name__ if y.grad_fn is not None else "no grad_fn"


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_forward(learner, reference, device, seed, name):
    x, _ = make_input(seed, name)
    expect_same(learner, reference, forward, device, name, x, what=f"{name}(x)")


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_forward_keeps_float32(learner, reference, seed, name):
    x, _ = make_input(seed, name, torch.float32)
    expect_same(learner, reference, forward, "cpu", name, x, what=f"{name}(x) for float32 x", check_dtype=True)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_backward(learner, reference, device, seed, name):
    expect_same(learner, reference, backward, device, name, *make_input(seed, name), what=f"gradient of {name}")


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_passes_gradcheck(learner, reference, seed, name):
    expect_same(learner, reference, gradcheck, name, seed,
                what=f"torch.autograd.gradcheck({FUNCTIONS[name]}.apply) passes")


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_uses_the_custom_function(learner, reference, name):
    expect_same(learner, reference, graph_node, name, what=f"type({name}(x).grad_fn).__name__")
