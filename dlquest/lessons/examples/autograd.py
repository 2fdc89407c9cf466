"""Example for the lesson "pytorch-autograd" / 自动微分.

Run it with `dlquest run pytorch-autograd` (or `python dlquest/lessons/examples/autograd.py`).
Offline, deterministic, about a second on a laptop CPU.

1. backward() on a scalar, checked against the derivative worked out by hand.
2. Gradients accumulate; zero them.
3. The graph is built as the code runs: a loop of data-dependent length.
4. no_grad and detach.
5. A custom autograd.Function (SiLU), checked with gradcheck and plotted with its derivative.
"""

from __future__ import annotations

import torch
from termplot import heading, plot_curves


def part_backward():
    heading("backward() and .grad", "backward() 与 .grad")
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 3 - 4 * x + 1
    y.backward()
    print(f"y = x³ − 4x + 1 at x = 2: y = {y.item():.1f}")
    print(f"autograd dy/dx = {x.grad.item():.1f};  by hand 3x² − 4 = {3 * 2.0 ** 2 - 4:.1f}")

    w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    b = torch.tensor(0.3, requires_grad=True)
    x = torch.tensor([2.0, 1.0, 4.0])
    z = w @ x + b
    loss = (z - 1.0) ** 2
    loss.backward()
    print(f"loss = (w·x + b − 1)², w·x + b = {z.item():.2f}")
    by_hand = [round(v, 3) for v in (2 * (z.item() - 1) * x).tolist()]
    print(f"dloss/dw = {[round(v, 3) for v in w.grad.tolist()]}   (by hand 2(z − 1)·x = {by_hand})")
    print(f"dloss/db = {b.grad.item():.2f}   (= 2(z − 1))")
    print(f"graph: loss.grad_fn = {type(loss.grad_fn).__name__} -> "
          f"{[type(f).__name__ for f, _ in loss.grad_fn.next_functions]}")


def part_accumulation():
    heading("Gradients accumulate", "梯度会累加")
    x = torch.tensor(3.0, requires_grad=True)
    for step in range(1, 4):
        (x ** 2).backward()
        print(f"after backward #{step}: x.grad = {x.grad.item():.0f}   (2x = 6 each time)")
    x.grad = None  # or x.grad.zero_(); optimizer.zero_grad() does this for every parameter
    (x ** 2).backward()
    print(f"after zeroing, one more backward: x.grad = {x.grad.item():.0f}")


def part_dynamic_graph():
    heading("A dynamic graph", "动态计算图")

    def power_by_loop(x, n):
        y = torch.ones_like(x)
        for _ in range(n):  # the graph has as many multiplications as this loop runs
            y = y * x
        return y

    for n in (2, 3, 5):
        x = torch.tensor(1.5, requires_grad=True)
        power_by_loop(x, n).backward()
        print(f"n = {n}: d(x^n)/dx at 1.5 = {x.grad.item():8.4f}   n·x^(n−1) = {n * 1.5 ** (n - 1):8.4f}")

    x = torch.tensor(-2.0, requires_grad=True)
    y = x * 3 if x > 0 else x ** 2  # control flow decides which graph exists
    y.backward()
    print(f"branch taken for x = −2: x², gradient {x.grad.item():.1f}")


def part_no_grad():
    heading("no_grad and detach", "no_grad 与 detach")
    w = torch.randn(3, requires_grad=True)
    with torch.no_grad():
        y = w * 2
    print(f"inside no_grad: y.requires_grad = {y.requires_grad}, y.grad_fn = {y.grad_fn}")
    d = w.detach()
    print(f"w.detach(): requires_grad = {d.requires_grad}, shares memory with w = {d.data_ptr() == w.data_ptr()}")
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 2
    z = y.detach() * x  # y is treated as the constant 4
    z.backward()
    print(f"z = detach(x²)·x: dz/dx = {x.grad.item():.1f} (only the last factor counts; full would be 3x² = 12)")


class SiLU(torch.autograd.Function):
    """x · σ(x) with a hand-written backward."""

    @staticmethod
    def forward(ctx, x):
        s = torch.sigmoid(x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad_output):
        x, s = ctx.saved_tensors
        return grad_output * s * (1 + x * (1 - s))


def part_custom_function():
    heading("A custom autograd.Function", "自定义 autograd.Function")
    x = torch.linspace(-2, 2, 5, dtype=torch.float64, requires_grad=True)
    y = SiLU.apply(x)
    y.sum().backward()
    print(f"x           = {[round(v, 3) for v in x.tolist()]}")
    print(f"SiLU(x)     = {[round(v, 3) for v in y.tolist()]}")
    print(f"dSiLU/dx    = {[round(v, 3) for v in x.grad.tolist()]}")
    print(f"grad_fn     = {type(y.grad_fn).__name__}")
    probe = torch.randn(4, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0), requires_grad=True)
    ok = torch.autograd.gradcheck(SiLU.apply, (probe,), eps=1e-6, atol=1e-5)
    print(f"gradcheck (finite differences vs. backward, float64) / 数值梯度检验：{ok}")

    xs = torch.linspace(-5, 5, 101, dtype=torch.float64, requires_grad=True)
    ys = SiLU.apply(xs)
    ys.sum().backward()  # d(Σ y_i)/dx_i = dy_i/dx_i: the derivative at every point at once
    plot_curves("SiLU and its derivative (from backward)", xs.detach().tolist(),
                {"SiLU(x)": ys.detach().tolist(), "SiLU'(x)": xs.grad.tolist()})
    minimum = ys.detach().min().item()
    print(f"SiLU dips below 0 (minimum ≈ {minimum:.3f} at x ≈ −1.28); its slope exceeds 1 for x > 1.28,")
    print("peaking at about 1.10 near x ≈ 2.4, and tends to 1 (like ReLU) for large x.")
    print(f"SiLU 在负半轴略低于 0（x ≈ −1.28 处取最小值约 {minimum:.3f}）；x > 1.28 时斜率大于 1，")
    print("在 x ≈ 2.4 附近达到约 1.10 的峰值，x 很大时趋于 1（与 ReLU 相同）。")


def main():
    torch.set_num_threads(1)
    part_backward()
    part_accumulation()
    part_dynamic_graph()
    part_no_grad()
    part_custom_function()


if __name__ == "__main__":
    main()
