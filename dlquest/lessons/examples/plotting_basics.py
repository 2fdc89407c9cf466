"""Example for the lesson "plotting-basics" / 绘图基础.

Run it with `dlquest run plotting-basics` (or `python dlquest/lessons/examples/plotting_basics.py`).
Offline, deterministic, a second or two. Everything is drawn in the terminal with plotext; for each
figure the matplotlib code that would draw the same is printed too (matplotlib itself is not needed).

1. Line plot: two curves with labels, a title and axis labels.
2. Scatter plot: two classes of points.
3. Histogram: the normal distribution from samples.
4. Bar chart: counts per category.
5. Subplots: a training curve, in a 1 x 2 grid with the learning-rate schedule.
"""

from __future__ import annotations

import sys

import numpy as np
import plotext as plt
from termplot import heading

COLOURLESS = not sys.stdout.isatty()


def new_figure(width=70, height=16):
    fig = plt.figure
    fig.clear()
    fig.plot_size(width, height)
    return fig


def show_matplotlib(code: str) -> None:
    print("matplotlib would draw it with / 用 matplotlib 的写法:")
    for line in code.strip("\n").splitlines():
        print("    " + line)


def part_lines() -> None:
    heading("Line plot", "折线图")
    x = np.linspace(0, 2 * np.pi, 60)
    fig = new_figure()
    fig.title("sin(x) and cos(x)")
    fig.label("x", axis="x")
    fig.label("y", axis="y")
    fig.draw(fig.signal(x.tolist(), np.sin(x).tolist()).label("sin").lines())
    fig.draw(fig.signal(x.tolist(), np.cos(x).tolist()).label("cos").lines())
    fig.legend(x=0.0, y=-1.0, ha="left", va="bottom", relative=True)   # bottom left, where no curve passes
    fig.show(colorless=COLOURLESS)
    show_matplotlib('''
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(x, np.sin(x), label="sin")
ax.plot(x, np.cos(x), label="cos")
ax.set(title="sin(x) and cos(x)", xlabel="x", ylabel="y")
ax.legend(); plt.show()
''')


def part_scatter() -> None:
    heading("Scatter plot", "散点图")
    rng = np.random.default_rng(0)
    a = rng.normal([-1.5, 0.0], 0.6, size=(40, 2))
    b = rng.normal([1.5, 1.0], 0.6, size=(40, 2))
    fig = new_figure()
    fig.title("two classes")
    fig.draw(fig.signal(a[:, 0].tolist(), a[:, 1].tolist(), marker="o").label("class 0"))
    fig.draw(fig.signal(b[:, 0].tolist(), b[:, 1].tolist(), marker="x").label("class 1"))
    fig.show(colorless=COLOURLESS)
    show_matplotlib('''
ax.scatter(a[:, 0], a[:, 1], marker="o", label="class 0")
ax.scatter(b[:, 0], b[:, 1], marker="x", label="class 1")
''')


def part_histogram() -> None:
    heading("Histogram", "直方图")
    samples = np.random.default_rng(1).normal(loc=0.0, scale=1.0, size=2000)
    fig = new_figure()
    fig.title("2000 samples of N(0, 1)")
    fig.draw(fig.hist(samples.tolist(), bins=25))
    fig.show(colorless=COLOURLESS)
    inside = np.mean(np.abs(samples) < 1)
    print(f"share within one standard deviation / 落在一个标准差内的比例: {inside:.3f} (theory / 理论值 0.683)")
    show_matplotlib('ax.hist(samples, bins=25)')


def part_bars() -> None:
    heading("Bar chart", "柱状图")
    from sklearn.datasets import load_iris

    iris = load_iris()
    features = iris.feature_names
    means = iris.data.mean(axis=0)
    fig = new_figure(height=14)
    fig.title("iris: mean of each feature (cm)")
    fig.draw(fig.bar([name.replace(" (cm)", "") for name in features], means.round(2).tolist(), labeled=True))
    fig.show(colorless=COLOURLESS)
    show_matplotlib('ax.bar(names, means)')


def part_subplots() -> None:
    heading("Subplots: a training curve", "子图：训练曲线")
    epochs = np.arange(1, 41)
    rng = np.random.default_rng(2)
    train = 2.0 * np.exp(-epochs / 8) + 0.10 + rng.normal(0, 0.02, size=epochs.size)
    val = 2.0 * np.exp(-epochs / 6) + 0.30 + 0.0008 * np.maximum(epochs - 12, 0) ** 2 \
        + rng.normal(0, 0.02, size=epochs.size)
    lr = 0.1 * 0.5 ** (epochs // 10)
    fig = new_figure(width=76, height=16)
    fig.subplots(1, 2)
    left = fig.subplot(1, 1)
    left.title("loss")
    left.draw(left.signal(epochs.tolist(), train.tolist()).label("train").lines())
    left.draw(left.signal(epochs.tolist(), val.tolist()).label("validation").lines())
    left.legend(x=40.0, y=float(train.max()), ha="right", va="top", relative=True)
    right = fig.subplot(1, 2)
    right.title("learning rate")
    right.draw(right.signal(epochs.tolist(), lr.tolist()).lines())
    fig.show(colorless=COLOURLESS)
    best = int(epochs[np.argmin(val)])
    print(f"validation loss is lowest at epoch {best} / 验证损失在第 {best} 轮最低; after that the model overfits.")
    show_matplotlib('''
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
ax1.plot(epochs, train, label="train"); ax1.plot(epochs, val, label="validation"); ax1.legend()
ax2.plot(epochs, lr); ax2.set_title("learning rate")
fig.tight_layout(); fig.savefig("curves.png", dpi=150)
''')


def main() -> None:
    part_lines()
    part_scatter()
    part_histogram()
    part_bars()
    part_subplots()


if __name__ == "__main__":
    main()
