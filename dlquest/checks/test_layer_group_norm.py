"""Check for `layer_group_norm`: values and gradients equal the reference (itself equal to F.layer_norm and
F.group_norm), the dtype is kept, and no built-in normalisation is called. Everything in float64, small shapes.

Inputs get a different offset and scale per channel (and per sample), so normalising over the wrong axes, or
grouping the wrong channels together, changes the result clearly.
"""

import pytest
import torch

from dlquest.grader.checklib import NORMALISATION_OPS, Rule, expect_same, to_device

# Every built-in normalisation: batch norm run on reshaped input is a layer norm, and rms_norm of centred
# input is one too.
RULE = Rule("a built-in normalisation (F.layer_norm, F.group_norm, F.batch_norm, F.instance_norm, F.rms_norm)",
            ops=[NORMALISATION_OPS], python=["torch._refs._normalize"])

# name: (shape of x, normalized_shape, affine: "both" / "weight" / "none", eps)
LAYER_CASES = {
    "int-last-axis": ((3, 4, 6), 6, "both", 1e-5),
    "two-axes": ((2, 3, 4, 5), (4, 5), "both", 0.1),
    "list-no-affine": ((2, 3, 4), [3, 4], "none", 1e-5),
}
# name: (shape of x, num_groups, affine, eps)
GROUP_CASES = {
    "three-groups": ((2, 6, 3, 3), 3, "both", 1e-5),
    "one-group-1d": ((3, 4, 5), 1, "weight", 0.1),
    "instance-no-affine": ((2, 4, 2, 3), 4, "none", 1e-5),
    "no-trailing-axes": ((5, 6), 2, "both", 1e-5),
}


def _inputs(name, shape, affine_shape, affine, seed, dtype):
    generator = torch.Generator().manual_seed(seed + sum(map(ord, name)))
    lead = (shape[0], shape[1]) + (1,) * (len(shape) - 2)
    offsets = 3 * torch.randn(lead, generator=generator, dtype=dtype)
    scales = 0.5 + 2 * torch.rand(lead, generator=generator, dtype=dtype)
    x = offsets + scales * torch.randn(shape, generator=generator, dtype=dtype)
    weight = torch.randn(affine_shape, generator=generator, dtype=dtype) if affine != "none" else None
    bias = torch.randn(affine_shape, generator=generator, dtype=dtype) if affine == "both" else None
    upstream = torch.randn(shape, generator=generator, dtype=dtype)
    return x, weight, bias, upstream


def layer_inputs(case, seed, dtype=torch.float64):
    shape, normalized_shape, affine, eps = LAYER_CASES[case]
    affine_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    x, weight, bias, upstream = _inputs(case, shape, affine_shape, affine, seed, dtype)
    return x, normalized_shape, weight, bias, eps, upstream


def group_inputs(case, seed, dtype=torch.float64):
    shape, num_groups, affine, eps = GROUP_CASES[case]
    x, weight, bias, upstream = _inputs(case, shape, (shape[1],), affine, seed, dtype)
    return x, num_groups, weight, bias, eps, upstream


def layer_forward(module, device, x, normalized_shape, weight, bias, eps, upstream):
    x, weight, bias = to_device(device, x, weight, bias)
    return module.layer_norm(x, normalized_shape, weight, bias, eps=eps)


def group_forward(module, device, x, num_groups, weight, bias, eps, upstream):
    x, weight, bias = to_device(device, x, weight, bias)
    return module.group_norm(x, num_groups, weight, bias, eps=eps)


def _gradients(function, device, x, size, weight, bias, eps, upstream):
    x, weight, bias, upstream = to_device(device, x, weight, bias, upstream)
    leaves = {"input": x.requires_grad_(True), "weight": weight.requires_grad_(True),
              "bias": bias.requires_grad_(True)}
    function(x, size, weight, bias, eps=eps).backward(upstream)
    return {name: ("no gradient" if leaf.grad is None else leaf.grad) for name, leaf in leaves.items()}


def layer_gradients(module, device, *args):
    return _gradients(module.layer_norm, device, *args)


def group_gradients(module, device, *args):
    return _gradients(module.group_norm, device, *args)


@pytest.mark.parametrize("case", list(LAYER_CASES))
def test_layer_norm_values(learner, reference, device, seed, case):
    expect_same(learner, reference, layer_forward, device, *layer_inputs(case, seed), device=device,
                what="layer_norm output")


def test_layer_norm_gradients(learner, reference, device, seed):
    expect_same(learner, reference, layer_gradients, device, *layer_inputs("two-axes", seed), device=device,
                what="layer_norm gradient")


@pytest.mark.parametrize("case", list(GROUP_CASES))
def test_group_norm_values(learner, reference, device, seed, case):
    expect_same(learner, reference, group_forward, device, *group_inputs(case, seed), device=device,
                what="group_norm output")


def test_group_norm_gradients(learner, reference, device, seed):
    expect_same(learner, reference, group_gradients, device, *group_inputs("three-groups", seed), device=device,
                what="group_norm gradient")


def both_float32(module, device, layer_args, group_args):
    return {"layer_norm": layer_forward(module, device, *layer_args),
            "group_norm": group_forward(module, device, *group_args)}


def test_keeps_float32(learner, reference, device, seed):
    expect_same(learner, reference, both_float32, device, layer_inputs("two-axes", seed, torch.float32),
                group_inputs("three-groups", seed, torch.float32), device=device, what="float32 output",
                check_dtype=True)


def guarded(module, layer_args, group_args):
    return both_float32(module, "cpu", layer_args, group_args)  # under the RULE, as every test


def test_does_not_call_a_builtin_normalisation(learner, reference, seed):
    expect_same(learner, reference, guarded, layer_inputs("two-axes", seed), group_inputs("three-groups", seed),
                what="outputs")
