"""Check for `lenet5`: names and shapes, parameter count, and outputs and gradients with the reference's weights.

The reference model is built with a fixed seed and its state_dict is loaded into the learner's model, so the
comparison does not depend on how either initialised its layers. Everything runs in float64; inputs are
scaled up so that ReLUs and max pools really choose.
"""

import pytest
import torch

from dlquest.grader.checklib import expect_same, to_device


def names_and_shapes(module, num_classes):
    model = module.LeNet5(num_classes)
    return {name: list(tensor.shape) for name, tensor in model.state_dict().items()}


def parameter_count(module, num_classes):
    return sum(p.numel() for p in module.LeNet5(num_classes).parameters())


def reference_state(module, num_classes, seed):
    torch.manual_seed(seed)
    model = module.LeNet5(num_classes).double()
    # Larger weights than the default initialisation: activations stay far from zero in every layer.
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.mul_(3.0)
    return {name: tensor.clone() for name, tensor in model.state_dict().items()}


def loaded(module, device, num_classes, state):
    model = module.LeNet5(num_classes).double()
    model.load_state_dict(state)
    return model.to(device)


def forward(module, device, num_classes, state, x):
    model = loaded(module, device, num_classes, state)
    with torch.no_grad():
        return model(to_device(device, x))


def gradients(module, device, num_classes, state, x, upstream):
    model = loaded(module, device, num_classes, state)
    out = model(to_device(device, x))
    (out * to_device(device, upstream)).sum().backward()
    return {name: (p.grad if p.grad is not None else "no gradient") for name, p in model.named_parameters()}


def inputs(seed, batch, num_classes):
    generator = torch.Generator().manual_seed(seed + batch)
    x = torch.randn(batch, 1, 28, 28, generator=generator, dtype=torch.float64) * 2
    upstream = torch.randn(batch, num_classes, generator=generator, dtype=torch.float64)
    return x, upstream


@pytest.mark.parametrize("num_classes", [10, 3])
def test_parameter_names_and_shapes(learner, reference, num_classes):
    expect_same(learner, reference, names_and_shapes, num_classes, what="state_dict names and shapes")


def test_parameter_count(learner, reference):
    expect_same(learner, reference, parameter_count, 10, what="number of parameters of LeNet5(10)")


@pytest.mark.parametrize("num_classes, batch", [(10, 4), (3, 1)])
def test_forward_with_reference_weights(learner, reference, device, seed, num_classes, batch):
    state = reference.run(reference_state, num_classes, seed)
    x, _ = inputs(seed, batch, num_classes)
    expect_same(learner, reference, forward, device, num_classes, state, x, what="output (logits)")


def test_gradients_with_reference_weights(learner, reference, device, seed):
    state = reference.run(reference_state, 10, seed)
    x, upstream = inputs(seed, 3, 10)
    expect_same(learner, reference, gradients, device, 10, state, x, upstream, what="gradient")
