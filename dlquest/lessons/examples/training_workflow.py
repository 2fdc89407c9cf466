"""Example for the lesson "training-workflow" / 训练流程.

Run it with `dlquest run training-workflow` (or `python dlquest/lessons/examples/training_workflow.py`).
Offline (scikit-learn's bundled digits), fixed seeds, a few seconds on a laptop CPU.

1. Data: the 8×8 digits in a training, a validation and a test split, wrapped in DataLoaders.
2. The training loop and the validation loop, one function each; loss curves plotted per epoch.
3. A checkpoint saved half-way, with the random-number state; training resumed from it ends exactly where
   uninterrupted training ends. Leave out the optimizer state or the RNG state and it does not.
4. Saving and loading a state_dict for inference, and choosing a device.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from termplot import heading, plot_curves
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


def make_loaders():
    X, y = load_digits(return_X_y=True)
    X_train, X_rest, y_train, y_rest = train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)
    X_val, X_test, y_val, y_test = train_test_split(X_rest, y_rest, test_size=0.5, stratify=y_rest, random_state=0)

    def loader(X, y, shuffle):
        dataset = TensorDataset(torch.tensor(X / 16.0, dtype=torch.float32), torch.tensor(y))
        return DataLoader(dataset, batch_size=64, shuffle=shuffle)  # shuffles with the global RNG

    return loader(X_train, y_train, True), loader(X_val, y_val, False), loader(X_test, y_test, False)


def make_model():
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 10))


def run_epoch(model, loader, loss_fn, device, optimizer=None):
    """One pass over `loader`: trains when an optimizer is given, evaluates otherwise.
    Returns (mean loss per sample, accuracy)."""
    training = optimizer is not None
    model.train(training)
    total_loss, correct, seen = 0.0, 0, 0
    with torch.set_grad_enabled(training):
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = model(inputs)
            loss = loss_fn(outputs, targets)
            if training:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total_loss += loss.item() * len(targets)
            correct += (outputs.argmax(dim=1) == targets).sum().item()
            seen += len(targets)
    return total_loss / seen, correct / seen


def part_training(loaders):
    heading("Training and validation loops", "训练循环与验证循环")
    train_loader, val_loader, _ = loaders
    torch.manual_seed(0)
    model = make_model().to(DEVICE)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    print(f"device / 设备：{DEVICE};  batches per epoch / 每轮批次数：{len(train_loader)}")
    history = {"train loss": [], "validation loss": []}
    best = (float("inf"), 0)
    for epoch in range(1, 21):
        train_loss, train_acc = run_epoch(model, train_loader, loss_fn, DEVICE, optimizer)
        val_loss, val_acc = run_epoch(model, val_loader, loss_fn, DEVICE)
        history["train loss"].append(train_loss)
        history["validation loss"].append(val_loss)
        best = min(best, (val_loss, epoch))
        if epoch in (1, 2, 5, 10, 15, 20):
            print(f"  epoch {epoch:2d}  train loss {train_loss:.4f} acc {train_acc:.3f}   "
                  f"val loss {val_loss:.4f} acc {val_acc:.3f}")
    plot_curves("Loss per epoch / 每轮损失", range(1, 21), history)
    print(f"lowest validation loss at epoch {best[1]} / 验证损失最低的轮次：{best[1]}")
    return model


def part_checkpoint(loaders, folder: Path):
    heading("Checkpoint and resume", "保存检查点并恢复训练")
    train_loader, val_loader, _ = loaders
    loss_fn = nn.CrossEntropyLoss()

    def fresh(seed):
        torch.manual_seed(seed)
        model = make_model().to(DEVICE)
        return model, torch.optim.Adam(model.parameters(), lr=1e-2)

    def train(model, optimizer, epochs):
        # Seeded once, before the first epoch: the shuffling of every epoch and every dropout mask are drawn
        # from the global generators as training goes, so a resumed run needs their state too.
        for _ in epochs:
            run_epoch(model, train_loader, loss_fn, DEVICE, optimizer)

    def rng_state():
        state = {"cpu": torch.get_rng_state()}
        if torch.cuda.is_available():
            state["cuda"] = torch.cuda.get_rng_state_all()
        return state

    def restore_rng(state):
        torch.set_rng_state(state["cpu"])
        if "cuda" in state:
            torch.cuda.set_rng_state_all(state["cuda"])

    model, optimizer = fresh(0)
    torch.manual_seed(100)
    train(model, optimizer, range(6))
    straight = [p.detach().clone() for p in model.parameters()]

    model, optimizer = fresh(0)
    torch.manual_seed(100)
    train(model, optimizer, range(3))
    path = folder / "checkpoint.pt"
    torch.save({"epoch": 3, "model_state": model.state_dict(), "optimizer_state": optimizer.state_dict(),
                "rng_state": rng_state()}, path)
    print(f"saved after 3 epochs / 3 轮后保存：{path.name}, {path.stat().st_size / 1024:.1f} KiB")

    def resume(optimizer_too, rng_too):
        model, optimizer = fresh(42)  # other weights, empty Adam state, other RNG: all must come from the file
        checkpoint = torch.load(path, weights_only=True)
        model.load_state_dict(checkpoint["model_state"])
        if optimizer_too:
            optimizer.load_state_dict(checkpoint["optimizer_state"])
        if rng_too:
            restore_rng(checkpoint["rng_state"])
        train(model, optimizer, range(checkpoint["epoch"], 6))
        return max((a - b).abs().max().item() for a, b in zip(straight, model.parameters()))

    gap = resume(optimizer_too=True, rng_too=True)
    print(f"resumed == uninterrupted / 恢复训练与不中断训练一致：{gap == 0.0}")
    print(f"without the RNG state, largest weight difference / 不恢复随机数状态时的最大权重差："
          f"{resume(optimizer_too=True, rng_too=False):.4f}")
    print(f"without the optimizer state, largest weight difference / 不恢复优化器状态时的最大权重差："
          f"{resume(optimizer_too=False, rng_too=True):.4f}")


def part_inference(model, loaders, folder: Path):
    heading("Saving weights for inference", "保存权重用于推理")
    _, _, test_loader = loaders
    path = folder / "digits.pt"
    torch.save(model.state_dict(), path)
    restored = make_model()
    restored.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    restored.eval()
    loss, accuracy = run_epoch(restored, test_loader, nn.CrossEntropyLoss(), "cpu")
    print("state_dict keys / 键：", list(restored.state_dict()))
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.3f} / 测试集准确率")


def main():
    torch.set_num_threads(1)  # tiny matrices: one thread is faster than two
    loaders = make_loaders()
    with tempfile.TemporaryDirectory() as tmp:
        model = part_training(loaders)
        part_checkpoint(loaders, Path(tmp))
        part_inference(model, loaders, Path(tmp))


if __name__ == "__main__":
    main()
