"""Check for `batchnorm`: state names, training and eval outputs, gradients and running buffers.

Every model is built by the learner's class, then given a state_dict made here (random γ, β and running
statistics, with the names of nn.BatchNorm2d), so outputs do not depend on initialisation. Random running
statistics also catch a training pass that normalises with them. Values are compared in float64 (one test
uses float32, to see that the dtype is kept).
"""

import pytest
import torch

from dlquest.grader.checklib import NORMALISATION_OPS, Rule, expect_same, to_device

# Every built-in normalisation: group_norm or layer_norm over a transposed batch is a batch norm too.
RULE = Rule("a built-in normalisation (F.batch_norm, nn.BatchNorm2d, F.instance_norm, F.group_norm, …)",
            ops=[NORMALISATION_OPS], python=["torch._refs._normalize"])

# name: (input shape (N, C, H, W), eps, momentum)
CASES = {
    "basic": ((4, 3, 5, 5), 1e-5, 0.1),
    "eps-momentum": ((3, 2, 2, 3), 0.5, 0.3),
}
STEPS = 3


def make_inputs(case, seed, dtype=torch.float64):
    shape, eps, momentum = CASES[case]
    channels = shape[1]
    generator = torch.Generator().manual_seed(seed + sum(map(ord, case)))
    state = {
        "weight": torch.randn(channels, generator=generator, dtype=dtype),
        "bias": torch.randn(channels, generator=generator, dtype=dtype),
        "running_mean": torch.randn(channels, generator=generator, dtype=dtype),
        "running_var": 0.5 + 2 * torch.rand(channels, generator=generator, dtype=dtype),
        "num_batches_tracked": torch.tensor(7, dtype=torch.long),
    }
    # Per-channel offsets and scales, so that the statistics differ clearly from channel to channel.
    offsets = 3 * torch.randn(1, channels, 1, 1, generator=generator, dtype=dtype)
    scales = 0.5 + 2 * torch.rand(1, channels, 1, 1, generator=generator, dtype=dtype)
    batches = [offsets + scales * torch.randn(shape, generator=generator, dtype=dtype) for _ in range(STEPS)]
    upstream = torch.randn(shape, generator=generator, dtype=dtype)
    return channels, eps, momentum, state, batches, upstream


def build(module, device, channels, eps, momentum, state):
    model = module.BatchNorm2d(channels, eps=eps, momentum=momentum).to(state["weight"].dtype)
    model.load_state_dict(state)
    return model.to(device)


def buffers(model):
    return {"running_mean": model.running_mean, "running_var": model.running_var,
            "num_batches_tracked": int(model.num_batches_tracked),
            "buffers carry autograd history": bool(model.running_mean.requires_grad
                                                   or model.running_var.requires_grad)}


def train_forward(module, device, channels, eps, momentum, state, batches, upstream):
    model = build(module, device, channels, eps, momentum, state)
    model.train()
    return model(to_device(device, batches[0]))


def train_gradients(module, device, channels, eps, momentum, state, batches, upstream):
    model = build(module, device, channels, eps, momentum, state)
    model.train()
    x = to_device(device, batches[0]).requires_grad_(True)
    model(x).backward(to_device(device, upstream))
    grads = {"input": x.grad, "weight": model.weight.grad, "bias": model.bias.grad}
    return {name: ("no gradient" if grad is None else grad) for name, grad in grads.items()}


def running_statistics(module, device, channels, eps, momentum, state, batches, upstream):
    model = build(module, device, channels, eps, momentum, state)
    model.train()
    after = []
    for batch in batches:
        model(to_device(device, batch))
        after.append({k: (v.detach().clone() if torch.is_tensor(v) else v) for k, v in buffers(model).items()})
    return after


def eval_forward(module, device, channels, eps, momentum, state, batches, upstream):
    model = build(module, device, channels, eps, momentum, state)
    model.eval()
    x = to_device(device, batches[1]).requires_grad_(True)
    out = model(x)
    out.backward(to_device(device, upstream))
    grads = {"input": x.grad, "weight": model.weight.grad, "bias": model.bias.grad}
    return {"output": out.detach(), **{f"gradient w.r.t. {k}": ("no gradient" if g is None else g)
                                       for k, g in grads.items()},
            "buffers after the eval pass": buffers(model)}


def state_dict_into_torch(module):
    """The learner's state_dict, after a training step, loads into nn.BatchNorm2d (strict) and back."""
    try:
        model = module.BatchNorm2d(3)
        model(torch.randn(2, 3, 2, 2, generator=torch.Generator().manual_seed(0)))
        torch_bn = torch.nn.BatchNorm2d(3)
        torch_bn.load_state_dict(model.state_dict())
        model.load_state_dict(torch_bn.state_dict())
        return "loaded"
    except Exception as error:  # noqa: BLE001 - reported as data, compared with the reference's "loaded"
        return f"{type(error).__name__}: {error}"[:300]


def state_layout(module):
    model = module.BatchNorm2d(3)
    other = module.BatchNorm2d(2, eps=0.25, momentum=0.5)
    return {
        "parameters": {name: list(p.shape) for name, p in model.named_parameters()},
        "buffers": {name: list(b.shape) for name, b in model.named_buffers()},
        "initial state_dict": {k: v.tolist() for k, v in model.state_dict().items()},
        "num_batches_tracked dtype": str(model.num_batches_tracked.dtype),
        "eps, momentum": [model.eps, model.momentum],
        "eps, momentum given": [other.eps, other.momentum],
        "state_dict loads into nn.BatchNorm2d and back": state_dict_into_torch(module),
    }


def test_parameters_buffers_and_initial_values(learner, reference):
    expect_same(learner, reference, state_layout, what="BatchNorm2d(3)")


@pytest.mark.parametrize("case", ["basic", "eps-momentum"])
def test_training_output_uses_batch_statistics(learner, reference, device, seed, case):
    expect_same(learner, reference, train_forward, device, *make_inputs(case, seed), device=device,
                what="output in training mode")


@pytest.mark.parametrize("case", ["basic", "eps-momentum"])
def test_training_gradients(learner, reference, device, seed, case):
    expect_same(learner, reference, train_gradients, device, *make_inputs(case, seed), device=device,
                what="gradient in training mode")


@pytest.mark.parametrize("case", ["basic", "eps-momentum"])
def test_running_statistics_after_each_step(learner, reference, device, seed, case):
    expect_same(learner, reference, running_statistics, device, *make_inputs(case, seed), device=device,
                what="buffers after each training step")


@pytest.mark.parametrize("case", ["eps-momentum"])
def test_eval_mode_uses_running_statistics(learner, reference, device, seed, case):
    expect_same(learner, reference, eval_forward, device, *make_inputs(case, seed), device=device,
                what="eval mode")


def test_keeps_float32(learner, reference, device, seed):
    expect_same(learner, reference, train_forward, device, *make_inputs("basic", seed, torch.float32),
                device=device, what="float32 output", check_dtype=True)


def guarded(module, channels, eps, momentum, state, batches, upstream):
    # Under the RULE, as every test.
    training = build(module, "cpu", channels, eps, momentum, state)
    evaluating = build(module, "cpu", channels, eps, momentum, state).eval()
    return [training(batches[0]), evaluating(batches[1])]


def test_does_not_call_a_builtin_batch_norm(learner, reference, seed):
    expect_same(learner, reference, guarded, *make_inputs("basic", seed), what="outputs")
