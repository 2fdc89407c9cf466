"""Check for `lr_schedules`: learning-rate sequences from step_lr and reduce_on_plateau equal the reference's
(which equal torch.optim.lr_scheduler.StepLR and ReduceLROnPlateau), on metric histories built to hit each
rule of the contract: the strict `> patience`, the relative threshold, the reset after a reduction, min_lr
and eps."""

import random

import pytest

from dlquest.grader.checklib import expect_same


def step_sequence(module, base_lr, step_size, gamma, epochs):
    return [float(module.step_lr(base_lr, step_size, gamma, epoch)) for epoch in range(epochs)]


@pytest.mark.parametrize("base_lr, step_size, gamma, epochs", [
    (0.1, 30, 0.1, 100), (1.0, 3, 0.5, 12), (0.05, 1, 0.9, 8), (0.2, 7, 0.3, 22)],
    ids=["30-0.1", "3-0.5", "1-0.9", "7-0.3"])
def test_step_lr(learner, reference, base_lr, step_size, gamma, epochs):
    expect_same(learner, reference, step_sequence, base_lr, step_size, gamma, epochs,
                what=f"step_lr({base_lr}, {step_size}, {gamma}, epoch) for epoch = 0..{epochs - 1}",
                rtol=1e-9, atol=0.0)


def plateau(module, base_lr, metrics, options):
    return [float(lr) for lr in module.reduce_on_plateau(base_lr, list(metrics), **options)]


def expect_plateau(learner, reference, base_lr, metrics, options):
    shown = ", ".join(f"{key}={value}" for key, value in options.items())
    expect_same(learner, reference, plateau, base_lr, metrics, options,
                what=f"reduce_on_plateau({base_lr}, metrics, {shown}) (metrics: {metrics[:6]}...)",
                rtol=1e-9, atol=0.0)


def test_plateau_waits_more_than_patience(learner, reference):
    # One improvement, then flat: the lr drops after patience + 1 bad epochs, not after patience.
    metrics = [1.0] + [1.0] * 7
    expect_plateau(learner, reference, 0.1, metrics, {"factor": 0.5, "patience": 3})


def test_plateau_keeps_reducing(learner, reference):
    # A long flat stretch: bad_epochs restarts at 0 after each reduction.
    expect_plateau(learner, reference, 1.0, [2.0] * 20, {"factor": 0.5, "patience": 2})


def test_plateau_relative_threshold(learner, reference):
    # Improvements of one part in 10^5 are smaller than the threshold 1e-4 (relative): they do not count.
    metrics = [1.0 - 1e-5 * i for i in range(8)]
    expect_plateau(learner, reference, 0.1, metrics, {"factor": 0.1, "patience": 2})


def test_plateau_threshold_is_relative_not_absolute(learner, reference):
    # Metrics near 1000: drops of 0.01 (0.07 in all) stay below 1e-4 relative (0.1), though far above 1e-4 absolute.
    metrics = [1000.0 - 0.01 * i for i in range(8)]
    expect_plateau(learner, reference, 0.1, metrics, {"factor": 0.1, "patience": 2, "threshold": 1e-4})


def test_plateau_real_improvements_reset(learner, reference):
    metrics = [5.0, 4.0, 4.0, 4.0, 3.0, 3.0, 3.0, 3.0, 3.0, 2.0, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5]
    expect_plateau(learner, reference, 0.1, metrics, {"factor": 0.5, "patience": 3})


def test_plateau_min_lr_and_eps(learner, reference):
    # Reductions stop at min_lr; and once lr is within eps of min_lr, nothing changes any more.
    expect_plateau(learner, reference, 0.01, [1.0] * 30, {"factor": 0.1, "patience": 1, "min_lr": 2e-5})


def test_plateau_eps_ignores_tiny_changes(learner, reference):
    expect_plateau(learner, reference, 5e-8, [1.0] * 12, {"factor": 0.5, "patience": 1, "eps": 1e-8})


def test_plateau_defaults(learner, reference, seed):
    # The defaults: factor 0.1, patience 10, threshold 1e-4, min_lr 0, eps 1e-8.
    rng = random.Random(seed)
    metrics = [1.0 / (1 + i) + 0.05 * rng.random() for i in range(60)]
    expect_same(learner, reference, plateau, 0.1, metrics, {}, what="reduce_on_plateau(0.1, metrics)",
                rtol=1e-9, atol=0.0)


def test_plateau_noisy_history(learner, reference, seed):
    rng = random.Random(seed + 1)
    metrics = [round(max(2.0 * 0.9 ** i, 0.8) + rng.uniform(-0.05, 0.05), 4) for i in range(50)]
    expect_plateau(learner, reference, 0.5, metrics, {"factor": 0.3, "patience": 4, "threshold": 0.01})


def test_plateau_integer_metrics(learner, reference):
    expect_plateau(learner, reference, 1.0, [9, 8, 8, 8, 7, 7, 7, 7], {"factor": 0.5, "patience": 2})
