"""Example for the lesson "numpy-broadcasting" / NumPy 数组与广播.

Run it with `dlquest run numpy-broadcasting` (or `python dlquest/lessons/examples/numpy_broadcasting.py`).
Offline, deterministic, well under a second.

1. Creating arrays: shape, dtype, ndim, reshape.
2. Indexing: slices are views, boolean masks and index lists make copies.
3. Reductions along an axis, with and without keepdims.
4. Broadcasting: the rule, step by step, on the lesson's shapes.
5. Pairwise distances without loops, checked against a double loop; the speed difference.
6. A heat map of a broadcast outer product.
"""

from __future__ import annotations

import time

import numpy as np
from termplot import heading, heat_map


def part_arrays() -> None:
    heading("Creating arrays", "创建数组")
    a = np.arange(12)
    print("np.arange(12) ->", a, "| shape", a.shape, "| dtype", a.dtype)
    m = a.reshape(3, 4)
    print("reshape(3, 4):")
    print(m)
    print("ndim / 维数:", m.ndim, " size / 元素个数:", m.size, " m.T.shape:", m.T.shape)
    print("np.zeros((2, 3)).dtype:", np.zeros((2, 3)).dtype, " np.array([1, 2]).dtype:", np.array([1, 2]).dtype)
    print("reshape(2, -1) lets NumPy work out the -1 / -1 由 NumPy 推算:", m.reshape(2, -1).shape)


def part_indexing() -> None:
    heading("Indexing, views and copies", "索引、视图与副本")
    m = np.arange(12).reshape(3, 4)
    print("m[1, 2] =", m[1, 2], " m[:, 1] =", m[:, 1], " m[-1] =", m[-1], " m[::2, ::2] =", m[::2, ::2].tolist())
    view = m[0, :2]
    view[0] = 100
    print("after view[0] = 100, m[0] =", m[0], "(a slice is a view / 切片是视图)")
    mask = m > 5
    print("m[m > 5] =", m[mask], "(boolean mask -> 1-D copy / 布尔掩码返回一维副本)")
    picked = m[[0, 2]]
    picked[:] = -1
    print("fancy-index copy changed, m unchanged / 花式索引是副本, m 不变:", m[0].tolist(), m[2].tolist())


def part_reductions() -> None:
    heading("Reductions along an axis", "沿轴归约")
    m = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    print("m =", m.tolist())
    print("m.sum() =", m.sum(), " m.sum(axis=0) =", m.sum(axis=0), " m.sum(axis=1) =", m.sum(axis=1))
    print("m.mean(axis=1, keepdims=True).shape =", m.mean(axis=1, keepdims=True).shape)
    centred = m - m.mean(axis=1, keepdims=True)
    print("rows centred with keepdims / 用 keepdims 让每行减去行均值:", centred.tolist())


def broadcast_steps(a_shape, b_shape) -> None:
    ndim = max(len(a_shape), len(b_shape))
    a = (1,) * (ndim - len(a_shape)) + tuple(a_shape)
    b = (1,) * (ndim - len(b_shape)) + tuple(b_shape)
    try:
        result = np.broadcast_shapes(a_shape, b_shape)
        verdict = f"-> {result}"
    except ValueError:
        verdict = "-> error: incompatible / 不兼容"
    print(f"  {str(tuple(a_shape)):>12} with {str(tuple(b_shape)):<10} padded {a} and {b} {verdict}")


def part_broadcasting() -> None:
    heading("Broadcasting", "广播")
    for a, b in [((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)), ((5, 1, 2), (4, 2)), ((3, 4), (3,))]:
        broadcast_steps(a, b)
    column = np.array([[0], [10], [20]])
    row = np.array([1, 2, 3, 4])
    print("(3, 1) + (4,) =")
    print(column + row)
    X = np.array([[1.0, 200.0], [2.0, 300.0], [3.0, 400.0]])
    standardised = (X - X.mean(axis=0)) / X.std(axis=0)
    print("standardised columns (mean 0, std 1) / 标准化后的列:", standardised.round(3).tolist())


def part_distances() -> None:
    heading("Pairwise distances without loops", "不用循环计算两两距离")
    rng = np.random.default_rng(0)
    A = rng.normal(size=(300, 8))
    B = rng.normal(size=(200, 8))
    start = time.perf_counter()
    loops = np.empty((len(A), len(B)))
    for i in range(len(A)):
        for j in range(len(B)):
            loops[i, j] = np.sum((A[i] - B[j]) ** 2)
    t_loops = time.perf_counter() - start
    start = time.perf_counter()
    diff = A[:, None, :] - B[None, :, :]          # (300, 1, 8) - (1, 200, 8) -> (300, 200, 8)
    broadcast = (diff ** 2).sum(axis=2)
    t_broadcast = time.perf_counter() - start
    print("shapes:", A[:, None, :].shape, "-", B[None, :, :].shape, "->", diff.shape, "-> sum ->", broadcast.shape)
    print("same result / 结果相同:", np.allclose(loops, broadcast))
    print(f"double loop {t_loops * 1000:.1f} ms, broadcasting {t_broadcast * 1000:.1f} ms "
          f"(about {t_loops / max(t_broadcast, 1e-9):.0f}x faster / 约快 {t_loops / max(t_broadcast, 1e-9):.0f} 倍)")


def part_heat_map() -> None:
    heading("An outer product by broadcasting", "用广播做外积")
    y = np.linspace(-1, 1, 11)[:, None]     # a column, shape (11, 1)
    x = np.linspace(-1, 1, 24)[None, :]     # a row, shape (1, 24)
    surface = np.exp(-2 * (x ** 2 + y ** 2))  # (11, 1) with (1, 24) -> (11, 24)
    print("surface.shape =", surface.shape)
    heat_map(surface, title="exp(-2(x² + y²)): blank = near 0, @ = 1 / 空白接近 0，@ 为 1")


def main() -> None:
    part_arrays()
    part_indexing()
    part_reductions()
    part_broadcasting()
    part_distances()
    part_heat_map()


if __name__ == "__main__":
    main()
