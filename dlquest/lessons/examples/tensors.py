"""Example for the lesson "pytorch-tensors" / 张量.

Run it with `dlquest run pytorch-tensors` (or `python dlquest/lessons/examples/tensors.py`).
Offline, deterministic, about a second on a laptop CPU.

1. Creating tensors; dtype and device; NumPy round trips.
2. Shapes: view vs reshape (and contiguity), permute, squeeze/unsqueeze.
3. Broadcasting, shown as a heat map.
4. matmul and bmm; reductions along a dimension.
5. Indexing, boolean masks, gather; cat, stack, chunk, split.
"""

from __future__ import annotations

import numpy as np
import torch
from termplot import heading, heat_map


def show(label, t):
    print(f"  {label:38s} shape {str(tuple(t.shape)):14s} {str(t.dtype).removeprefix('torch.')}")


def part_creation():
    heading("Creating tensors", "创建张量")
    show("torch.tensor([[1, 2], [3, 4]])", torch.tensor([[1, 2], [3, 4]]))
    show("torch.tensor([1.0, 2.0])", torch.tensor([1.0, 2.0]))
    show("torch.zeros(2, 3)", torch.zeros(2, 3))
    show("torch.ones(2, 3, dtype=torch.float64)", torch.ones(2, 3, dtype=torch.float64))
    show("torch.arange(0, 10, 2)", torch.arange(0, 10, 2))
    show("torch.linspace(0, 1, 5)", torch.linspace(0, 1, 5))
    g = torch.Generator().manual_seed(0)
    show("torch.randn(2, 3, generator=g)", torch.randn(2, 3, generator=g))
    show("torch.randint(0, 10, (4,))", torch.randint(0, 10, (4,), generator=g))
    print("  arange(0, 10, 2) =", torch.arange(0, 10, 2).tolist())
    print("  linspace(0, 1, 5) =", torch.linspace(0, 1, 5).tolist())
    a = np.array([1.0, 2.0, 3.0])
    t = torch.from_numpy(a)  # shares memory with the array
    a[0] = 100.0
    print(f"  torch.from_numpy shares memory / 共享内存：t[0] = {t[0].item()} after a[0] = 100")
    c = torch.tensor(a)  # copies
    a[1] = -1.0
    print(f"  torch.tensor copies / 复制：c[1] = {c[1].item()} after a[1] = −1")
    print(f"  device / 设备：{t.device};  cuda available / 可用 GPU：{torch.cuda.is_available()}")


def part_shapes():
    heading("view, reshape, permute, squeeze", "改变形状")
    x = torch.arange(24).view(2, 3, 4)
    show("x = arange(24).view(2, 3, 4)", x)
    show("x.view(6, 4)", x.view(6, 4))
    show("x.view(2, -1)   (-1: inferred)", x.view(2, -1))
    print(f"  x.stride() = {x.stride()}, contiguous = {x.is_contiguous()}")
    p = x.permute(2, 0, 1)
    show("p = x.permute(2, 0, 1)", p)
    print(f"  p.stride() = {p.stride()}, contiguous = {p.is_contiguous()}  (same memory, new order)")
    try:
        p.view(-1)
    except RuntimeError as err:
        print(f"  p.view(-1) fails / 失败：{str(err).split('.')[0]}")
    show("p.reshape(-1)   (copies when needed)", p.reshape(-1))
    show("p.contiguous().view(-1)", p.contiguous().view(-1))
    print(f"  p.reshape(-1)[:6] = {p.reshape(-1)[:6].tolist()}  (the order of p, not of memory)")
    y = torch.zeros(1, 3, 1, 4)
    show("y = zeros(1, 3, 1, 4)", y)
    show("y.squeeze()", y.squeeze())
    show("y.squeeze(0)", y.squeeze(0))
    show("y.squeeze().unsqueeze(0)", y.squeeze().unsqueeze(0))
    show("torch.zeros(3)[:, None]", torch.zeros(3)[:, None])


def part_broadcasting():
    heading("Broadcasting", "广播")
    rows = torch.arange(6.0).unsqueeze(1)  # (6, 1)
    cols = torch.arange(10.0).unsqueeze(0)  # (1, 10)
    table = rows * cols  # (6, 10): a multiplication table
    print("  (6, 1) * (1, 10) -> (6, 10); trailing dimensions are matched from the right")
    print("  (6, 1) * (1, 10) -> (6, 10)；从最后一维开始向左逐维对齐")
    heat_map(table, "rows * cols (a multiplication table) / 乘法表")
    centred = torch.tensor([[1.0, 10.0], [3.0, 20.0], [5.0, 30.0]])
    means = centred.mean(dim=0)  # (2,)
    print(f"  column means {means.tolist()}; x − mean broadcasts (3, 2) − (2,):")
    print("  ", (centred - means).tolist())
    try:
        torch.zeros(3, 2) + torch.zeros(3)
    except RuntimeError as err:
        print(f"  (3, 2) + (3,) fails / 失败：{err}")


def part_matmul_reductions():
    heading("matmul, bmm and reductions", "矩阵乘法与按维归约")
    g = torch.Generator().manual_seed(1)
    A, B = torch.randn(2, 3, generator=g), torch.randn(3, 4, generator=g)
    show("A @ B   (2, 3) @ (3, 4)", A @ B)
    batch_A, batch_B = torch.randn(10, 2, 3, generator=g), torch.randn(10, 3, 4, generator=g)
    show("torch.bmm: (10, 2, 3) @ (10, 3, 4)", torch.bmm(batch_A, batch_B))
    show("matmul broadcasts: (10, 2, 3) @ (3, 4)", batch_A @ B)
    inputs, W, b = torch.randn(5, 3, generator=g), torch.randn(4, 3, generator=g), torch.zeros(4)
    show("x @ W.T + b  (5, 3) @ (3, 4) + (4,)", inputs @ W.T + b)
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    print(f"  x = {x.tolist()}")
    print(f"  x.sum() = {x.sum().item()},  x.sum(dim=0) = {x.sum(dim=0).tolist()},  "
          f"x.sum(dim=1) = {x.sum(dim=1).tolist()}")
    row_means = x.mean(dim=1, keepdim=True)
    print(f"  x.mean(dim=1, keepdim=True) shape {tuple(row_means.shape)} = {row_means.tolist()}")
    values, indices = x.max(dim=1)
    print(f"  x.max(dim=1) -> values {values.tolist()}, indices {indices.tolist()};  "
          f"x.argmax(dim=0) = {x.argmax(dim=0).tolist()}")
    shares = x / x.sum(dim=1, keepdim=True)
    print("  x / x.sum(dim=1, keepdim=True) =", [[round(v, 3) for v in row] for row in shares.tolist()])


def part_indexing():
    heading("Indexing, masks, gather", "索引、掩码与 gather")
    x = torch.arange(20).view(4, 5)
    print(f"  x = arange(20).view(4, 5);  x[1] = {x[1].tolist()};  x[:, 2] = {x[:, 2].tolist()}")
    print(f"  x[1:3, 2:4] = {x[1:3, 2:4].tolist()};  x[-1, ::2] = {x[-1, ::2].tolist()}")
    print(f"  x[[0, 2]] (rows 0 and 2) = {x[[0, 2]].tolist()}")
    print(f"  x[[0, 1, 2], [4, 3, 2]] (pairs) = {x[[0, 1, 2], [4, 3, 2]].tolist()}")
    mask = x % 3 == 0
    print(f"  x[x % 3 == 0] = {x[mask].tolist()}  (a 1-D result)")
    heat_map(mask.float(), "the mask x % 3 == 0 / 掩码")
    print(f"  torch.where(mask, x, -1) = {torch.where(mask, x, -1).tolist()}")
    scores = torch.tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
    labels = torch.tensor([1, 2])
    picked = scores.gather(1, labels.unsqueeze(1)).squeeze(1)
    same = scores[torch.arange(2), labels]
    print(f"  scores.gather(1, labels[:, None]).squeeze(1) = {[round(v, 2) for v in picked.tolist()]}"
          f"  (= scores[arange(2), labels] = {[round(v, 2) for v in same.tolist()]})")

    heading("cat, stack, chunk, split", "拼接与切分")
    a, b = torch.zeros(2, 3), torch.ones(2, 3)
    show("torch.cat([a, b], dim=0)", torch.cat([a, b], dim=0))
    show("torch.cat([a, b], dim=1)", torch.cat([a, b], dim=1))
    show("torch.stack([a, b], dim=0)", torch.stack([a, b], dim=0))
    show("torch.stack([a, b], dim=2)", torch.stack([a, b], dim=2))
    y = torch.arange(7)
    print(f"  torch.chunk(arange(7), 3) -> {[c.tolist() for c in torch.chunk(y, 3)]}")
    print(f"  torch.split(arange(7), 3) -> {[c.tolist() for c in torch.split(y, 3)]}")
    print(f"  torch.split(arange(7), [2, 5]) -> {[c.tolist() for c in torch.split(y, [2, 5])]}")


def main():
    torch.set_num_threads(1)
    part_creation()
    part_shapes()
    part_broadcasting()
    part_matmul_reductions()
    part_indexing()


if __name__ == "__main__":
    main()
