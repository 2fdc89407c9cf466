import torch

from dlquest.grader.checklib import Rule, expect_same, to_device

# In the learner's process these operators cannot run at all, in any test (F.threshold(x, 0, 0) is a ReLU too).
RULE = Rule("torch.relu", ops=["aten::relu", "aten::relu_", "aten::threshold", "aten::threshold_"])


def forward(module, device, x):
    return module.relu(to_device(device, x))


def gradient(module, device, x, weights):
    x = to_device(device, x).requires_grad_(True)
    (module.relu(x) * to_device(device, weights)).sum().backward()
    return x.grad


def test_values(learner, reference, device, seed):
    x = torch.randn(3, 4, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    expect_same(learner, reference, forward, device, x, device=device, what="relu(x)", check_dtype=True)


def test_gradient(learner, reference, device, seed):
    generator = torch.Generator().manual_seed(seed)
    x, weights = torch.randn(2, 3, 4, generator=generator, dtype=torch.float64)
    expect_same(learner, reference, gradient, device, x, weights, device=device,
                what="d(sum(relu(x) * weights))/dx")


def test_does_not_call_torch_relu(learner, reference):
    # Every test runs under the RULE; this one names the promise, so a learner sees it in the list.
    expect_same(learner, reference, forward, "cpu", torch.tensor([-1.0, 0.0, 2.0]), what="relu(x)")
