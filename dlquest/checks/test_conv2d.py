"""Check for `conv2d`: values and gradients equal the reference (itself equal to F.conv2d), no built-in conv.

Values are compared in float64 so that the tolerance can be tight; sizes stay small so that a version
written with plain loops, as the lesson teaches, finishes well inside the time limit.
"""

import pytest
import torch

from dlquest.grader.checklib import CONVOLUTION_OPS, Rule, expect_same, to_device

# Every convolution operator torch has (aten, mkldnn, quantized, …) cannot run in the learner's process.
RULE = Rule("a built-in convolution", ops=[CONVOLUTION_OPS])

# name: (batch, in_channels, height, width, out_channels, kernel, stride, padding, with_bias)
CASES = {
    "basic": (2, 3, 7, 7, 4, 3, 1, 0, True),
    "no-bias": (1, 2, 6, 6, 3, 3, 1, 0, False),
    "stride2-pad1": (2, 3, 8, 8, 2, 3, 2, 1, True),
    "pairs": (1, 2, 7, 9, 3, (3, 2), (2, 1), (1, 0), True),
    "1x1": (2, 4, 5, 5, 3, 1, 1, 0, True),
    "wide-stride": (1, 2, 6, 9, 2, 3, (1, 2), (0, 1), True),
    "kernel-as-big-as-input": (1, 1, 5, 5, 2, 5, 1, 2, True),
}


def make_inputs(case, seed, dtype=torch.float64):
    batch, c_in, height, width, c_out, kernel, stride, padding, with_bias = CASES[case]
    k_h, k_w = (kernel, kernel) if isinstance(kernel, int) else kernel
    generator = torch.Generator().manual_seed(seed + sum(map(ord, case)))
    x = torch.randn(batch, c_in, height, width, generator=generator, dtype=dtype)
    weight = torch.randn(c_out, c_in, k_h, k_w, generator=generator, dtype=dtype)
    bias = torch.randn(c_out, generator=generator, dtype=dtype) if with_bias else None
    return x, weight, bias, stride, padding


def forward(module, device, x, weight, bias, stride, padding):
    x, weight, bias = to_device(device, x, weight, bias)
    return module.conv2d(x, weight, bias, stride=stride, padding=padding)


def backward(module, device, x, weight, bias, stride, padding, seed):
    x, weight, bias = to_device(device, x, weight, bias)
    x = x.detach().requires_grad_(True)
    weight = weight.detach().requires_grad_(True)
    leaves = {"input": x, "weight": weight}
    if bias is not None:
        bias = bias.detach().requires_grad_(True)
        leaves["bias"] = bias
    out = module.conv2d(x, weight, bias, stride=stride, padding=padding)
    upstream = torch.randn(out.shape, generator=torch.Generator().manual_seed(seed), dtype=out.dtype)
    out.backward(upstream.to(out.device))
    return {name: (leaf.grad if leaf.grad is not None else "no gradient") for name, leaf in leaves.items()}


@pytest.mark.parametrize("case", list(CASES))
def test_forward(learner, reference, device, seed, case):
    expect_same(learner, reference, forward, device, *make_inputs(case, seed), what="output")


@pytest.mark.parametrize("case", ["basic", "stride2-pad1", "pairs", "wide-stride"])
def test_gradients(learner, reference, device, seed, case):
    expect_same(learner, reference, backward, device, *make_inputs(case, seed), seed, what="gradient")


def test_keeps_float32(learner, reference, device, seed):
    expect_same(learner, reference, forward, device, *make_inputs("basic", seed, torch.float32),
                what="float32 output", check_dtype=True)


def guarded_forward(module, x, weight, bias, stride, padding):
    # The RULE holds in every test; this one fails with its feedback whatever else the learner's code does.
    return module.conv2d(x, weight, bias, stride=stride, padding=padding)


def test_does_not_call_a_builtin_convolution(learner, reference, seed):
    expect_same(learner, reference, guarded_forward, *make_inputs("basic", seed), what="output")
