"""Example for the lesson "gradient-problems" / 梯度消失、梯度爆炸与梯度裁剪.

Run it with `dlquest run gradient-problems` (or `python dlquest/lessons/examples/gradient_problems.py`).
Offline, deterministic, a few seconds on a laptop CPU.

1. Vanishing gradients: a 20-layer MLP with sigmoid, tanh or ReLU; the gradient norm of every layer's
   weights after one backward pass, plotted on a log scale.
2. Exploding gradients: the same depth with weights initialised too large.
3. Gradient clipping with torch.nn.utils.clip_grad_norm_: the norm before and after.
"""

from __future__ import annotations

import math

import torch
from termplot import heading, plot_curves
from torch import nn

DEPTH, WIDTH = 20, 64


def deep_mlp(activation, init_std=None, seed=0):
    torch.manual_seed(seed)
    layers = []
    for _ in range(DEPTH):
        linear = nn.Linear(WIDTH, WIDTH)
        if init_std is not None:
            nn.init.normal_(linear.weight, 0.0, init_std)
            nn.init.zeros_(linear.bias)
        layers += [linear, activation()]
    return nn.Sequential(*layers, nn.Linear(WIDTH, 1))


def layer_grad_norms(model):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(32, WIDTH, generator=g)
    y = torch.randn(32, 1, generator=g)
    model.zero_grad()
    nn.functional.mse_loss(model(x), y).backward()
    return [m.weight.grad.norm().item() for m in model if isinstance(m, nn.Linear)][:DEPTH]


def part_vanishing() -> None:
    heading("Vanishing gradients through 20 layers", "20 层网络中的梯度消失")
    curves = {}
    he_std = math.sqrt(2 / WIDTH)
    # None: PyTorch's default init for nn.Linear (uniform, scaled by 1/sqrt(fan_in)); He init for the last.
    for name, activation, std in [("sigmoid", nn.Sigmoid, None), ("tanh", nn.Tanh, None),
                                  ("relu", nn.ReLU, None), ("relu+He", nn.ReLU, he_std)]:
        norms = layer_grad_norms(deep_mlp(activation, init_std=std))
        curves[name] = [math.log10(n) for n in norms]
        print(f"  {name:8s} layer 1: {norms[0]:.1e}   layer 10: {norms[9]:.1e}   layer 20: {norms[-1]:.1e}")
    plot_curves("log10(gradient norm) by layer (1 = first) / 各层梯度范数的 log10", range(1, DEPTH + 1), curves)
    print("With sigmoid the first layer's gradient is about 16 orders of magnitude below the last one's;")
    print("ReLU with He init (std = sqrt(2/fan_in)) keeps every layer's gradient at the same scale.")
    print("使用 sigmoid 时，第一层的梯度比最后一层小约 16 个数量级；")
    print("ReLU 配合 He 初始化（std = sqrt(2/fan_in)）能让各层梯度保持在同一量级。")


def part_exploding() -> None:
    heading("Exploding gradients: weights initialised too large", "梯度爆炸：初始权重过大")
    curves = {}
    for name, std in [("std 0.25", 0.25), ("He init std", math.sqrt(2 / WIDTH))]:
        norms = layer_grad_norms(deep_mlp(nn.ReLU, init_std=std))
        curves[name] = [math.log10(n) for n in norms]
        print(f"  ReLU, weight std {std:.3f}: layer 1 {norms[0]:.1e}, layer 20 {norms[-1]:.1e}")
    plot_curves("log10(gradient norm) by layer / 各层梯度范数的 log10", range(1, DEPTH + 1), curves)
    print("Each ReLU layer multiplies the signal's variance by WIDTH·std²/2 = 2 here, forwards and backwards:")
    print("after 20 layers activations and backward signals are ~1000x larger, weight gradients ~10^5x.")
    print("这里每个 ReLU 层都把信号的方差放大 WIDTH·std²/2 = 2 倍，前向和反向都是如此：")
    print("20 层之后激活值和反向信号都放大约 1000 倍，权重梯度放大约 10^5 倍。")


def part_clipping() -> None:
    heading("Clipping by the global norm", "按全局范数裁剪")
    model = deep_mlp(nn.ReLU, init_std=0.25)
    layer_grad_norms(model)
    params = [p for p in model.parameters() if p.grad is not None]
    before = torch.sqrt(sum((p.grad ** 2).sum() for p in params)).item()
    returned = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0).item()
    after = torch.sqrt(sum((p.grad ** 2).sum() for p in params)).item()
    print(f"  total norm before / 裁剪前总范数：{before:.4g}   returned by clip_grad_norm_ / 返回值：{returned:.4g}")
    print(f"  total norm after  / 裁剪后总范数：{after:.6f}   (max_norm = 1.0)")
    print(f"  scale factor / 缩放系数 = 1.0 / ({before:.4g} + 1e-6) = {1.0 / (before + 1e-6):.3g}")
    small = deep_mlp(nn.ReLU)
    layer_grad_norms(small)
    norm = nn.utils.clip_grad_norm_(small.parameters(), max_norm=100.0).item()
    print(f"  a norm of {norm:.3g} below max_norm 100 is left unchanged / 低于 max_norm 的梯度保持不变")


def main() -> None:
    torch.set_num_threads(1)
    part_vanishing()
    part_exploding()
    part_clipping()


if __name__ == "__main__":
    main()
