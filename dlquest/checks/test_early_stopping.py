"""Check for `early_stopping`: when it stops, which epoch it keeps, and that the weights it restores are a copy.

Every probe feeds a scripted validation curve (so the right answer is known epoch by epoch) to a small float64
model whose every tensor, buffers included, is changed in place before each `step`, as an optimizer and
batch norm change them. A state saved without copying follows those changes, so it restores the last
weights instead of the best: the restored weights are compared bit for bit (atol = rtol = 0) with the
reference's, which are the best epoch's. The curves use values exact in binary (0.75, 0.625, …), so that
`value < best - min_delta` and `best - value > min_delta` agree exactly at the boundary.
"""

import pytest
import torch

from dlquest.grader.checklib import expect_same

EXACT = {"rtol": 0.0, "atol": 0.0}


def build(device, seed):
    torch.manual_seed(seed)
    layers = (torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2))
    return torch.nn.Sequential(*layers).double().to(device)


def train_in_place(model, generator):
    """One "epoch": every tensor of the state moves in place, as optimizer.step() and batch norm move them."""
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.add_(torch.randn(tensor.shape, generator=generator, dtype=tensor.dtype).to(tensor.device))
            else:
                tensor.add_(1)  # num_batches_tracked


def weights(model):
    return {name: tensor.detach().cpu().clone() for name, tensor in model.state_dict().items()}


def plain(value):
    """A step's answer or a best value as plain data (a bool, an int, a float; anything else as its repr)."""
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    if hasattr(value, "item") and getattr(value, "numel", lambda: 1)() == 1:
        return value.item()
    return repr(value)


def run_curve(module, device, seed, curve, patience, min_delta, mode, epochs_after=0, restores=0):
    """Step through `curve` until `step` says stop; optionally train on, restoring after each extra epoch."""
    model, generator = build(device, seed), torch.Generator().manual_seed(seed)
    stopper = module.EarlyStopping(patience, min_delta=min_delta, mode=mode)
    answers = []
    for value in curve:
        train_in_place(model, generator)
        answers.append(plain(stopper.step(value, model)))
        if answers[-1] is True:
            break
    # One line, epoch by epoch, reads at a glance where a stop came too early or too late.
    result = {"step returned, epoch by epoch": ", ".join(map(str, answers)),
              "best_epoch": plain(stopper.best_epoch), "best": plain(stopper.best)}
    for restore in range(restores):
        for _ in range(epochs_after):
            train_in_place(model, generator)
        stopper.restore(model)
        result[f"weights after restore() number {restore + 1}"] = weights(model)
    return result


def before_any_step(module):
    stopper = module.EarlyStopping(3)
    return {"best": plain(stopper.best), "best_epoch": plain(stopper.best_epoch)}


def fit(module, device, seed, curve, max_epochs, patience, mode):
    model, generator = build(device, seed), torch.Generator().manual_seed(seed)
    calls = {"train_step": 0, "evaluate": 0}

    def train_step(trained):
        calls["train_step"] += 1
        train_in_place(trained, generator)

    def evaluate(evaluated):
        calls["evaluate"] += 1
        return curve[min(calls["evaluate"], len(curve)) - 1]  # past the end: the counts tell what went wrong

    best_epoch, history = module.fit_with_early_stopping(model, train_step, evaluate, max_epochs, patience,
                                                         mode=mode)
    return {"best_epoch": plain(best_epoch), "history": [plain(v) for v in history],
            "calls of train_step": calls["train_step"], "calls of evaluate": calls["evaluate"],
            "model weights after fit_with_early_stopping": weights(model)}


# (curve, patience): the docstring's example; an improvement that resets the count; patience 1.
PATIENCE_CURVES = {
    "docstring": ([1.0, 0.8, 0.9, 0.85, 0.7, 0.6], 2),
    "count-resets": ([1.0, 0.875, 0.9375, 0.75, 0.8125, 0.78125, 0.765625, 0.5, 0.25], 3),
    "patience-1": ([0.5, 0.375, 0.4375, 0.25], 1),
}


@pytest.mark.parametrize("name", list(PATIENCE_CURVES))
def test_stops_after_patience_bad_epochs_in_a_row(learner, reference, device, seed, name):
    curve, patience = PATIENCE_CURVES[name]
    expect_same(learner, reference, run_curve, device, seed, curve, patience, 0.0, "min",
                what=f"EarlyStopping(patience={patience}) fed {curve}")


def test_nothing_is_best_before_the_first_step(learner, reference):
    expect_same(learner, reference, before_any_step, what="EarlyStopping(3) before any step")


@pytest.mark.parametrize("mode, curve", [("min", [1.0, 0.5, 0.5, 0.5, 0.25]), ("max", [0.5, 0.75, 0.75, 0.75, 1.0])])
def test_an_equal_value_is_not_an_improvement(learner, reference, device, seed, mode, curve):
    expect_same(learner, reference, run_curve, device, seed, curve, 2, 0.0, mode,
                what=f"EarlyStopping(patience=2, mode={mode!r}) fed {curve}")


MIN_DELTA_CURVE = [1.0, 0.75, 0.625, 0.5, 0.25, 0.125, 0.0, -0.5, -0.5, -0.625, -0.5, -2.0]


@pytest.mark.parametrize("mode", ["min", "max"])
def test_an_improvement_must_beat_the_best_by_more_than_min_delta(learner, reference, device, seed, mode):
    # 0.75 after 1.0 is better by exactly min_delta = 0.25: not an improvement. Mode "max" sees the curve negated.
    curve = MIN_DELTA_CURVE if mode == "min" else [-v for v in MIN_DELTA_CURVE]
    expect_same(learner, reference, run_curve, device, seed, curve, 3, 0.25, mode,
                what=f"EarlyStopping(patience=3, min_delta=0.25, mode={mode!r}) fed {curve}")


def test_mode_max_keeps_the_highest_value(learner, reference, device, seed):
    curve = [0.5, 0.625, 0.75, 0.75, 0.6875, 0.8125, 0.8, 0.78125, 0.8125, 0.9]
    expect_same(learner, reference, run_curve, device, seed, curve, 3, 0.0, "max",
                what=f"EarlyStopping(patience=3, mode='max') fed accuracies {curve}")


def test_restore_brings_back_the_best_epochs_weights_bit_for_bit(learner, reference, device, seed):
    curve = [1.0, 0.5, 0.75, 0.625, 0.875, 0.25]
    expect_same(learner, reference, run_curve, device, seed, curve, 3, 0.0, "min", 0, 1,
                what=f"EarlyStopping(patience=3) fed {curve}, then restore()", **EXACT)


def test_the_saved_state_is_a_copy_that_later_training_leaves_alone(learner, reference, device, seed):
    # The best is epoch 0; four more epochs train the model in place before it stops, two more before each of
    # two restores: only a saved copy still holds epoch 0's weights at the end.
    curve = [0.5, 0.75, 0.625, 0.5, 0.5, 0.25]
    expect_same(learner, reference, run_curve, device, seed, curve, 4, 0.0, "min", 2, 2,
                what=f"EarlyStopping(patience=4) fed {curve}, then training and restore(), twice", **EXACT)


# (curve, max_epochs, patience, mode): stops early; runs out of epochs with the best in the middle; mode "max".
FIT_CASES = {
    "stops-early": ([1.0, 0.75, 0.5, 0.625, 0.5625, 0.75, 0.25, 0.125], 8, 3, "min"),
    "runs-all-epochs": ([1.0, 0.75, 0.5, 0.625, 0.5625, 0.75, 0.25], 6, 4, "min"),
    "accuracy": ([0.25, 0.5, 0.75, 0.625, 0.75, 0.5, 1.0], 7, 2, "max"),
}


@pytest.mark.parametrize("name", list(FIT_CASES))
def test_fit_stops_in_time_and_ends_with_the_best_weights(learner, reference, device, seed, name):
    curve, max_epochs, patience, mode = FIT_CASES[name]
    expect_same(learner, reference, fit, device, seed, curve, max_epochs, patience, mode,
                what=f"fit_with_early_stopping(max_epochs={max_epochs}, patience={patience}, mode={mode!r}) "
                     f"with evaluate returning {curve}", **EXACT)
