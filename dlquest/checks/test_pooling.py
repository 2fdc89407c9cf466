"""Check for `pooling`: values and gradients equal the reference (itself equal to F.max_pool2d / F.avg_pool2d).

Inputs are distinct random float64 values (no ties inside a window), so the max-pooling gradient has one
right answer. Sizes stay small so that a loop implementation finishes quickly.
"""

import pytest
import torch

from dlquest.grader.checklib import POOLING_OPS, Rule, expect_same, to_device

RULE = Rule("a built-in pooling function", ops=[POOLING_OPS])

FUNCTIONS = ["max_pool2d", "avg_pool2d"]

# name: (batch, channels, height, width, kernel_size, stride)
CASES = {
    "2x2-stride-2": (2, 3, 6, 6, 2, 2),
    "default-stride": (1, 2, 6, 9, 3, None),
    "uneven-size": (2, 2, 7, 5, 2, 2),
    "overlapping": (1, 3, 7, 7, 3, 2),
    "stride-1": (1, 2, 5, 6, 2, 1),
    "pairs": (2, 2, 7, 9, (2, 3), (1, 2)),
    "stride-over-kernel": (1, 2, 8, 8, 2, 3),
    "global": (2, 4, 4, 5, (4, 5), None),
}


def make_input(case, seed, dtype=torch.float64):
    batch, channels, height, width, kernel_size, stride = CASES[case]
    generator = torch.Generator().manual_seed(seed + sum(map(ord, case)))
    # A random permutation, scaled: every value distinct, so no window has a tie.
    x = torch.randperm(batch * channels * height * width, generator=generator).to(dtype)
    x = (x / x.numel() - 0.5) * 4 + 0.01 * torch.randn(x.shape, generator=generator, dtype=dtype)
    return x.reshape(batch, channels, height, width), kernel_size, stride


def call(module, name, x, kernel_size, stride):
    function = getattr(module, name)
    if stride is None:
        return function(x, kernel_size)
    return function(x, kernel_size, stride)


def forward(module, device, name, inputs):
    return {case: call(module, name, to_device(device, x), k, s) for case, (x, k, s) in inputs.items()}


def backward(module, device, name, inputs, seed):
    grads = {}
    for case, (x, kernel_size, stride) in inputs.items():
        x = to_device(device, x).detach().requires_grad_(True)
        out = call(module, name, x, kernel_size, stride)
        upstream = torch.randn(out.shape, generator=torch.Generator().manual_seed(seed), dtype=out.dtype)
        out.backward(upstream.to(out.device))
        grads[case] = x.grad if x.grad is not None else "no gradient"
    return grads


def both(module, device, inputs):
    return {name: forward(module, device, name, inputs) for name in FUNCTIONS}


GRADIENT_CASES = ["2x2-stride-2", "uneven-size", "overlapping", "pairs", "global"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_forward(learner, reference, device, seed, name):
    inputs = {case: make_input(case, seed) for case in CASES}
    expect_same(learner, reference, forward, device, name, inputs, what=f"{name} output")


@pytest.mark.parametrize("name", FUNCTIONS)
def test_gradients(learner, reference, device, seed, name):
    inputs = {case: make_input(case, seed) for case in GRADIENT_CASES}
    expect_same(learner, reference, backward, device, name, inputs, seed,
                what=f"gradient of {name} with respect to input")


def test_keeps_float32(learner, reference, device, seed):
    inputs = {"overlapping": make_input("overlapping", seed, torch.float32)}
    expect_same(learner, reference, both, device, inputs, what="float32 output", check_dtype=True)


def guarded(module, inputs):
    return both(module, "cpu", inputs)  # under the RULE, as every test


def test_does_not_call_a_builtin_pooling(learner, reference, seed):
    expect_same(learner, reference, guarded, {"overlapping": make_input("overlapping", seed)}, what="output")
