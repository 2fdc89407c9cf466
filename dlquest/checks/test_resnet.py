"""Check for `resnet`: block layouts, block outputs and gradients with given weights, whole-network parameter
counts and feature-map shapes, and whole-network outputs with given weights, in train and eval mode.

Weights: the reference's state_dict names and shapes are read once (a small probe on the solution); the check
fills them with seeded random values (BatchNorm running statistics included, so that eval mode differs from
train mode) and loads exactly that state_dict into the learner's module and into the reference's. Values are
compared in float64; inputs stay small (batches of 2: 8x8 maps for the blocks, 16x16 images for whole
networks; the architecture test traces one 32x32 image in float32) to keep grading fast.
"""

import math

import pytest
import torch

from dlquest.grader.checklib import expect_same, to_device

# (block class, in_channels, out_channels, stride): every shortcut situation for each block.
BLOCK_CASES = {
    "BasicBlock": [(8, 8, 1), (8, 16, 2), (8, 16, 1), (8, 8, 2)],
    "Bottleneck": [(32, 8, 1), (8, 8, 1), (16, 8, 2), (32, 8, 2)],
}
MODELS = {
    "resnet18": ("resnet18", None, 10),
    "bottleneck-resnet-1-1-1-1": ("ResNet", "Bottleneck", 7),
}
_LAYOUTS = {}


def label(kind, case):
    in_channels, out_channels, stride = case
    return f"{kind}({in_channels}, {out_channels}, stride={stride})"


# --- probes (they run on the learner's module, then on the reference's) ------------------------------------
def state_layout(module):
    return {name: [list(t.shape), str(t.dtype).removeprefix("torch.")] for name, t in module.state_dict().items()}


def block_layouts(module, kind):
    cls = getattr(module, kind)
    return {label(kind, case): {"expansion": getattr(cls, "expansion", None),
                                "state_dict (name: shape)": {name: shape for name, (shape, _) in
                                                             state_layout(cls(*case)).items()}}
            for case in BLOCK_CASES[kind]}


def block_state_layouts(module, kind):
    cls = getattr(module, kind)
    return {label(kind, case): state_layout(cls(*case)) for case in BLOCK_CASES[kind]}


def block_forward(module, device, kind, mode, states, inputs):
    cls = getattr(module, kind)
    results = {}
    for case in BLOCK_CASES[kind]:
        name = label(kind, case)
        block = cls(*case).double()
        block.load_state_dict(states[name])
        block.to(device).train(mode == "train")
        x, upstream = to_device(device, *inputs[name])
        x = x.detach().requires_grad_(True)
        out = block(x)
        (out * upstream).sum().backward()
        results[name] = {
            "output": out.detach(),
            "gradient of the input": x.grad if x.grad is not None else "no gradient",
            "parameter gradients": {n: (p.grad if p.grad is not None else "no gradient")
                                    for n, p in block.named_parameters()},
        }
    return results


def build_model(module, model):
    factory, block, num_classes = MODELS[model]
    if block is None:
        return getattr(module, factory)(num_classes=num_classes)
    return getattr(module, factory)(getattr(module, block), [1, 1, 1, 1], num_classes=num_classes)


def model_state_layout(module, model):
    return state_layout(build_model(module, model))


def model_forward(module, device, model, mode, state, x):
    net = build_model(module, model).double()
    net.load_state_dict(state)
    net.to(device).train(mode == "train")
    with torch.no_grad():
        return net(to_device(device, x))


def architecture(module, name):
    net = getattr(module, name)(num_classes=10)

    def count(part):
        return sum(p.numel() for p in part.parameters())

    parameters = {"total": count(net), "stem (conv1 + bn1)": count(net.conv1) + count(net.bn1)}
    for layer in ("layer1", "layer2", "layer3", "layer4", "fc"):
        parameters[layer] = count(getattr(net, layer))
    shapes = {}
    for layer in ("layer1", "layer2", "layer3", "layer4"):
        def record(part, inputs, output, layer=layer):
            if layer == "layer1":
                shapes["into layer1 (after the stem)"] = list(inputs[0].shape)
            shapes[f"out of {layer}"] = list(output.shape)
        getattr(net, layer).register_forward_hook(record)
    net.eval()
    with torch.no_grad():
        shapes["output"] = list(net(torch.zeros(1, 3, 32, 32)).shape)
    return {"parameters": parameters, "feature map shapes for a 1x3x32x32 input": shapes}


# --- seeded weights in the reference's layout --------------------------------------------------------------
def fill(layout, generator):
    state = {}
    for name in sorted(layout):
        shape, dtype = layout[name]
        if dtype != "float32" and dtype != "float64":  # num_batches_tracked
            state[name] = torch.zeros(shape, dtype=getattr(torch, dtype))
        elif len(shape) == 4:  # conv weight, He-scaled so activations stay near unit size
            fan_in = math.prod(shape[1:])
            state[name] = torch.randn(shape, generator=generator, dtype=torch.float64) * math.sqrt(2.0 / fan_in)
        elif len(shape) == 2:  # fc weight
            state[name] = torch.randn(shape, generator=generator, dtype=torch.float64) / math.sqrt(shape[1])
        elif name.endswith("running_var") or name.endswith("weight"):  # positive: BN scale and variance
            state[name] = torch.rand(shape, generator=generator, dtype=torch.float64) + 0.5
        else:  # BN shift, running mean, fc bias
            state[name] = torch.randn(shape, generator=generator, dtype=torch.float64) * 0.3
    return state


def layout_of(reference, key, probe, *args):
    if key not in _LAYOUTS:
        _LAYOUTS[key] = reference.run(probe, *args)
    return _LAYOUTS[key]


def block_inputs(reference, kind, seed):
    layouts = layout_of(reference, kind, block_state_layouts, kind)
    generator = torch.Generator().manual_seed(seed + sum(map(ord, kind)))
    states, inputs = {}, {}
    for case in BLOCK_CASES[kind]:
        name = label(kind, case)
        in_channels, out_channels, stride = case
        states[name] = fill(layouts[name], generator)
        x = torch.randn(2, in_channels, 8, 8, generator=generator, dtype=torch.float64)
        wide = out_channels * (4 if kind == "Bottleneck" else 1)
        upstream = torch.randn(2, wide, 8 // stride, 8 // stride, generator=generator, dtype=torch.float64)
        inputs[name] = (x, upstream)
    return states, inputs


# --- tests -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(BLOCK_CASES))
def test_block_layout(learner, reference, kind):
    expect_same(learner, reference, block_layouts, kind, what="block")


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("kind", list(BLOCK_CASES))
def test_block_forward_and_gradients(learner, reference, device, seed, kind, mode):
    states, inputs = block_inputs(reference, kind, seed)
    expect_same(learner, reference, block_forward, device, kind, mode, states, inputs, what=f"{mode} mode")


@pytest.mark.parametrize("name", ["resnet18", "resnet34", "resnet50"])
def test_architecture(learner, reference, name):
    expect_same(learner, reference, architecture, name, what=f"{name}(num_classes=10)")


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("model", list(MODELS))
def test_whole_network_output(learner, reference, device, seed, model, mode):
    layout = layout_of(reference, model, model_state_layout, model)
    state = fill(layout, torch.Generator().manual_seed(seed + len(model)))
    x = torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    factory, block, num_classes = MODELS[model]
    what = (f"{factory}(num_classes={num_classes})" if block is None
            else f"{factory}({block}, [1, 1, 1, 1], num_classes={num_classes})") + f" output in {mode} mode"
    expect_same(learner, reference, model_forward, device, model, mode, state, x, what=what)
