"""Example for the lesson "tuning-experiments" / 调优实验.

Run it with `dlquest run tuning-experiments` (or `python dlquest/lessons/examples/tuning_experiments.py`).
Offline (scikit-learn's bundled 8x8 digits), fixed seeds, several seconds on two CPU cores.

1. A learning-rate range test: the lr grows by a constant factor every mini-batch; the smoothed loss against
   log10(lr) shows where training starts to work and where it blows up.
2. Grid search against random search with the same budget of 9 trials, on a made-up validation error in which
   only the learning rate matters much: the grid tries 3 learning rates, random search 9.
3. Early stopping with patience on a network that overfits 300 training digits with noisy labels: where it stops, which epoch it
   keeps, and the weights it puts back (a deep copy of the state_dict).
4. Seeds: the same two settings trained with five seeds each; the spread between runs against the difference
   between the settings, and the same seed giving the same result twice.
"""

from __future__ import annotations

import copy
import math
import os

import numpy as np
import torch
from sklearn.datasets import load_digits
from termplot import heading, plot_curves
from torch import nn

ZH = os.environ.get("DLQUEST_LANG") == "zh"
torch.set_num_threads(1)  # small networks: one thread is as fast, and the numbers do not depend on the cores


def say(en: str, zh: str) -> None:
    print(zh if ZH else en)


def digits(n_train: int, seed: int = 0):
    """Scaled digits split once: `n_train` for training, the last 497 for validation (never trained on)."""
    data = load_digits()
    order = np.random.default_rng(seed).permutation(len(data.target))
    x = torch.tensor(data.data[order] / 16.0, dtype=torch.float32)
    y = torch.tensor(data.target[order], dtype=torch.long)
    return (x[:n_train], y[:n_train]), (x[-497:], y[-497:])


def mlp(hidden: int) -> nn.Module:
    return nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        logits = model(x)
        loss = nn.functional.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(1) == y).float().mean().item()
    model.train()
    return loss, accuracy


# --------------------------------------------------------------------------------------------
# 1. The learning-rate range test
# --------------------------------------------------------------------------------------------


def range_test(x, y, lr_min=1e-4, lr_max=10.0, steps=120, batch=32, beta=0.9):
    """Train once while the lr grows geometrically; return the lrs and the bias-corrected smoothed losses."""
    torch.manual_seed(0)
    model = mlp(64)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr_min, momentum=0.9)
    factor = (lr_max / lr_min) ** (1 / (steps - 1))
    generator = torch.Generator().manual_seed(0)
    lrs, smoothed, average, best = [], [], 0.0, math.inf
    for step in range(steps):
        lr = lr_min * factor ** step
        for group in optimizer.param_groups:
            group["lr"] = lr
        index = torch.randint(len(y), (batch,), generator=generator)
        loss = nn.functional.cross_entropy(model(x[index]), y[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        average = beta * average + (1 - beta) * loss.item()
        value = average / (1 - beta ** (step + 1))  # bias correction: the average starts at 0
        lrs.append(lr)
        smoothed.append(value)
        best = min(best, value)
        if not math.isfinite(value) or value > 4 * best:  # diverged: the rest of the range teaches nothing
            break
    return lrs, smoothed


def part_range_test(train) -> None:
    heading("The learning-rate range test (SGD, momentum 0.9)", "学习率范围测试（SGD，动量 0.9）")
    lrs, losses = range_test(*train)
    low = int(np.argmin(losses))
    slopes = np.diff(losses)
    steepest = int(np.argmin(slopes[:low])) if low > 0 else 0
    say(f"{len(lrs)} mini-batches, lr from {lrs[0]:.0e} to {lrs[-1]:.2g} (stopped when the smoothed loss "
        f"passed 4x its minimum)",
        f"{len(lrs)} 个小批次，学习率从 {lrs[0]:.0e} 增长到 {lrs[-1]:.2g}（平滑损失超过其最小值的 4 倍时停止）")
    say(f"  lowest smoothed loss {losses[low]:.3f} at lr = {lrs[low]:.2g}; steepest fall at lr = {lrs[steepest]:.2g}",
        f"  平滑损失最低 {losses[low]:.3f}，出现在 lr = {lrs[low]:.2g}；下降最陡处 lr = {lrs[steepest]:.2g}")
    say(f"  a learning rate to start from: about a tenth of {lrs[low]:.2g}, i.e. {lrs[low] / 10:.2g}",
        f"  可以作为起点的学习率：约为 {lrs[low]:.2g} 的十分之一，即 {lrs[low] / 10:.2g}")
    plot_curves("Smoothed loss against log10(lr) / 平滑损失与 log10(lr)", [math.log10(v) for v in lrs],
                {"loss": [min(v, 4.0) for v in losses]})


# --------------------------------------------------------------------------------------------
# 2. Grid search and random search
# --------------------------------------------------------------------------------------------


def made_up_error(lr: float, weight_decay: float) -> float:
    """A stand-in for "train, then measure the validation error": best near lr = 3e-3, weight decay barely matters."""
    return 0.05 + 0.04 * (math.log10(lr) - math.log10(3e-3)) ** 2 + 0.002 * (math.log10(weight_decay) + 4) ** 2


def part_search() -> None:
    heading("Grid search and random search, 9 trials each", "网格搜索与随机搜索，各 9 次试验")
    grid = [(lr, wd) for lr in (1e-4, 1e-3, 1e-2) for wd in (1e-5, 1e-4, 1e-3)]
    rng = np.random.default_rng(0)
    draws = [(10 ** rng.uniform(-4, -1), 10 ** rng.uniform(-5, -3)) for _ in range(9)]
    for name, trials in (("grid", grid), ("random", draws)):
        best = min(trials, key=lambda t: made_up_error(*t))
        distinct = len({round(math.log10(lr), 6) for lr, _ in trials})
        label = {"grid": "网格", "random": "随机"}[name]
        say(f"  {name:>6}: {distinct} different learning rates; best lr = {best[0]:.2g}, "
            f"error {made_up_error(*best):.4f}",
            f"  {label}：{distinct} 个不同的学习率；最好的 lr = {best[0]:.2g}，误差 {made_up_error(*best):.4f}")
    grid_best = min(made_up_error(*t) for t in grid)
    wins = 0
    for seed in range(1000):
        rng = np.random.default_rng(seed + 1)
        found = min(made_up_error(10 ** rng.uniform(-4, -1), 10 ** rng.uniform(-5, -3)) for _ in range(9))
        wins += found < grid_best
    say(f"  random search (9 log-uniform draws) beats this grid in {wins / 10:.1f}% of 1000 repetitions",
        f"  在 1000 次重复中，随机搜索（9 次对数均匀抽样）有 {wins / 10:.1f}% 胜过这个网格")


# --------------------------------------------------------------------------------------------
# 3. Early stopping
# --------------------------------------------------------------------------------------------


def noisy(train, fraction=0.2, seed=0):
    """The training labels with `fraction` of them replaced by random digits: noise a large network memorises."""
    x, y = train
    generator = torch.Generator().manual_seed(seed)
    flip = torch.rand(len(y), generator=generator) < fraction
    return x, torch.where(flip, torch.randint(10, y.shape, generator=generator), y)


def part_early_stopping(train, valid, patience=10, max_epochs=100) -> None:
    heading(f"Early stopping, patience {patience}: 300 training digits, 20% of their labels wrong",
            f"早停，patience 为 {patience}：300 个训练样本，其中 20% 的标签是错的")
    x, y = noisy(train)
    torch.manual_seed(0)
    model = mlp(256)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    generator = torch.Generator().manual_seed(0)
    history, best, best_epoch, best_state, bad, stopped = [], math.inf, -1, None, 0, None
    for epoch in range(max_epochs):
        for index in torch.randperm(len(y), generator=generator).split(32):
            loss = nn.functional.cross_entropy(model(x[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        value = evaluate(model, *valid)[0]
        history.append(value)
        if stopped is not None:
            continue  # keep training only to show what stopping avoided
        if value < best:
            best, best_epoch, bad = value, epoch, 0
            best_state = copy.deepcopy(model.state_dict())  # a copy: state_dict() holds the live tensors
        else:
            bad += 1
            if bad >= patience:
                stopped = epoch
    last_loss, last_accuracy = evaluate(model, *valid)
    train_loss = evaluate(model, x, y)[0]
    model.load_state_dict(best_state)
    kept_loss, kept_accuracy = evaluate(model, *valid)
    say(f"  the validation loss was lowest at epoch {best_epoch} ({best:.3f}); {patience} epochs without a new "
        f"best later, at epoch {stopped}, early stopping ends the run",
        f"  验证损失在第 {best_epoch} 轮最低（{best:.3f}）；之后连续 {patience} 轮没有新的最好值，"
        f"于是早停在第 {stopped} 轮结束训练")
    say(f"  restored best weights: validation loss {kept_loss:.3f}, accuracy {kept_accuracy:.1%}",
        f"  恢复最佳权重：验证损失 {kept_loss:.3f}，准确率 {kept_accuracy:.1%}")
    say(f"  trained on to epoch {max_epochs - 1} instead: validation loss {last_loss:.3f}, accuracy "
        f"{last_accuracy:.1%} (the training loss is {train_loss:.4f}: it memorised the wrong labels too)",
        f"  若一直训练到第 {max_epochs - 1} 轮：验证损失 {last_loss:.3f}，准确率 {last_accuracy:.1%}"
        f"（训练损失为 {train_loss:.4f}：连错误的标签也被它记住了）")
    plot_curves("Validation loss per epoch / 每轮的验证损失", range(max_epochs), {"validation / 验证": history})


# --------------------------------------------------------------------------------------------
# 4. Seeds and the spread between runs
# --------------------------------------------------------------------------------------------


def run_once(train, valid, hidden: int, seed: int, epochs: int = 8) -> float:
    """One short training run; the seed fixes the initial weights and the order of the mini-batches."""
    x, y = train
    torch.manual_seed(seed)
    model = mlp(hidden)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for index in torch.randperm(len(y), generator=generator).split(64):
            loss = nn.functional.cross_entropy(model(x[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return evaluate(model, *valid)[1]


def part_seeds(train, valid, seeds=range(5)) -> None:
    heading("Seeds: five runs of each setting", "随机种子：每个设置跑五次")
    results = {}
    for hidden in (16, 24):
        accuracies = [run_once(train, valid, hidden, seed) for seed in seeds]
        results[hidden] = accuracies
        values = " ".join(f"{a:.1%}" for a in accuracies)
        say(f"  hidden {hidden}: {values}   mean {np.mean(accuracies):.1%} ± {np.std(accuracies, ddof=1):.1%} "
            f"(sample std), range {min(accuracies):.1%}-{max(accuracies):.1%}",
            f"  隐藏层 {hidden}：{values}   均值 {np.mean(accuracies):.1%} ± {np.std(accuracies, ddof=1):.1%}"
            f"（样本标准差），范围 {min(accuracies):.1%}-{max(accuracies):.1%}")
    difference = np.mean(results[24]) - np.mean(results[16])
    flipped = sum(b < a for a, b in zip(results[16], results[24], strict=True))
    say(f"  difference of the means {difference:+.1%}; with one seed each, hidden 24 loses {flipped} time(s) of 5",
        f"  均值之差 {difference:+.1%}；如果每个设置只跑一个种子，隐藏层 24 在 5 次中有 {flipped} 次落后")
    again = run_once(train, valid, 16, 0)
    say(f"  seed 0 once more: {again:.1%}, the same as before: {again == results[16][0]}",
        f"  再用种子 0 跑一次：{again:.1%}，与之前完全相同：{again == results[16][0]}")


def main() -> None:
    train, valid = digits(1300)
    part_range_test(train)
    part_search()
    small, _ = digits(300)
    part_early_stopping(small, valid)
    part_seeds(small, valid)


if __name__ == "__main__":
    main()
