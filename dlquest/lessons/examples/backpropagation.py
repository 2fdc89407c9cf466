"""Example for the lesson "backpropagation" / 反向传播.

Run it with `dlquest run backpropagation` (or `python dlquest/lessons/examples/backpropagation.py`).
Offline, deterministic, a few seconds on a laptop CPU.

1. The chain rule by hand on a tiny network (1 input, 1 hidden unit, 1 output), checked with autograd.
2. A gradient check: backpropagation against central finite differences.
3. A 2-4-1 network (tanh hidden layer, sigmoid output, binary cross-entropy) trained on XOR with hand-written
   backpropagation; the loss curve is plotted in the terminal.
"""

from __future__ import annotations

import numpy as np
from termplot import heading, plot_curves


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# --------------------------------------------------------------------------------------------
# 1. The chain rule by hand
# --------------------------------------------------------------------------------------------
def part_by_hand() -> None:
    heading("The chain rule by hand", "手算链式法则")
    x, y = 1.0, 1.0
    w1, b1, w2, b2 = 0.5, 0.0, -1.0, 0.5
    # forward / 前向
    z1 = w1 * x + b1
    a1 = float(sigmoid(z1))
    z2 = w2 * a1 + b2
    a2 = float(sigmoid(z2))
    loss = 0.5 * (a2 - y) ** 2
    print(f"forward:  z1 = {z1:.4f}  a1 = {a1:.4f}  z2 = {z2:.4f}  a2 = {a2:.4f}  L = {loss:.4f}")
    # backward / 反向: one local derivative per step
    dL_da2 = a2 - y
    dL_dz2 = dL_da2 * a2 * (1 - a2)
    dL_dw2 = dL_dz2 * a1
    dL_db2 = dL_dz2
    dL_da1 = dL_dz2 * w2
    dL_dz1 = dL_da1 * a1 * (1 - a1)
    dL_dw1 = dL_dz1 * x
    dL_db1 = dL_dz1
    print(f"backward: dL/da2 = {dL_da2:.4f}  dL/dz2 = {dL_dz2:.4f}  dL/da1 = {dL_da1:.4f}  dL/dz1 = {dL_dz1:.4f}")
    by_hand = {"w1": dL_dw1, "b1": dL_db1, "w2": dL_dw2, "b2": dL_db2}

    import torch

    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in
         {"w1": w1, "b1": b1, "w2": w2, "b2": b2}.items()}
    out = torch.sigmoid(p["w2"] * torch.sigmoid(p["w1"] * x + p["b1"]) + p["b2"])
    (0.5 * (out - y) ** 2).backward()
    print(f"{'parameter':>10} {'by hand':>10} {'autograd':>10}")
    for name, value in by_hand.items():
        print(f"{name:>10} {value:10.5f} {p[name].grad.item():10.5f}")


# --------------------------------------------------------------------------------------------
# 2. Gradient check / 梯度检验
# --------------------------------------------------------------------------------------------
def forward_bce(params, X, Y):
    H = np.tanh(X @ params["W1"] + params["b1"])
    P = sigmoid(H @ params["W2"] + params["b2"])
    eps = 1e-12
    loss = -np.mean(Y * np.log(P + eps) + (1 - Y) * np.log(1 - P + eps))
    return H, P, loss


def backward_bce(params, X, Y, H, P):
    n = X.shape[0]
    dZ2 = (P - Y) / n                      # sigmoid + BCE: the derivative simplifies to P - Y
    dH = dZ2 @ params["W2"].T
    dZ1 = dH * (1 - H ** 2)                # tanh'(z) = 1 - tanh(z)^2
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(0), "W2": H.T @ dZ2, "b2": dZ2.sum(0)}


def init(rng, n_in=2, n_hidden=4, n_out=1):
    return {"W1": rng.normal(0, 1, (n_in, n_hidden)), "b1": np.zeros(n_hidden),
            "W2": rng.normal(0, 1, (n_hidden, n_out)), "b2": np.zeros(n_out)}


XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=float)


def part_gradient_check() -> None:
    heading("Gradient check: backpropagation vs finite differences", "梯度检验：反向传播 vs 有限差分")
    params = init(np.random.default_rng(1))
    H, P, _ = forward_bce(params, XOR_X, XOR_Y)
    grads = backward_bce(params, XOR_X, XOR_Y, H, P)
    h = 1e-6
    for name in params:
        numeric = np.zeros_like(params[name])
        for index in np.ndindex(params[name].shape):
            saved = params[name][index]
            params[name][index] = saved + h
            up = forward_bce(params, XOR_X, XOR_Y)[2]
            params[name][index] = saved - h
            down = forward_bce(params, XOR_X, XOR_Y)[2]
            params[name][index] = saved
            numeric[index] = (up - down) / (2 * h)
        err = np.max(np.abs(numeric - grads[name]))
        print(f"  {name}: max |backprop - numeric| = {err:.2e}")
    print("differences around 1e-10 mean the backward pass is right / 误差在 1e-10 左右说明反向传播正确")


# --------------------------------------------------------------------------------------------
# 3. Training XOR / 训练异或网络
# --------------------------------------------------------------------------------------------
def train(seed, lr=0.5, epochs=2000):
    params = init(np.random.default_rng(seed))
    losses = []
    for _ in range(epochs):
        H, P, loss = forward_bce(params, XOR_X, XOR_Y)
        losses.append(loss)
        grads = backward_bce(params, XOR_X, XOR_Y, H, P)
        for name in params:
            params[name] -= lr * grads[name]
    return params, losses


def part_train() -> None:
    heading("Training a 2-4-1 network on XOR", "训练 2-4-1 网络解决异或")
    params, losses = train(seed=2)
    steps = list(range(0, 2000, 20))
    plot_curves("BCE loss on XOR / 异或上的 BCE 损失", steps, {"loss": [losses[i] for i in steps]})
    _, P, loss = forward_bce(params, XOR_X, XOR_Y)
    for x, y, p in zip(XOR_X.astype(int).tolist(), XOR_Y.ravel(), P.ravel()):
        print(f"  x = {tuple(x)}  target = {int(y)}  P(1) = {p:.3f}")
    print(f"final loss / 最终损失：{loss:.4f}")
    stuck = train(seed=0)[1][-1]
    print(f"the same network from seed 0 gets stuck at loss {stuck:.3f} / 换成种子 0 会卡在损失 {stuck:.3f}")


def main() -> None:
    part_by_hand()
    part_gradient_check()
    part_train()


if __name__ == "__main__":
    main()
