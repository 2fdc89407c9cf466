"""Check for `mixup`: the mixed batch, the two label sets and the mixed loss equal the reference's, with
gradients. Inputs are float64 so the comparison can be tight; λ and the permutation are given.
"""

import pytest
import torch
import torch.nn.functional as F

from dlquest.grader.checklib import expect_same, to_device

# name: (input shape, lam)
BATCH_CASES = {
    "images": ((6, 2, 3, 3), 0.3),
    "vectors": ((5, 4), 0.85),
    "lam-one": ((4, 3), 1.0),
    "lam-zero": ((4, 3), 0.0),
}


def make_batch(shape, seed, num_classes=4):
    generator = torch.Generator().manual_seed(seed + sum(shape))
    x = torch.randn(shape, generator=generator, dtype=torch.float64)
    y = torch.randint(0, num_classes, (shape[0],), generator=generator)
    perm = torch.randperm(shape[0], generator=generator)
    if torch.equal(perm, torch.arange(shape[0])):  # a permutation that moves nothing would hide mistakes
        perm = perm.roll(1)
    return x, y, perm


def mixed(module, device, x, y, lam, perm):
    x, y, perm = to_device(device, x, y, perm)
    mixed_x, y_a, y_b = module.mixup_batch(x, y, lam, perm)
    return {"mixed_x": mixed_x, "y_a": y_a, "y_b": y_b}


@pytest.mark.parametrize("case", list(BATCH_CASES))
def test_mixup_batch(learner, reference, device, seed, case):
    shape, lam = BATCH_CASES[case]
    x, y, perm = make_batch(shape, seed)
    expect_same(learner, reference, mixed, device, x, y, lam, perm, what=f"mixup_batch(x, y, lam={lam}, perm)",
                check_dtype=True)


def mixed_gradient(module, device, x, y, lam, perm, seed):
    x, y, perm = to_device(device, x, y, perm)
    x = x.detach().requires_grad_(True)
    mixed_x, _, _ = module.mixup_batch(x, y, lam, perm)
    if not mixed_x.requires_grad:
        return {"gradient of x": "no gradient: mixed_x is not connected to x"}
    upstream = torch.randn(mixed_x.shape, generator=torch.Generator().manual_seed(seed), dtype=mixed_x.dtype)
    mixed_x.backward(upstream.to(mixed_x.device))
    return {"gradient of x": x.grad if x.grad is not None else "no gradient"}


@pytest.mark.parametrize("case", ["images", "vectors"])
def test_mixup_batch_gradient(learner, reference, device, seed, case):
    shape, lam = BATCH_CASES[case]
    x, y, perm = make_batch(shape, seed)
    expect_same(learner, reference, mixed_gradient, device, x, y, lam, perm, seed,
                what="gradient of mixed_x with respect to x")


def inputs_after_the_call(module, x, y, lam, perm):
    module.mixup_batch(x, y, lam, perm)
    return {"x after the call": x, "y after the call": y}


def test_mixup_batch_leaves_its_inputs_alone(learner, reference, seed):
    x, y, perm = make_batch((5, 3), seed)
    expect_same(learner, reference, inputs_after_the_call, x, y, 0.4, perm, what="the inputs (they must not change)")


def _loss_function(name):
    if name == "cross_entropy":
        return F.cross_entropy
    if name == "per_sample":
        return torch.nn.CrossEntropyLoss(reduction="none")
    # Not symmetric in its arguments and not a built-in: (score of the target class − 1)², averaged.
    return lambda pred, target: ((pred.gather(1, target[:, None]).squeeze(1) - 1.0) ** 2).mean()


def mixed_loss(module, device, pred, y_a, y_b, lam, loss_name):
    pred, y_a, y_b = to_device(device, pred, y_a, y_b)
    pred = pred.detach().requires_grad_(True)
    loss = module.mixup_loss(_loss_function(loss_name), pred, y_a, y_b, lam)
    if not loss.requires_grad:
        return {"loss": loss.detach(), "gradient of pred": "no gradient: the loss is not connected to pred"}
    loss.sum().backward()
    return {"loss": loss, "gradient of pred": pred.grad if pred.grad is not None else "no gradient"}


@pytest.mark.parametrize("loss_name", ["cross_entropy", "per_sample", "custom"])
def test_mixup_loss(learner, reference, device, seed, loss_name):
    generator = torch.Generator().manual_seed(seed + len(loss_name))
    pred = torch.randn(6, 4, generator=generator, dtype=torch.float64)
    y_a = torch.randint(0, 4, (6,), generator=generator)
    y_b = y_a[torch.tensor([3, 0, 5, 1, 2, 4])]
    expect_same(learner, reference, mixed_loss, device, pred, y_a, y_b, 0.35, loss_name,
                what=f"mixup_loss({loss_name}, pred, y_a, y_b, lam=0.35)")


def one_training_step(module, device, x, y, lam, perm, seed):
    """mixup_batch and mixup_loss together, as a training loop uses them: the gradient of a linear model."""
    x, y, perm = to_device(device, x, y, perm)
    generator = torch.Generator().manual_seed(seed)
    weight = torch.randn(x.shape[1], 4, generator=generator, dtype=x.dtype).to(x.device).requires_grad_(True)
    mixed_x, y_a, y_b = module.mixup_batch(x, y, lam, perm)
    loss = module.mixup_loss(F.cross_entropy, mixed_x @ weight, y_a, y_b, lam)
    loss.backward()
    return {"loss": loss, "gradient of the weights": weight.grad if weight.grad is not None else "no gradient"}


def test_training_step(learner, reference, device, seed):
    x, y, perm = make_batch((8, 5), seed)
    expect_same(learner, reference, one_training_step, device, x, y, 0.6, perm, seed,
                what="one mixup training step of a linear model")
