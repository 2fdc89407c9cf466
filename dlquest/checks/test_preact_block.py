"""Check for `preact_block`: layout, outputs and gradients with given weights, in train and eval mode.

The reference's state_dict names and shapes are read once (a small probe on the solution); the check fills
them with seeded random values (BatchNorm running statistics included, so that eval mode differs from train
mode) and loads exactly that state_dict into the learner's block and into the reference's. Everything runs in
float64 on small inputs. The cases cover the identity path (shape kept) and the projection (more channels,
a stride, or both).
"""

import pytest
import torch

from dlquest.grader.checklib import expect_same, to_device

CASES = [(8, 8, 1), (4, 8, 1), (4, 8, 2), (6, 6, 2)]  # (in_channels, out_channels, stride)
_LAYOUT = {}


def label(case):
    in_channels, out_channels, stride = case
    return f"PreActBlock({in_channels}, {out_channels}, stride={stride})"


# --- probes ------------------------------------------------------------------------------------------------
def layouts(module):
    return {label(case): {name: [list(t.shape), str(t.dtype).removeprefix("torch.")]
                          for name, t in module.PreActBlock(*case).state_dict().items()} for case in CASES}


def shapes(module):
    return {label(case): {name: list(t.shape) for name, t in module.PreActBlock(*case).state_dict().items()}
            for case in CASES}


def loaded(module, device, case, state, mode):
    block = module.PreActBlock(*case).double()
    block.load_state_dict(state)
    return block.to(device).train(mode == "train")


def forward(module, device, mode, states, inputs):
    results = {}
    for case in CASES:
        block = loaded(module, device, case, states[label(case)], mode)
        x, _ = to_device(device, *inputs[label(case)])
        with torch.no_grad():
            results[label(case)] = block(x)
    return results


def gradients(module, device, mode, states, inputs):
    results = {}
    for case in CASES:
        block = loaded(module, device, case, states[label(case)], mode)
        x, upstream = to_device(device, *inputs[label(case)])
        x = x.detach().requires_grad_(True)
        (block(x) * upstream).sum().backward()
        results[label(case)] = {
            "gradient of the input": x.grad if x.grad is not None else "no gradient",
            "parameter gradients": {n: (p.grad if p.grad is not None else "no gradient")
                                    for n, p in block.named_parameters()},
        }
    return results


# --- seeded weights in the reference's layout --------------------------------------------------------------
def fill(layout, generator):
    state = {}
    for name in sorted(layout):
        shape, dtype = layout[name]
        if dtype not in ("float32", "float64"):  # num_batches_tracked
            state[name] = torch.zeros(shape, dtype=getattr(torch, dtype))
        elif len(shape) == 4:  # conv weight, He-scaled
            fan_in = shape[1] * shape[2] * shape[3]
            state[name] = torch.randn(shape, generator=generator, dtype=torch.float64) * (2.0 / fan_in) ** 0.5
        elif name.endswith("running_var") or name.endswith("weight"):  # BN scale and variance: positive
            state[name] = torch.rand(shape, generator=generator, dtype=torch.float64) + 0.5
        else:  # BN shift and running mean
            state[name] = torch.randn(shape, generator=generator, dtype=torch.float64) * 0.3
    return state


def make_inputs(reference, seed):
    if "layouts" not in _LAYOUT:
        _LAYOUT["layouts"] = reference.run(layouts)
    generator = torch.Generator().manual_seed(seed)
    states, inputs = {}, {}
    for case in CASES:
        in_channels, out_channels, stride = case
        states[label(case)] = fill(_LAYOUT["layouts"][label(case)], generator)
        x = torch.randn(2, in_channels, 6, 6, generator=generator, dtype=torch.float64)
        upstream = torch.randn(2, out_channels, 6 // stride, 6 // stride, generator=generator, dtype=torch.float64)
        inputs[label(case)] = (x, upstream)
    return states, inputs


# --- tests -------------------------------------------------------------------------------------------------
def test_layout(learner, reference):
    expect_same(learner, reference, shapes, what="state_dict (name: shape)")


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_output(learner, reference, device, seed, mode):
    expect_same(learner, reference, forward, device, mode, *make_inputs(reference, seed), what=f"{mode} mode")


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_gradients(learner, reference, device, seed, mode):
    expect_same(learner, reference, gradients, device, mode, *make_inputs(reference, seed),
                what=f"{mode} mode")
