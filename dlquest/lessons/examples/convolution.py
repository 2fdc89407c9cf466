"""Example for the lesson "convolution" / 卷积.

Run it with `dlquest run convolution` (or `python dlquest/lessons/examples/convolution.py`).
It needs torch and scikit-learn's bundled digits, works offline, uses fixed seeds and finishes in seconds.

1. The hand-computed 4x4 example from the lesson.
2. A convolution written with explicit loops, compared with torch.nn.functional.conv2d.
3. Output sizes for several (kernel, stride, padding) choices, next to the formula.
4. Parameter count of nn.Conv2d(3, 16, 3), against the formula and a fully connected layer.
5. A text heat map of edge-detector feature maps on a synthetic image of a square.
6. Multi-channel convolution on a real handwritten digit (scikit-learn's load_digits, shipped with the
   library): four edge kernels make four feature maps, and a second layer sums over those four channels.
"""

from __future__ import annotations

import unicodedata

import torch
import torch.nn.functional as F
from termplot import SHADES, heading, heat_map, heat_rows
from torch import nn


def show_matrix(m: torch.Tensor, indent: str = "    ") -> None:
    for row in m.tolist():
        print(indent + " ".join(f"{v:5.1f}" for v in row))


# --------------------------------------------------------------------------------------------
# 1. The worked example
# --------------------------------------------------------------------------------------------


def part_worked_example() -> None:
    heading("The worked example from the lesson", "课文中的手算例子")
    x = torch.tensor([[1.0, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 0], [1, 0, 1, 2]])
    k = torch.tensor([[1.0, 0], [0, -1]])
    print("input x (4x4) / 输入：")
    show_matrix(x)
    print("kernel K (2x2) / 卷积核：")
    show_matrix(k)
    x4, k4 = x[None, None], k[None, None]  # add batch and channel dimensions: NCHW
    print("stride 1, padding 0 -> 3x3 / 步长 1，填充 0：")
    show_matrix(F.conv2d(x4, k4)[0, 0])
    print("stride 2, padding 0 -> 2x2 / 步长 2，填充 0：")
    show_matrix(F.conv2d(x4, k4, stride=2)[0, 0])


# --------------------------------------------------------------------------------------------
# 2. Loops versus the library
# --------------------------------------------------------------------------------------------


def conv2d_loops(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Cross-correlation with stride 1 and no padding, one output value at a time."""
    n_batch, c_in, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    h_out, w_out = h - kh + 1, wd - kw + 1
    out = torch.empty(n_batch, c_out, h_out, w_out)
    for n in range(n_batch):
        for o in range(c_out):
            for i in range(h_out):
                for j in range(w_out):
                    window = x[n, :, i : i + kh, j : j + kw]  # all input channels at once
                    out[n, o, i, j] = (window * w[o]).sum() + b[o]
    return out


def part_loops() -> None:
    heading("Explicit loops vs F.conv2d", "显式循环与 F.conv2d 对比")
    torch.manual_seed(0)
    x = torch.randn(2, 3, 8, 9)  # N=2 images, C_in=3, H=8, W=9
    w = torch.randn(4, 3, 3, 3)  # C_out=4 kernels of shape (3, 3, 3)
    b = torch.randn(4)
    with torch.no_grad():
        mine = conv2d_loops(x, w, b)
        ref = F.conv2d(x, w, b)
    print(f"input  {tuple(x.shape)}   weight {tuple(w.shape)}   bias {tuple(b.shape)}")
    print(f"output {tuple(mine.shape)} (loops) vs {tuple(ref.shape)} (F.conv2d)")
    print(f"max abs difference / 最大绝对误差：{(mine - ref).abs().max().item():.2e}")


# --------------------------------------------------------------------------------------------
# 3. Output sizes
# --------------------------------------------------------------------------------------------


def out_size(n: int, k: int, p: int, s: int) -> int:
    return (n + 2 * p - k) // s + 1


def part_sizes() -> None:
    heading("Output size: out = floor((n + 2p - k) / s) + 1", "输出尺寸公式")
    cases = [(4, 2, 0, 1), (4, 2, 0, 2), (4, 2, 1, 1), (32, 3, 1, 1), (32, 5, 0, 1), (6, 3, 0, 2), (224, 7, 3, 2)]
    print(f"{'n':>4} {'k':>2} {'p':>2} {'s':>2} | {'formula':<24} | {'F.conv2d':>8}")
    print("-" * 52)
    for n, k, p, s in cases:
        actual = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p).shape[-1]
        formula = f"({n}+{2 * p}-{k})//{s}+1 = {out_size(n, k, p, s)}"
        print(f"{n:>4} {k:>2} {p:>2} {s:>2} | {formula:<24} | {actual:>8}")
    x = torch.zeros(1, 3, 7, 6)
    y = F.conv2d(x, torch.zeros(4, 3, 3, 2), stride=(2, 1), padding=(1, 0))
    print("non-square / 高宽不同：kernel 3x2, stride (2, 1), padding (1, 0)")
    print(f"  input {tuple(x.shape)} -> output {tuple(y.shape)}")
    print(f"  formula: height {out_size(7, 3, 1, 2)}, width {out_size(6, 2, 0, 1)} / 公式：高 {out_size(7, 3, 1, 2)}，宽 {out_size(6, 2, 0, 1)}")


# --------------------------------------------------------------------------------------------
# 4. Parameters
# --------------------------------------------------------------------------------------------


def part_parameters() -> None:
    heading("Parameters of nn.Conv2d(3, 16, 3)", "nn.Conv2d(3, 16, 3) 的参数个数")
    conv = nn.Conv2d(3, 16, 3)
    counted = sum(p.numel() for p in conv.parameters())
    c_out, c_in, kh, kw = conv.weight.shape
    print(f"weight {tuple(conv.weight.shape)}, bias {tuple(conv.bias.shape)}")
    print(f"formula C_out*C_in*kH*kW + C_out = {c_out}*{c_in}*{kh}*{kw} + {c_out} = {c_out * c_in * kh * kw + c_out}")
    print(f"counted by PyTorch / PyTorch 统计：{counted}")
    n_in, n_out = 3 * 32 * 32, 16 * 30 * 30
    print(f"fully connected 3x32x32 -> 16x30x30: {n_in * n_out + n_out:,} parameters")
    print(f"同样输入输出尺寸的全连接层：{n_in * n_out + n_out:,} 个参数")


# --------------------------------------------------------------------------------------------
# 5. Feature maps as text heat maps
# --------------------------------------------------------------------------------------------

def display_width(text: str) -> int:
    """Terminal columns taken by text: CJK characters are two columns wide."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def side_by_side(left: torch.Tensor, right: torch.Tensor, titles: tuple[str, str]) -> None:
    a, b = heat_rows(left), heat_rows(right)
    gap = " " * max(1, len(a[0]) - display_width(titles[0]))
    print(f"  {titles[0]}{gap}    {titles[1]}")
    for ra, rb in zip(a, b):
        print(f"  {ra}    {rb}")


def part_heatmap() -> None:
    heading("Edge detection feature maps", "边缘检测特征图")
    image = torch.zeros(14, 14)
    image[4:10, 4:10] = 1.0  # a bright square on a dark background
    sobel_x = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])  # responds to vertical edges
    sobel_y = sobel_x.t()  # responds to horizontal edges
    kernels = torch.stack([sobel_x, sobel_y]).unsqueeze(1)  # weight (C_out=2, C_in=1, 3, 3)
    maps = F.conv2d(image[None, None], kernels, padding=1)[0]  # "same" padding: 14x14 out
    gx, gy = maps[0], maps[1]
    print(f"input (1, 1, 14, 14), weight {tuple(kernels.shape)}, padding 1")
    print(f"  -> feature maps {tuple(maps.shape)} (batch dimension dropped / 去掉批维度)")
    print(f"shading from low to high / 由低到高的字符：'{SHADES}'")
    print()
    side_by_side(image, gx.abs(), ("input / 输入", "|vertical edges| / 竖直边缘"))
    print()
    side_by_side(gy.abs(), (gx**2 + gy**2).sqrt(), ("|horizontal edges| / 水平边缘", "magnitude / 边缘强度"))
    print()
    print("signed vertical-edge values on row 6 / 第 6 行竖直边缘的有符号值：")
    print(f"  {gx[6].int().tolist()}")
    print("left edge > 0 (dark -> bright), right edge < 0 (bright -> dark)")
    print("左边缘为正（由暗变亮），右边缘为负（由亮变暗）")


# --------------------------------------------------------------------------------------------
# 6. Multi-channel convolution on a handwritten digit
# --------------------------------------------------------------------------------------------


def load_digit(index: int = 4) -> torch.Tensor:
    """One 8x8 digit from scikit-learn's bundled data set, scaled to [0, 1] and enlarged to 16x16."""
    from sklearn.datasets import load_digits

    image = torch.tensor(load_digits().images[index], dtype=torch.float32) / 16.0
    return F.interpolate(image[None, None], size=(16, 16), mode="bilinear", align_corners=False)[0, 0]


EDGE_KERNELS = {
    "vertical / 竖直": [[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "horizontal / 水平": [[-1.0, -2, -1], [0, 0, 0], [1, 2, 1]],
    "diagonal 1 / 对角 1": [[0.0, -1, -2], [1, 0, -1], [2, 1, 0]],
    "diagonal 2 / 对角 2": [[-2.0, -1, 0], [-1, 0, 1], [0, 1, 2]],
}


def part_digit() -> None:
    heading("Multi-channel convolution on a handwritten digit", "手写数字上的多通道卷积")
    digit = load_digit()
    print("load_digits() image 4 (a '4'), 8x8 enlarged to 16x16 / 第 4 张图（数字 4），从 8x8 放大到 16x16")
    heat_map(digit)

    # Layer 1: one input channel, four kernels -> four feature maps.
    weight1 = torch.tensor(list(EDGE_KERNELS.values())).unsqueeze(1)  # (C_out=4, C_in=1, 3, 3)
    maps = F.relu(F.conv2d(digit[None, None], weight1, padding=1))[0]  # (4, 16, 16) after ReLU
    print()
    print(f"layer 1: input (1, 1, 16, 16), weight {tuple(weight1.shape)}, padding 1, then ReLU")
    print(f"  -> {tuple(maps.shape)}: one feature map per kernel / 每个卷积核一张特征图")
    names = list(EDGE_KERNELS)
    for a, b in ((0, 1), (2, 3)):
        print()
        side_by_side(maps[a], maps[b], (names[a], names[b]))

    # Layer 2: the four maps are now four input channels; one kernel of shape (4, 3, 3) mixes them.
    weight2 = torch.ones(1, 4, 3, 3) / 9.0  # a 3x3 average in every channel, summed over channels
    combined = F.conv2d(maps[None], weight2, padding=1)[0, 0]
    per_channel = [F.conv2d(maps[None, c : c + 1], weight2[:, c : c + 1], padding=1)[0, 0] for c in range(4)]
    print()
    print(f"layer 2: input {tuple(maps[None].shape)}, weight {tuple(weight2.shape)}: one kernel spans all 4 channels")
    print("第二层：输入有 4 个通道，一个卷积核同时覆盖这 4 个通道，输出 1 张图")
    difference = (combined - sum(per_channel)).abs().max().item()
    print(f"  output = sum of the 4 per-channel convolutions, max difference {difference:.1e}")
    print(f"  输出 = 4 个通道各自卷积之和，最大差异 {difference:.1e}")
    print("  share of each channel in the output / 各通道的贡献占比："
          + ", ".join(f"{m.sum().item() / combined.sum().item():.0%}" for m in per_channel))
    print()
    side_by_side(digit, combined, ("digit / 数字", "edge energy / 边缘强度"))


def main() -> None:
    torch.set_num_threads(min(2, torch.get_num_threads()))
    part_worked_example()
    part_loops()
    part_sizes()
    part_parameters()
    part_heatmap()
    part_digit()


if __name__ == "__main__":
    main()
