"""Example for the lesson "optimization-algorithms" / 优化算法：SGD、动量与 Adam.

Run it with `dlquest run optimization-algorithms` (or `python dlquest/lessons/examples/optimizers.py`).
Offline, deterministic, a few seconds on a laptop CPU.

1. One Adam step by hand, next to torch.optim.Adam.
2. A long, narrow valley f(w) = (w1^2 + 25 w2^2) / 2: plain SGD, SGD with momentum and Adam, loss curves.
3. A small regression network trained with the three optimizers, loss curves.
"""

from __future__ import annotations

import math

import torch
from termplot import heading, plot_curves


def part_adam_by_hand() -> None:
    heading("One Adam step by hand", "手算一步 Adam")
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    p0, g = 1.0, 0.5
    m = (1 - b1) * g
    v = (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1), v / (1 - b2)
    p1 = p0 - lr * m_hat / (math.sqrt(v_hat) + eps)
    print(f"g = {g}: m = {m:.4f}, v = {v:.6f}, m_hat = {m_hat:.4f}, v_hat = {v_hat:.4f}, new p = {p1:.6f}")
    p = torch.tensor([p0], requires_grad=True)
    opt = torch.optim.Adam([p], lr=lr)
    (g * p).sum().backward()  # the gradient of g * p is g
    opt.step()
    print(f"torch.optim.Adam: new p = {p.item():.6f}")
    print("the first step moves by about lr, whatever the size of g / 第一步的步长约等于 lr，与梯度大小无关")


def valley(w):
    return 0.5 * (w[0] ** 2 + 25.0 * w[1] ** 2)


def run_valley(make_optimizer, steps=80):
    w = torch.tensor([-4.0, 1.0], requires_grad=True)
    opt = make_optimizer([w])
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = valley(w)
        losses.append(loss.item())
        loss.backward()
        opt.step()
    return losses, w.detach()


def part_valley() -> None:
    heading("A narrow valley: f(w) = (w1² + 25·w2²) / 2", "狭长山谷：f(w) = (w1² + 25·w2²) / 2")
    runs = {
        "SGD lr=0.035": lambda p: torch.optim.SGD(p, lr=0.035),
        "momentum 0.9": lambda p: torch.optim.SGD(p, lr=0.035, momentum=0.9),
        "Adam lr=0.3": lambda p: torch.optim.Adam(p, lr=0.3),
    }
    curves = {}
    for name, make in runs.items():
        losses, w = run_valley(make)
        curves[name] = [math.log10(max(v, 1e-12)) for v in losses]
        print(f"  {name:14s} loss after 80 steps / 80 步后损失：{losses[-1]:.2e}   w = {[round(x, 4) for x in w.tolist()]}")
    plot_curves("log10(loss) per step / 每步 log10(损失)", range(80), curves)
    print("SGD must keep lr < 2/25 for the steep direction, so it crawls along the flat one.")
    print("SGD 的学习率受陡峭方向限制（必须 < 2/25），所以在平缓方向上走得很慢。")


def part_network() -> None:
    heading("A small network: SGD, momentum and Adam", "小型网络：SGD、动量与 Adam")
    g = torch.Generator().manual_seed(0)
    X = torch.rand(128, 1, generator=g) * 6 - 3
    y = torch.sin(X) + 0.1 * torch.randn(128, 1, generator=g)
    runs = {
        "SGD": lambda p: torch.optim.SGD(p, lr=0.05),
        "momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        "Adam": lambda p: torch.optim.Adam(p, lr=0.01),
    }
    curves = {}
    for name, make in runs.items():
        torch.manual_seed(1)
        model = torch.nn.Sequential(torch.nn.Linear(1, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1))
        opt = make(model.parameters())
        losses = []
        for _ in range(200):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(X), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        curves[name] = losses
        print(f"  {name:9s} final MSE / 最终均方误差：{losses[-1]:.4f}")
    plot_curves("training loss (MSE) / 训练损失", range(200), curves)


def main() -> None:
    torch.set_num_threads(1)  # tiny tensors: one thread is fastest
    part_adam_by_hand()
    part_valley()
    part_network()


if __name__ == "__main__":
    main()
