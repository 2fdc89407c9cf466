"""Check for `modules`: parameter names and shapes, forward and gradients with given weights, and counting.

The grader builds a state_dict itself (names `layers.<i>.weight` / `layers.<i>.bias`, as the stub fixes them)
and loads it into the learner's model, so the comparison does not depend on how the layers were initialised.
Everything runs in float64.
"""

import pytest
import torch

from dlquest.grader.checklib import expect_same, to_device

SIZES = {
    "deep": [4, 16, 8, 3],
    "one-layer": [5, 3],
    "equal-widths": [3, 6, 6, 6, 2],
}


def make_state(sizes, seed):
    generator = torch.Generator().manual_seed(seed + sum(sizes))
    state = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        state[f"layers.{i}.weight"] = torch.randn(n_out, n_in, generator=generator, dtype=torch.float64)
        state[f"layers.{i}.bias"] = torch.randn(n_out, generator=generator, dtype=torch.float64)
    x = torch.randn(7, sizes[0], generator=generator, dtype=torch.float64)
    upstream = torch.randn(7, sizes[-1], generator=generator, dtype=torch.float64)
    return state, x, upstream


def names_and_shapes(module, sizes):
    model = module.MLP(sizes)
    return {
        "self.layers is an nn.ModuleList": isinstance(getattr(model, "layers", None), torch.nn.ModuleList),
        "parameters": {name: list(p.shape) for name, p in model.named_parameters()},
    }


def loaded(module, device, sizes, state):
    model = module.MLP(sizes).double()
    model.load_state_dict(state)
    return model.to(device)


def forward(module, device, sizes, state, x, upstream):
    model = loaded(module, device, sizes, state)
    return model(to_device(device, x))


def gradients(module, device, sizes, state, x, upstream):
    model = loaded(module, device, sizes, state)
    out = model(to_device(device, x))
    (out * to_device(device, upstream)).sum().backward()
    return {name: (p.grad if p.grad is not None else "no gradient") for name, p in model.named_parameters()}


def count_mlp(module, sizes):
    return module.count_parameters(module.MLP(sizes))


def count_with_frozen_layer(module):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.BatchNorm1d(5), torch.nn.ReLU(),
                                torch.nn.Linear(5, 2, bias=False))
    model[0].weight.requires_grad_(False)  # frozen: 15 values that must not count
    return module.count_parameters(model)


@pytest.mark.parametrize("case", list(SIZES))
def test_parameter_names_and_shapes(learner, reference, case):
    expect_same(learner, reference, names_and_shapes, SIZES[case], what="MLP")


@pytest.mark.parametrize("case", list(SIZES))
def test_forward_with_given_weights(learner, reference, device, seed, case):
    expect_same(learner, reference, forward, device, SIZES[case], *make_state(SIZES[case], seed), what="output")


@pytest.mark.parametrize("case", ["deep", "one-layer"])
def test_gradients_with_given_weights(learner, reference, device, seed, case):
    expect_same(learner, reference, gradients, device, SIZES[case], *make_state(SIZES[case], seed),
                what="gradient")


@pytest.mark.parametrize("case", list(SIZES))
def test_count_parameters_of_an_mlp(learner, reference, case):
    expect_same(learner, reference, count_mlp, SIZES[case], what="count_parameters(MLP(sizes))")


def test_count_parameters_skips_frozen_parameters(learner, reference):
    expect_same(learner, reference, count_with_frozen_layer, what="count_parameters(model with a frozen weight)")
