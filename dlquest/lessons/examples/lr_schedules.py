"""Example for the lesson "learning-rate-schedules" / 学习率调度.

Run it with `dlquest run learning-rate-schedules` (or `python dlquest/lessons/examples/lr_schedules.py`).
Offline, deterministic, a few seconds on a laptop CPU.

1. StepLR: the learning rate over 100 epochs, from PyTorch and from the closed formula.
2. ReduceLROnPlateau on a made-up validation-loss history that stalls: the lr drops after `patience` bad
   epochs.
3. Both plotted in the terminal.
"""

from __future__ import annotations

import math

import torch
from termplot import heading, plot_curves


def fresh_optimizer(lr):
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)


def part_step_lr() -> None:
    heading("StepLR(step_size=30, gamma=0.1)", "StepLR(step_size=30, gamma=0.1)")
    optimizer = fresh_optimizer(0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
    lrs = []
    for _epoch in range(100):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()        # (a real loop trains one epoch here / 真实训练在这里跑一个 epoch)
        scheduler.step()        # once per epoch, after the optimizer / 每个 epoch 一次，在 optimizer 之后
    formula = [0.1 * 0.1 ** (epoch // 30) for epoch in range(100)]
    for epoch in (0, 29, 30, 59, 60, 90):
        print(f"  epoch {epoch:3d}: lr = {lrs[epoch]:.0e}   formula / 公式 0.1·0.1^(epoch//30) = {formula[epoch]:.0e}")
    same = all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(lrs, formula))
    print(f"PyTorch equals the formula for all 100 epochs / 100 个 epoch 全部与公式一致：{same}")
    plot_curves("StepLR: log10(lr) per epoch / 每个 epoch 的 log10(lr)", range(100),
                {"log10(lr)": [math.log10(v) for v in lrs]})


def validation_history(epochs=60):
    """Falls quickly, then stalls around 0.5 with a little noise, then falls again a little."""
    g = torch.Generator().manual_seed(0)
    noise = (torch.rand(epochs, generator=g) - 0.5) * 0.02
    return [max(2.0 * 0.85 ** e, 0.5 - 0.002 * max(e - 40, 0)) + float(n) for e, n in zip(range(epochs), noise)]


def part_plateau() -> None:
    heading("ReduceLROnPlateau(mode='min', factor=0.5, patience=5)", "ReduceLROnPlateau(mode='min', factor=0.5, patience=5)")
    optimizer = fresh_optimizer(0.1)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=5)
    history = validation_history()
    lrs = []
    for epoch, val_loss in enumerate(history):
        scheduler.step(val_loss)     # pass the metric / 传入被监控的指标
        lr = optimizer.param_groups[0]["lr"]
        if lrs and lr < lrs[-1]:
            print(f"  epoch {epoch:2d}: val loss {val_loss:.4f} did not improve for 6 epochs -> lr {lrs[-1]:g} -> {lr:g}")
            print("            验证损失连续 6 个 epoch 没有改善 -> 学习率减半")
        lrs.append(lr)
    plot_curves("validation loss / 验证损失", range(len(history)), {"val loss": history})
    plot_curves("ReduceLROnPlateau: lr per epoch / 每个 epoch 的学习率", range(len(lrs)), {"lr": lrs})


def main() -> None:
    part_step_lr()
    part_plateau()


if __name__ == "__main__":
    main()
