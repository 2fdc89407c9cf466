"""Example for the lesson "perceptron-mlp" / 感知机、多层感知机与激活函数.

Run it with `dlquest run perceptron-mlp` (or `python dlquest/lessons/examples/perceptron_mlp.py`).
It needs no network access, uses fixed seeds and finishes in a few seconds on a laptop CPU.

1. A NumPy perceptron learns a linearly separable 2-D data set.
2. The same perceptron fails on XOR.
3. A tiny PyTorch MLP with one hidden layer solves XOR.
4. Sigmoid, tanh and ReLU and their derivatives are plotted in the terminal (plotext).
"""

from __future__ import annotations

import numpy as np
from termplot import heading, plot_curves

# --------------------------------------------------------------------------------------------
# 1. A perceptron in NumPy
# --------------------------------------------------------------------------------------------


def perceptron_train(X, y, lr=0.1, epochs=50):
    """Train with the perceptron rule; return (w, b, mistakes made in each epoch)."""
    w = np.zeros(X.shape[1])
    b = 0.0
    history = []
    for _ in range(epochs):
        mistakes = 0
        for xi, yi in zip(X, y):
            y_hat = 1 if xi @ w + b >= 0 else 0
            error = yi - y_hat  # -1, 0 or +1
            if error != 0:
                w += lr * error * xi
                b += lr * error
                mistakes += 1
        history.append(mistakes)
    return w, b, history


def perceptron_predict(X, w, b):
    return (X @ w + b >= 0).astype(int)


def make_separable(n, rng, margin=0.3):
    """Points in [-3, 3]^2 labelled by a hidden line; points too close to the line are dropped."""
    true_w, true_b = np.array([1.5, -1.0]), 0.5
    points = []
    while len(points) < n:
        p = rng.uniform(-3, 3, size=2)
        if abs(p @ true_w + true_b) / np.linalg.norm(true_w) >= margin:
            points.append(p)
    X = np.array(points)
    y = (X @ true_w + true_b >= 0).astype(int)
    return X, y


def part_perceptron() -> None:
    heading("Perceptron on separable data", "感知机：线性可分数据")
    rng = np.random.default_rng(0)
    X, y = make_separable(200, rng)
    X_train, y_train, X_test, y_test = X[:150], y[:150], X[150:], y[150:]
    w, b, history = perceptron_train(X_train, y_train, lr=0.1, epochs=50)
    first_clean = next((i + 1 for i, m in enumerate(history) if m == 0), None)
    print(f"samples: {len(X_train)} train, {len(X_test)} test / 训练 {len(X_train)} 个，测试 {len(X_test)} 个")
    print(f"mistakes per epoch / 每轮错误数：{history[:8]} ...")
    if first_clean is not None:
        print(f"first epoch with no mistakes / 第一次零错误的轮次：{first_clean}")
    print(f"learned w = [{w[0]:.3f}, {w[1]:.3f}], b = {b:.3f}")
    train_acc = np.mean(perceptron_predict(X_train, w, b) == y_train)
    test_acc = np.mean(perceptron_predict(X_test, w, b) == y_test)
    print(f"train accuracy / 训练准确率：{train_acc:.3f}")
    print(f"test accuracy  / 测试准确率：{test_acc:.3f}")


# --------------------------------------------------------------------------------------------
# 2. XOR: the perceptron fails, an MLP succeeds
# --------------------------------------------------------------------------------------------

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0, 1, 1, 0])


def part_xor_perceptron() -> None:
    heading("Perceptron on XOR", "感知机：异或问题")
    w, b, history = perceptron_train(XOR_X, XOR_Y, lr=0.1, epochs=100)
    pred = perceptron_predict(XOR_X, w, b)
    print(f"mistakes per epoch, last 5 epochs / 最后 5 轮的错误数：{history[-5:]}")
    for xi, yi, pi in zip(XOR_X.astype(int).tolist(), XOR_Y, pred):
        print(f"  x = {tuple(xi)}  XOR = {yi}  perceptron = {pi}")
    print(f"accuracy / 准确率：{np.mean(pred == XOR_Y):.2f}")
    print("one straight line gets at most 3 of 4 right / 一条直线最多分对 4 个中的 3 个")


def part_xor_mlp() -> None:
    heading("A tiny MLP on XOR (PyTorch)", "小型多层感知机解决异或（PyTorch）")
    import torch
    from torch import nn

    torch.manual_seed(0)
    X = torch.tensor(XOR_X, dtype=torch.float32)
    y = torch.tensor(XOR_Y, dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model 2 -> 8 -> 1, parameters / 参数个数：{n_params}  (= 2*8+8 + 8*1+1)")
    loss_fn = nn.BCEWithLogitsLoss()  # sigmoid + binary cross-entropy in one stable step
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for step in range(1, 501):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        if step in (1, 100, 200, 500):
            print(f"  step {step:4d}  loss {loss.item():.4f}")
    with torch.no_grad():
        prob = torch.sigmoid(model(X)).squeeze(1)
    pred = (prob >= 0.5).long()
    for xi, yi, p, pi in zip(XOR_X.astype(int).tolist(), XOR_Y, prob.tolist(), pred.tolist()):
        print(f"  x = {tuple(xi)}  XOR = {yi}  P(1) = {p:.3f}  MLP = {pi}")
    print(f"accuracy / 准确率：{(pred.numpy() == XOR_Y).mean():.2f}")


# --------------------------------------------------------------------------------------------
# 3. Activation functions and their derivatives
# --------------------------------------------------------------------------------------------


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


ACTIVATIONS = {
    "sigmoid": (sigmoid, lambda x: sigmoid(x) * (1.0 - sigmoid(x))),
    "tanh": (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
    "relu": (lambda x: np.maximum(0.0, x), lambda x: (x > 0).astype(float)),
}


def print_table() -> None:
    xs = np.arange(-3.0, 3.01, 1.0)
    header = f"{'x':>5} | " + " ".join(f"{n:>8}" for n in ACTIVATIONS) + " | " + " ".join(
        f"{n + chr(39):>8}" for n in ACTIVATIONS
    )
    print(header)
    print("-" * len(header))
    for x in xs:
        values = " ".join(f"{f(x):8.3f}" for f, _ in ACTIVATIONS.values())
        slopes = " ".join(f"{d(np.array(x)):8.3f}" for _, d in ACTIVATIONS.values())
        print(f"{x:5.1f} | {values} | {slopes}")


def part_activations() -> None:
    heading("Activation functions", "激活函数")
    xs = np.linspace(-3, 3, 121)
    plot_curves("Activations", xs.tolist(), {n: f(xs).tolist() for n, (f, _) in ACTIVATIONS.items()})
    plot_curves("Derivatives", xs.tolist(), {n + "'": d(xs).tolist() for n, (_, d) in ACTIVATIONS.items()})
    print_table()
    print("sigmoid' peaks at 0.25 and tanh' at 1.0; both vanish for large |x|.")
    print("relu' is 1 for x > 0 and 0 otherwise.")
    print("sigmoid 的导数最大为 0.25，tanh 的导数最大为 1.0，|x| 很大时都趋近 0；")
    print("relu 的导数在 x > 0 时为 1，否则为 0。")


def main() -> None:
    part_perceptron()
    part_xor_perceptron()
    part_xor_mlp()
    part_activations()


if __name__ == "__main__":
    main()
