"""Check for `optimizers`: k steps of the learner's SGD and Adam on a small model give the same parameters and
losses as the reference (itself equal to torch.optim.SGD / torch.optim.Adam), in float64. Each setting the
docstring names (momentum, its first step, weight decay, betas, eps, the defaults) has its own test."""

import pytest
import torch

from dlquest.grader.checklib import Rule, expect_same, to_device

# Every optimizer of torch.optim (plain Python: each function and class of these modules is replaced; the base
# class torch.optim.Optimizer stays), and the fused and foreach kernels they run on.
RULE = Rule(
    "torch.optim",
    ops=[r"aten::_fused_(sgd|adam|adamw|adagrad)_?",
         r"aten::_foreach_(add|sub|mul|div|addcmul|addcdiv|lerp|sqrt|rsqrt|maximum|neg|pow|reciprocal|copy|sign"
         r"|clamp_min|clamp_max|norm|zero)_?"],
    python=[f"torch.optim.{name}" for name in ("sgd", "adam", "adamw", "adamax", "adagrad", "adadelta", "asgd",
                                                "nadam", "radam", "rmsprop", "rprop", "sparse_adam", "lbfgs",
                                                "_adafactor", "_muon")],
)


def problem(seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(8, 3, generator=g, dtype=torch.float64)
    Y = torch.randn(8, 2, generator=g, dtype=torch.float64)
    W = torch.randn(3, 2, generator=g, dtype=torch.float64) * 0.5
    b = torch.randn(2, generator=g, dtype=torch.float64) * 0.1
    return X, Y, W, b


def train(module, device, name, options, steps, X, Y, W, b, with_unused=False, intermittent=False):
    X, Y, W, b = to_device(device, X, Y, W, b)
    W = W.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    params = [W, b]
    if with_unused:  # never takes part in the loss: its .grad stays None
        params.append(torch.ones(2, dtype=torch.float64, device=device, requires_grad=True))
    if intermittent:  # takes part in the loss on even steps only: on odd steps its .grad is None
        params.append(torch.tensor([1.0, -2.0], dtype=torch.float64, device=device, requires_grad=True))
    optimizer = getattr(module, name)((p for p in params), **options)
    losses = []
    for step in range(steps):
        optimizer.zero_grad()
        loss = ((torch.tanh(X @ W + b) - Y) ** 2).mean()
        if intermittent and step % 2 == 0:
            loss = loss + 0.1 * (params[-1] ** 2).sum()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return {"parameters": [p.detach().clone() for p in params], "losses": losses}


def steps(learner, reference, device, seed, name, options, k, **extra):
    expect_same(learner, reference, train, device, name, options, k, *problem(seed), **extra,
                what=f"after {k} step(s) of {name}({', '.join(f'{key}={v}' for key, v in options.items())})")


# --- SGD ---------------------------------------------------------------------------------------------------
def test_sgd_plain(learner, reference, device, seed):
    steps(learner, reference, device, seed, "SGD", {"lr": 0.1}, 4)


def test_sgd_first_momentum_step(learner, reference, device, seed):
    steps(learner, reference, device, seed, "SGD", {"lr": 0.1, "momentum": 0.9}, 1)


@pytest.mark.parametrize("momentum", [0.9, 0.5])
def test_sgd_momentum(learner, reference, device, seed, momentum):
    steps(learner, reference, device, seed, "SGD", {"lr": 0.05, "momentum": momentum}, 6)


def test_sgd_weight_decay(learner, reference, device, seed):
    steps(learner, reference, device, seed, "SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1}, 5)


def test_sgd_skips_parameters_without_gradient(learner, reference, device, seed):
    steps(learner, reference, device, seed, "SGD", {"lr": 0.05, "momentum": 0.9}, 3, with_unused=True)


# --- Adam --------------------------------------------------------------------------------------------------
def test_adam_first_step(learner, reference, device, seed):
    steps(learner, reference, device, seed, "Adam", {"lr": 0.1}, 1)


def test_adam_steps(learner, reference, device, seed):
    steps(learner, reference, device, seed, "Adam", {"lr": 0.05}, 8)


def test_adam_defaults(learner, reference, device, seed):
    steps(learner, reference, device, seed, "Adam", {}, 5)


def test_adam_betas(learner, reference, device, seed):
    steps(learner, reference, device, seed, "Adam", {"lr": 0.05, "betas": (0.5, 0.9)}, 6)


def test_adam_eps_after_the_square_root(learner, reference, device, seed):
    # A large eps makes its place in the formula visible.
    steps(learner, reference, device, seed, "Adam", {"lr": 0.05, "eps": 0.1}, 4)


def test_adam_weight_decay(learner, reference, device, seed):
    steps(learner, reference, device, seed, "Adam", {"lr": 0.05, "weight_decay": 0.1}, 5)


def test_adam_skips_parameters_without_gradient(learner, reference, device, seed):
    steps(learner, reference, device, seed, "Adam", {"lr": 0.05}, 3, with_unused=True)


@pytest.mark.parametrize("name, options", [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.05})],
                         ids=["SGD", "Adam"])
def test_state_only_moves_with_a_gradient(learner, reference, device, seed, name, options):
    # One parameter has a gradient on every other step only: its momentum buffer, moments and step count t
    # change only on the steps where it has one.
    steps(learner, reference, device, seed, name, options, 6, intermittent=True)


# --- zero_grad and no torch.optim --------------------------------------------------------------------------
def cleared(module, name):
    W = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
    (W ** 2).sum().backward()
    optimizer = getattr(module, name)([W], lr=0.1)
    optimizer.zero_grad()
    return "cleared" if W.grad is None or not W.grad.any() else "still holds the old gradient"


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_zero_grad(learner, reference, name):
    expect_same(learner, reference, cleared, name, what=f"{name}.zero_grad(), then .grad")


def guarded(module, name, options, X, Y, W, b):
    return train(module, "cpu", name, options, 2, X, Y, W, b)  # under the RULE, as every test


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_does_not_use_torch_optim(learner, reference, seed, name):
    expect_same(learner, reference, guarded, name, {"lr": 0.1, "momentum": 0.9} if name == "SGD" else {"lr": 0.1},
                *problem(seed), what=f"{name} steps")
