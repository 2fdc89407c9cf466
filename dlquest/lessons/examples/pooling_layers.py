"""Example for the lesson "pooling-layers" / 池化层.

Run it with `dlquest run pooling-layers` (or `python dlquest/lessons/examples/pooling_layers.py`).
It needs only torch and scikit-learn's bundled digits, works offline, is deterministic and takes seconds.

1. The 4x4 worked example: max and average pooling by hand and with PyTorch.
2. Gradients: where autograd sends the upstream gradient for each kind of pooling.
3. Output sizes for several kernels and strides, next to the formula.
4. Pooling a feature map of a handwritten digit, drawn as text heat maps.
5. Small shifts: a max-pooled map that does not move when its input moves by a pixel.
6. Global average pooling, and what it saves in a classifier head.
"""

from __future__ import annotations

import unicodedata

import torch
import torch.nn.functional as F
from termplot import heading, heat_map, heat_rows
from torch import nn


def show(m: torch.Tensor, indent: str = "    ") -> None:
    for row in m.tolist():
        print(indent + " ".join(f"{v:5.2f}" for v in row))


X = torch.tensor([[1.0, 3, 2, 0], [4, 2, 1, 5], [0, 1, 3, 2], [2, 6, 1, 1]])


def part_worked_example() -> None:
    heading("Max and average pooling, 2x2 windows, stride 2", "最大池化与平均池化：2x2 窗口，步长 2")
    print("input x / 输入：")
    show(X)
    x = X[None, None]  # NCHW
    print("max pooling / 最大池化  F.max_pool2d(x, 2):")
    show(F.max_pool2d(x, 2)[0, 0])
    print("average pooling / 平均池化  F.avg_pool2d(x, 2):")
    show(F.avg_pool2d(x, 2)[0, 0])


def part_gradients() -> None:
    heading("Gradients of pooling", "池化的梯度")
    upstream = torch.tensor([[1.0, 2], [3, 4]])
    print("upstream gradient dL/dy / 上游梯度：")
    show(upstream)
    for name, pool in (("max pooling / 最大池化", F.max_pool2d), ("average pooling / 平均池化", F.avg_pool2d)):
        x = X[None, None].clone().requires_grad_(True)
        pool(x, 2).backward(upstream[None, None])
        print(f"dL/dx for {name}:")
        show(x.grad[0, 0])
    print("max: each gradient goes to its window's maximum; average: g / 4 to every cell of the window")
    print("最大池化：梯度只流向窗口中的最大值；平均池化：每个位置分到 g / 4")
    x = torch.arange(5.0)[None, None, None].requires_grad_(True)  # 1x5 row 0 1 2 3 4
    F.max_pool2d(x, (1, 3), stride=(1, 1)).sum().backward()
    print("overlapping windows (1x3, stride 1) on 0 1 2 3 4 -> maxima 2 3 4; gradient:",
          x.grad.flatten().tolist())
    print("窗口重叠时，一个位置累加它所属的每个窗口送来的梯度")


def part_sizes() -> None:
    heading("Output size: out = floor((n - k) / s) + 1", "输出尺寸：out = ⌊(n − k) / s⌋ + 1")
    print(f"{'n':>4} {'k':>2} {'s':>2} | {'formula':<20} | {'F.max_pool2d':>12}")
    for n, k, s in [(4, 2, 2), (28, 2, 2), (7, 2, 2), (13, 3, 2), (55, 3, 2), (6, 3, 3), (8, 2, 1)]:
        actual = F.max_pool2d(torch.zeros(1, 1, n, n), k, s).shape[-1]
        formula = f"({n}-{k})//{s}+1 = {(n - k) // s + 1}"
        print(f"{n:>4} {k:>2} {s:>2} | {formula:<20} | {actual:>12}")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def side_by_side(maps, titles) -> None:
    blocks = [heat_rows(m) for m in maps]
    widths = [max(len(blocks[i][0]), display_width(t)) for i, t in enumerate(titles)]
    print("  " + "    ".join(t + " " * (w - display_width(t)) for t, w in zip(titles, widths)))
    for r in range(max(len(b) for b in blocks)):
        cells = [(b[r] if r < len(b) else "") for b in blocks]
        print("  " + "    ".join(c + " " * (w - len(c)) for c, w in zip(cells, widths)))


def part_digit() -> None:
    heading("Pooling a feature map of a handwritten digit", "对手写数字的特征图做池化")
    from sklearn.datasets import load_digits

    digit = torch.tensor(load_digits().images[4], dtype=torch.float32) / 16.0  # a "4"
    digit = F.interpolate(digit[None, None], size=(16, 16), mode="bilinear", align_corners=False)
    vertical = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])[None, None]
    fmap = F.relu(F.conv2d(digit, vertical, padding=1))  # (1, 1, 16, 16)
    max_pooled, avg_pooled = F.max_pool2d(fmap, 2), F.avg_pool2d(fmap, 2)
    print(f"feature map {tuple(fmap.shape)} -> pooled {tuple(max_pooled.shape)}: "
          f"{fmap.numel()} -> {max_pooled.numel()} values / 数值个数")
    side_by_side([fmap[0, 0], max_pooled[0, 0], avg_pooled[0, 0]],
                 ["vertical edges / 竖直边缘", "max 2x2 / 最大", "avg 2x2 / 平均"])
    print("max keeps the strongest response of each window; average also dilutes it with the dark cells")
    print("最大池化保留每个窗口里最强的响应；平均池化会被窗口里的暗像素冲淡")


def part_shift() -> None:
    heading("Small shifts and max pooling", "小幅平移与最大池化")
    image = torch.zeros(1, 1, 8, 8)
    image[0, 0, 2, 2] = 1.0  # one strong response
    moved = torch.roll(image, shifts=1, dims=3)  # the same response one column to the right
    across = torch.roll(image, shifts=2, dims=3)  # two columns: into the next window
    for title, img in (("original / 原图", image), ("moved 1 px / 右移 1 像素", moved),
                       ("moved 2 px / 右移 2 像素", across)):
        pooled = F.max_pool2d(img, 2)
        where = (pooled[0, 0] > 0).nonzero().tolist()
        pad = " " * (26 - display_width(title))
        print(f"{title}{pad} response at column {int(img[0, 0, 2].argmax())}, pooled response at {where}")
    print("inside one window the pooled map does not move; across a window border it does")
    print("在同一个窗口内移动时池化结果不变；跨过窗口边界时才会改变")
    print("max-pooled map of the 1-px shift / 右移 1 像素后的池化结果：")
    heat_map(F.max_pool2d(moved, 2)[0, 0])


def part_global() -> None:
    heading("Global average pooling", "全局平均池化")
    gap = nn.AdaptiveAvgPool2d(1)
    for size in (7, 10):
        x = torch.randn(2, 512, size, size, generator=torch.Generator().manual_seed(size))
        y = gap(x)
        print(f"input {tuple(x.shape)} -> {tuple(y.shape)} -> flatten {tuple(y.flatten(1).shape)}")
        print(f"  equals x.mean(dim=(2, 3)): {torch.allclose(y.flatten(1), x.mean(dim=(2, 3)))}")
    flat_head = nn.Linear(512 * 7 * 7, 1000)
    gap_head = nn.Linear(512, 1000)

    def count(module):
        return sum(p.numel() for p in module.parameters())

    print(f"head after flatten (512*7*7 -> 1000): {count(flat_head):>12,} parameters / 参数")
    print(f"head after global average pooling (512 -> 1000): {count(gap_head):>7,} parameters / 参数")


def main() -> None:
    torch.set_num_threads(min(2, torch.get_num_threads()))
    part_worked_example()
    part_gradients()
    part_sizes()
    part_digit()
    part_shift()
    part_global()


if __name__ == "__main__":
    main()
