"""Example for the lesson "math-foundations" / 深度学习必备数学.

Run it with `dlquest run math-foundations` (or `python dlquest/lessons/examples/math_foundations.py`).
Offline, deterministic, a few seconds.

1. Vectors and matrices: dot product, norm, cosine similarity, matrix-product shapes.
2. Derivatives: a numerical derivative next to the rule; a gradient checked by finite differences.
3. The chain rule by hand for one neuron, checked with PyTorch autograd.
4. Gradient descent: a one-feature line fitted with autograd, its loss curve, and the closed form.
5. Probability: sample mean and variance against expectation and variance; a histogram against the
   normal density.
"""

from __future__ import annotations

import numpy as np
import torch
from termplot import heading, plot_curves


def part_linear_algebra() -> None:
    heading("Vectors and matrices", "向量与矩阵")
    u = np.array([1.0, 2.0, 2.0])
    v = np.array([2.0, 0.0, 1.0])
    print("u =", u, " v =", v)
    print("u · v =", u @ v, "= 1*2 + 2*0 + 2*1")
    print("‖u‖ =", np.linalg.norm(u), "= sqrt(1 + 4 + 4)")
    cosine = u @ v / (np.linalg.norm(u) * np.linalg.norm(v))
    print(f"cosine similarity / 余弦相似度 = {cosine:.4f}, angle / 夹角 = {np.degrees(np.arccos(cosine)):.1f}°")
    A = np.array([[1.0, 2.0], [0.0, 1.0], [3.0, -1.0]])   # 3 x 2
    B = np.array([[2.0, 1.0, 0.0], [1.0, 0.0, 1.0]])      # 2 x 3
    print("A (3x2) @ B (2x3) -> shape", (A @ B).shape, "; B @ A -> shape", (B @ A).shape, "(AB ≠ BA)")
    print("A @ B =")
    print(A @ B)
    W = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([1.0, -1.0])
    print("W @ x =", W @ x, "; solve(W, W @ x) =", np.linalg.solve(W, W @ x), "(the inverse undoes W / 逆矩阵还原)")


def part_derivatives() -> None:
    heading("Derivatives and gradients", "导数与梯度")

    def f(x):
        return x ** 3

    for x in (1.0, 2.0):
        for h in (1e-2, 1e-5):
            numeric = (f(x + h) - f(x - h)) / (2 * h)
            print(f"f(x) = x³ at x = {x}: (f(x+h) - f(x-h)) / 2h with h = {h:g} -> {numeric:.8f}; rule 3x² = {3 * x * x}")

    def g(p):
        return p[0] ** 2 + 3 * p[0] * p[1]

    p = np.array([1.0, 2.0])
    analytic = np.array([2 * p[0] + 3 * p[1], 3 * p[0]])
    h = 1e-6
    numeric = np.array([(g(p + h * e) - g(p - h * e)) / (2 * h) for e in np.eye(2)])
    print("g(x, y) = x² + 3xy at (1, 2): gradient (2x + 3y, 3x) =", analytic, "; numerical / 数值:", numeric.round(6))


def part_chain_rule() -> None:
    heading("The chain rule for one neuron", "单个神经元上的链式法则")
    w, b, x, y = 0.5, -1.0, 2.0, 1.0
    z = w * x + b                      # 0.0
    a = 1 / (1 + np.exp(-z))           # sigmoid(0) = 0.5
    loss = (a - y) ** 2                # 0.25
    dloss_da = 2 * (a - y)             # -1.0
    da_dz = a * (1 - a)                # 0.25
    dz_dw, dz_db = x, 1.0
    grad_w = dloss_da * da_dz * dz_dw  # -0.5
    grad_b = dloss_da * da_dz * dz_db  # -0.25
    print(f"z = {z}, a = σ(z) = {a}, loss = (a - y)² = {loss}")
    print(f"by hand / 手算: dL/dw = {dloss_da} * {da_dz} * {dz_dw} = {grad_w};  dL/db = {grad_b}")
    tw = torch.tensor(w, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    tloss = (torch.sigmoid(tw * x + tb) - y) ** 2
    tloss.backward()
    print(f"autograd / 自动求导: dL/dw = {tw.grad.item()}, dL/db = {tb.grad.item()}")


def part_gradient_descent() -> None:
    heading("Gradient descent on a line", "用梯度下降拟合直线")
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=50)
    y = 1.8 * x - 0.7 + rng.normal(0, 0.3, size=50)
    X = torch.tensor(x)
    Y = torch.tensor(y)
    w = torch.zeros((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    losses = []
    for _ in range(60):
        loss = ((w * X + b - Y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
            b -= 0.1 * b.grad
        w.grad.zero_()
        b.grad.zero_()
    (w_exact, b_exact), *_ = np.linalg.lstsq(np.c_[x, np.ones_like(x)], y, rcond=None)
    print(f"after 60 steps / 60 步后: w = {w.item():.4f}, b = {b.item():.4f}")
    print(f"closed form / 闭式解 (lstsq): w = {w_exact:.4f}, b = {b_exact:.4f}")
    plot_curves("MSE loss per step (learning rate 0.1)", list(range(60)), {"loss": losses})


def part_probability() -> None:
    heading("Expectation and variance", "期望与方差")
    faces = np.arange(1, 7)
    mean = faces.mean()
    var = ((faces - mean) ** 2).mean()
    print(f"a fair die / 均匀骰子: E[X] = {mean:.4f}, Var(X) = {var:.4f} (= 35/12)")
    rng = np.random.default_rng(1)
    rolls = rng.integers(1, 7, size=10_000)
    print(f"10 000 rolls / 次: sample mean {rolls.mean():.4f}, sample variance {rolls.var():.4f}")
    samples = rng.normal(loc=2.0, scale=0.5, size=20_000)
    print(f"N(2, 0.5²): sample mean {samples.mean():.4f} (2), sample std {samples.std(ddof=1):.4f} (0.5)")
    counts, edges = np.histogram(samples, bins=40, range=(0.0, 4.0), density=True)
    centres = (edges[:-1] + edges[1:]) / 2
    density = np.exp(-((centres - 2.0) ** 2) / (2 * 0.25)) / np.sqrt(2 * np.pi * 0.25)
    plot_curves("histogram of N(2, 0.5²) samples vs the density", centres.tolist(),
                {"samples": counts.tolist(), "density": density.tolist()})


def main() -> None:
    part_linear_algebra()
    part_derivatives()
    part_chain_rule()
    part_gradient_descent()
    part_probability()


if __name__ == "__main__":
    main()
