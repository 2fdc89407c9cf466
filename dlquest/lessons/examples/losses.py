"""Example for the lesson "loss-functions" / 损失函数.

Run it with `dlquest run loss-functions` (or `python dlquest/lessons/examples/losses.py`).
Offline, deterministic, a few seconds on a laptop CPU.

1. MSE by hand and with PyTorch.
2. Binary cross-entropy: by hand, with nn.BCELoss, with nn.BCEWithLogitsLoss; the clamp at -100.
3. Cross-entropy from logits: by hand with a stable log-sum-exp, and why log(softmax(z)) breaks.
4. Plot: how each loss punishes a prediction p for a target of 1.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from termplot import heading, plot_curves


def part_mse() -> None:
    heading("Mean squared error", "均方误差")
    pred = torch.tensor([2.5, 0.0, 2.1, 7.8])
    target = torch.tensor([3.0, -0.5, 2.0, 8.0])
    by_hand = ((pred - target) ** 2).mean()
    print(f"errors / 误差：{[round(e, 4) for e in (pred - target).tolist()]}")
    print(f"MSE by hand / 手算：{by_hand.item():.4f}   nn.MSELoss：{torch.nn.MSELoss()(pred, target).item():.4f}")


def part_bce() -> None:
    heading("Binary cross-entropy", "二元交叉熵")
    prob = torch.tensor([0.9, 0.2, 0.8, 0.3])
    target = torch.tensor([1.0, 0.0, 1.0, 0.0])
    terms = -(target * torch.log(prob) + (1 - target) * torch.log(1 - prob))
    print(f"per-sample losses / 每个样本的损失：{[round(t, 4) for t in terms.tolist()]}")
    print(f"mean by hand / 手算平均：{terms.mean().item():.4f}   nn.BCELoss：{torch.nn.BCELoss()(prob, target).item():.4f}")
    logits = torch.log(prob / (1 - prob))  # the scores whose sigmoid is prob
    print(f"BCEWithLogitsLoss on the logits / 对 logits 用 BCEWithLogitsLoss："
          f"{F.binary_cross_entropy_with_logits(logits, target).item():.4f}")
    sure_and_wrong = F.binary_cross_entropy(torch.tensor([0.0]), torch.tensor([1.0]))
    print(f"prob 0 for target 1 / 目标为 1 却预测 0：{sure_and_wrong.item():.1f} (log clamped at -100 / 对数被截断在 -100)")


def part_cross_entropy() -> None:
    heading("Cross-entropy from logits", "基于 logits 的交叉熵")
    logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    target = torch.tensor([0, 1])
    probs = torch.softmax(logits, dim=1)
    print(f"softmax rows / 每行的 softmax：{[[round(p, 3) for p in row] for row in probs.tolist()]}")
    m = logits.max(dim=1, keepdim=True).values
    log_probs = logits - m - torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))
    by_hand = -log_probs[torch.arange(2), target].mean()
    print(f"by hand / 手算：{by_hand.item():.4f}   F.cross_entropy：{F.cross_entropy(logits, target).item():.4f}")

    heading("Why log(softmax) is unstable", "为什么 log(softmax) 不稳定")
    big = torch.tensor([[1000.0, 0.0, -1000.0]])
    naive = -torch.log(torch.exp(big) / torch.exp(big).sum())
    via_softmax = -torch.log(torch.softmax(big, dim=1))
    m = big.max(dim=1, keepdim=True).values
    stable = -(big - m - torch.log(torch.exp(big - m).sum(dim=1, keepdim=True)))
    print(f"logits / 输入：{big.tolist()[0]}")
    print(f"exp directly / 直接取指数：   {naive.tolist()[0]}")
    print(f"log(softmax) / 先 softmax 再取对数：{via_softmax.tolist()[0]}")
    print(f"log-sum-exp with max shift / 减去最大值：{stable.tolist()[0]}")
    print(f"F.cross_entropy, target 2 / 目标为类别 2：{F.cross_entropy(big, torch.tensor([2])).item():.1f}")


def part_plot() -> None:
    heading("How hard each loss punishes p when the target is 1", "目标为 1 时各损失对预测 p 的惩罚")
    ps = [i / 100 for i in range(2, 100)]
    plot_curves("loss vs predicted probability / 损失与预测概率", ps, {
        "-log(p) (BCE)": [-math.log(p) for p in ps],
        "(1-p)^2 (MSE)": [(1 - p) ** 2 for p in ps],
    })
    print("BCE grows without bound as p -> 0; squared error never exceeds 1.")
    print("p 趋近 0 时 BCE 无限增大；平方误差最大只有 1。")


def main() -> None:
    part_mse()
    part_bce()
    part_cross_entropy()
    part_plot()


if __name__ == "__main__":
    main()
