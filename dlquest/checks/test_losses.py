"""Check for `losses`: values and gradients of MSE, BCE (with its log clamp at -100) and cross-entropy (stable
for huge logits), compared in float64 with the reference, which equals PyTorch's own losses."""

import pytest
import torch

from dlquest.grader.checklib import LOSS_OPS, Rule, expect_same, to_device

# Every built-in loss (huber_loss with a huge delta is an MSE; kl_div of one-hot targets a negative log
# likelihood), log_softmax, logsumexp and logcumsumexp (whose last element is a logsumexp); and the losses
# written in Python out of permitted operators (gaussian_nll_loss with unit variance is half an MSE,
# multilabel_soft_margin_loss a binary cross-entropy on logits).
RULE = Rule("a built-in loss, log_softmax or logsumexp", ops=[LOSS_OPS, r"aten::kl_div\w*"],
            python=["torch.nn.functional.gaussian_nll_loss", "torch.nn.functional.multilabel_soft_margin_loss"])


def generator(seed, salt):
    return torch.Generator().manual_seed(seed * 1000 + salt)


def value(module, device, name, a, b):
    a, b = to_device(device, a, b)
    return getattr(module, name)(a, b)


def gradient(module, device, name, a, b):
    a, b = to_device(device, a, b)
    a = a.detach().requires_grad_(True)
    loss = getattr(module, name)(a, b)
    if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
        return "a loss that autograd cannot differentiate"
    loss.backward()
    return a.grad if a.grad is not None else "no gradient"


def regression(seed, shape=(4, 3)):
    g = generator(seed, 1)
    return torch.randn(shape, generator=g, dtype=torch.float64), torch.randn(shape, generator=g, dtype=torch.float64)


def probabilities(seed, shape=(3, 5), soft=False):
    g = generator(seed, 2)
    prob = torch.rand(shape, generator=g, dtype=torch.float64) * 0.9 + 0.05
    target = torch.rand(shape, generator=g, dtype=torch.float64) if soft else \
        torch.randint(0, 2, shape, generator=g).to(torch.float64)
    return prob, target


def classification(seed, n=6, classes=4, scale=3.0):
    g = generator(seed, 3)
    logits = torch.randn(n, classes, generator=g, dtype=torch.float64) * scale
    return logits, torch.randint(0, classes, (n,), generator=g)


# --- MSE ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 3), (7,)], ids=["4x3", "7"])
def test_mse_value(learner, reference, device, seed, shape):
    expect_same(learner, reference, value, device, "mse_loss", *regression(seed, shape), what="mse_loss")


def test_mse_gradient(learner, reference, device, seed):
    expect_same(learner, reference, gradient, device, "mse_loss", *regression(seed), what="gradient of mse_loss")


# --- binary cross-entropy ----------------------------------------------------------------------------------
@pytest.mark.parametrize("soft", [False, True], ids=["hard-targets", "soft-targets"])
def test_bce_value(learner, reference, device, seed, soft):
    expect_same(learner, reference, value, device, "binary_cross_entropy", *probabilities(seed, soft=soft),
                what="binary_cross_entropy")


def test_bce_gradient(learner, reference, device, seed):
    expect_same(learner, reference, gradient, device, "binary_cross_entropy", *probabilities(seed, soft=True),
                what="gradient of binary_cross_entropy")


def test_bce_clamps_the_logs_at_minus_100(learner, reference, device):
    # Certain and right (costs 0), certain and wrong (costs 100 each), and one ordinary sample.
    prob = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.3], dtype=torch.float64)
    target = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0], dtype=torch.float64)
    expect_same(learner, reference, value, device, "binary_cross_entropy", prob, target,
                what="binary_cross_entropy for prob = [0, 1, 0, 1, 0.3], target = [0, 1, 1, 0, 1]")


def test_bce_tiny_probabilities(learner, reference, device):
    # log(1e-30) ≈ -69 is not clamped; log(1e-50) ≈ -115 is.
    prob = torch.tensor([1e-30, 1e-50, 1 - 1e-12], dtype=torch.float64)
    target = torch.tensor([1.0, 1.0, 0.0], dtype=torch.float64)
    expect_same(learner, reference, value, device, "binary_cross_entropy", prob, target,
                what="binary_cross_entropy for prob = [1e-30, 1e-50, 1 - 1e-12]")


# --- cross-entropy -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(6, 4), (1, 3), (5, 2)], ids=["6x4", "1x3", "5x2"])
def test_ce_value(learner, reference, device, seed, size):
    expect_same(learner, reference, value, device, "cross_entropy", *classification(seed, *size),
                what="cross_entropy")


def test_ce_gradient(learner, reference, device, seed):
    expect_same(learner, reference, gradient, device, "cross_entropy", *classification(seed),
                what="gradient of cross_entropy")


def huge_logits():
    logits = torch.tensor([[1000.0, 0.0, -1000.0],
                           [-1000.0, 1000.0, 999.0],
                           [-1000.0, -1000.0, -999.0],
                           [1000.0, 1000.0, 1000.0]], dtype=torch.float64)
    return logits, torch.tensor([2, 2, 0, 1])  # row 0: the target is 2000 below the best class


def test_ce_stable_for_huge_logits(learner, reference, device):
    expect_same(learner, reference, value, device, "cross_entropy", *huge_logits(),
                what="cross_entropy for logits of ±1000")


def test_ce_gradient_for_huge_logits(learner, reference, device):
    expect_same(learner, reference, gradient, device, "cross_entropy", *huge_logits(),
                what="gradient of cross_entropy for logits of ±1000")


# --- no built-in losses ------------------------------------------------------------------------------------
def guarded(module, name, a, b):
    return getattr(module, name)(a, b)  # under the RULE, as every test


@pytest.mark.parametrize("name", ["mse_loss", "binary_cross_entropy", "cross_entropy"])
def test_does_not_call_builtin_losses(learner, reference, seed, name):
    args = {"mse_loss": regression, "binary_cross_entropy": probabilities, "cross_entropy": classification}[name]
    expect_same(learner, reference, guarded, name, *args(seed), what=name)


def test_keeps_float32(learner, reference, device, seed):
    logits, target = classification(seed)
    expect_same(learner, reference, value, device, "cross_entropy", logits.float(), target,
                what="cross_entropy of float32 logits", check_dtype=True)
