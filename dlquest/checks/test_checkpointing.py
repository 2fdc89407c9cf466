"""Check for `checkpointing`: the file's keys and contents (opened with weights_only=True), and an exact resume.

The probe trains a small float64 model with Adam (whose moment estimates must travel in the checkpoint),
saves after two epochs into its own working directory, loads into a model and optimizer built with other
initial weights, trains two more epochs and returns the final weights: they must equal the reference's,
which are those of four uninterrupted epochs.
"""

import torch

from dlquest.grader.checklib import expect_same

TOTAL_EPOCHS, SAVE_AFTER = 4, 2


def _warm_up_optimizers():
    """An optimizer's first step imports torch._dynamo (seconds); do it once here, before the probes fork."""
    parameter = torch.nn.Parameter(torch.ones(2))
    optimizer = torch.optim.Adam([parameter], lr=0.1)
    parameter.sum().backward()
    optimizer.step()


_warm_up_optimizers()


def build(device, init_seed):
    torch.manual_seed(init_seed)
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).double().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    return model, optimizer


def data(seed, device):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(12, 3, generator=generator, dtype=torch.float64)
    Y = torch.randn(12, 2, generator=generator, dtype=torch.float64)
    return X.to(device), Y.to(device)


def train_epoch(model, optimizer, X, Y):
    for start in range(0, len(X), 4):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(X[start:start + 4]), Y[start:start + 4])
        loss.backward()
        optimizer.step()


def state(model):
    return {name: value.detach().cpu().clone() for name, value in model.state_dict().items()}


def saved_file(module, seed):
    model, optimizer = build("cpu", seed)
    X, Y = data(seed, "cpu")
    train_epoch(model, optimizer, X, Y)
    module.save_checkpoint("checkpoint.pt", model, optimizer, 1)
    checkpoint = torch.load("checkpoint.pt", weights_only=True)
    return checkpoint if not isinstance(checkpoint, dict) else {
        "keys": sorted(map(str, checkpoint)),
        "epoch": checkpoint.get("epoch", "missing"),
        "model_state": dict(checkpoint["model_state"]) if "model_state" in checkpoint else "missing",
        "optimizer_state": _optimizer_summary(checkpoint.get("optimizer_state")),
    }


def _optimizer_summary(saved):
    if not isinstance(saved, dict) or "state" not in saved or "param_groups" not in saved:
        return "not an optimizer state_dict"
    return {
        "lr": saved["param_groups"][0]["lr"],
        "steps": [float(saved["state"][i]["step"]) for i in sorted(saved["state"])],
        "first moments": [saved["state"][i]["exp_avg"] for i in sorted(saved["state"])],
        "second moments": [saved["state"][i]["exp_avg_sq"] for i in sorted(saved["state"])],
    }


def resumed(module, device, seed):
    X, Y = data(seed, device)
    model, optimizer = build(device, seed)
    for _ in range(SAVE_AFTER):
        train_epoch(model, optimizer, X, Y)
    module.save_checkpoint("run.pt", model, optimizer, SAVE_AFTER)
    del model, optimizer
    fresh_model, fresh_optimizer = build(device, seed + 1)  # other initial weights, empty Adam state
    start = module.load_checkpoint("run.pt", fresh_model, fresh_optimizer)
    start_value = int(start) if isinstance(start, int) or hasattr(start, "__index__") else repr(start)
    for _ in range(start_value if isinstance(start_value, int) else SAVE_AFTER, TOTAL_EPOCHS):
        train_epoch(fresh_model, fresh_optimizer, X, Y)
    return {"load_checkpoint returned": start_value, "weights after resuming": state(fresh_model)}


def test_checkpoint_file_holds_the_three_keys(learner, reference, seed):
    expect_same(learner, reference, saved_file, seed, what="torch.load(checkpoint, weights_only=True)")


def test_resumed_training_ends_where_uninterrupted_training_ends(learner, reference, device, seed):
    expect_same(learner, reference, resumed, device, seed, what="resumed run")
