"""Check for `vgg_blocks`: layer types, state_dict names and shapes, parameter counts, and outputs and
gradients with the reference's weights loaded into the learner's model.

The reference model is built with a fixed seed; its batch-norm statistics are made non-trivial, so that
evaluation mode differs from training mode. Everything runs in float64 on small images.
"""

import pytest
import torch

from dlquest.grader.checklib import expect_same, to_device

CONFIGS = {
    "one-block": ([8, "M"], 3),
    "vgg-like": ([8, 8, "M", 16, "M", 16, 16, "M"], 3),
    "ends-with-conv": ([4, "M", 6, 6], 1),
    "starts-with-pool": (["M", 5, "M", 7], 2),
}
# (config, in_channels, batch_norm, num_classes, height, width)
MODELS = {
    "plain": (*CONFIGS["vgg-like"], False, 5, 16, 16),
    "batch-norm": (*CONFIGS["vgg-like"], True, 4, 16, 12),
    "ends-with-conv-bn": (*CONFIGS["ends-with-conv"], True, 3, 9, 11),
}


def layer_types(module, config, in_channels, batch_norm):
    features = module.make_vgg_features(config, in_channels, batch_norm)
    return {
        "is an nn.Sequential": isinstance(features, torch.nn.Sequential),
        "layer types": [type(layer).__name__ for layer in features],
    }


def _pair(value):
    return [int(v) for v in value] if isinstance(value, (tuple, list)) else [int(value), int(value)]


def layer_settings(module, config, in_channels, batch_norm):
    settings = []
    for layer in module.make_vgg_features(config, in_channels, batch_norm):
        if isinstance(layer, torch.nn.Conv2d):
            settings.append({"kernel": list(layer.kernel_size), "stride": list(layer.stride),
                             "padding": list(layer.padding), "channels": [layer.in_channels, layer.out_channels]})
        elif isinstance(layer, torch.nn.MaxPool2d):
            settings.append({"kernel": _pair(layer.kernel_size), "stride": _pair(layer.stride),
                             "padding": _pair(layer.padding)})
    return settings


def features_state(module, config, in_channels, batch_norm):
    features = module.make_vgg_features(config, in_channels, batch_norm)
    return {name: list(tensor.shape) for name, tensor in features.state_dict().items()}


def model_state(module, config, in_channels, batch_norm, num_classes):
    model = module.TinyVGG(config, num_classes, in_channels, batch_norm)
    return {
        "state_dict": {name: list(tensor.shape) for name, tensor in model.state_dict().items()},
        "parameter count": sum(p.numel() for p in model.parameters()),
    }


def reference_state(module, config, in_channels, batch_norm, num_classes, seed):
    torch.manual_seed(seed)
    model = module.TinyVGG(config, num_classes, in_channels, batch_norm).double()
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if name.endswith("running_mean"):
                tensor.normal_(0.0, 0.5)
            elif name.endswith("running_var"):
                tensor.uniform_(0.5, 2.0)
            elif tensor.is_floating_point() and tensor.dim() == 1 and "classifier" not in name:
                tensor.add_(torch.randn_like(tensor) * 0.3)  # biases and batch-norm affine parameters
    return {name: tensor.clone() for name, tensor in model.state_dict().items()}


def run_model(module, device, config, in_channels, batch_norm, num_classes, state, x, upstream):
    results = {}
    for mode, train in (("training mode", True), ("evaluation mode", False)):
        model = module.TinyVGG(config, num_classes, in_channels, batch_norm).double()
        model.load_state_dict(state)
        model = model.to(device).train(train)
        inputs = to_device(device, x).clone().requires_grad_(True)
        out = model(inputs)
        (out * to_device(device, upstream)).sum().backward()
        grads = {name: (p.grad if p.grad is not None else "no gradient") for name, p in model.named_parameters()}
        results[mode] = {"output": out.detach(), "input gradient": inputs.grad, "parameter gradients": grads}
    return results


def model_inputs(case, seed):
    config, in_channels, batch_norm, num_classes, height, width = MODELS[case]
    generator = torch.Generator().manual_seed(seed + sum(map(ord, case)))
    x = torch.randn(3, in_channels, height, width, generator=generator, dtype=torch.float64)
    upstream = torch.randn(3, num_classes, generator=generator, dtype=torch.float64)
    return x, upstream


def for_every_config(probe):
    def run(module, batch_norm):
        return {case: probe(module, config, in_channels, batch_norm) for case, (config, in_channels) in CONFIGS.items()}

    return run


all_layer_types = for_every_config(layer_types)
all_features_states = for_every_config(features_state)


def all_model_states(module):
    return {case: model_state(module, *MODELS[case][:4]) for case in MODELS}


@pytest.mark.parametrize("batch_norm", [False, True], ids=["plain", "batch-norm"])
def test_layer_types(learner, reference, batch_norm):
    expect_same(learner, reference, all_layer_types, batch_norm, what="make_vgg_features(config)")


def test_layer_settings(learner, reference):
    config, in_channels = CONFIGS["vgg-like"]
    expect_same(learner, reference, layer_settings, config, in_channels, False, what="Conv2d and MaxPool2d settings")


@pytest.mark.parametrize("batch_norm", [False, True], ids=["plain", "batch-norm"])
def test_features_state_dict(learner, reference, batch_norm):
    expect_same(learner, reference, all_features_states, batch_norm,
                what="state_dict names and shapes of make_vgg_features(config)")


def test_tiny_vgg_state_dict_and_parameter_count(learner, reference):
    expect_same(learner, reference, all_model_states, what="TinyVGG")


@pytest.mark.parametrize("case", list(MODELS))
def test_outputs_and_gradients_with_reference_weights(learner, reference, device, seed, case):
    config, in_channels, batch_norm, num_classes, _, _ = MODELS[case]
    state = reference.run(reference_state, config, in_channels, batch_norm, num_classes, seed)
    expect_same(learner, reference, run_model, device, config, in_channels, batch_norm, num_classes, state,
                *model_inputs(case, seed), what="TinyVGG with the reference's weights")
