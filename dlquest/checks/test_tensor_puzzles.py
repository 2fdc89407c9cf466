"""Check for `tensor_puzzles`: values (float64 where the puzzle allows), shapes, stated dtypes and gradients.

Shapes are small and deliberately unequal (n != m, rows != columns) so that a transposed or broadcast-the-
wrong-way answer shows as a shape mismatch. Loops are discouraged in the stub, not forbidden: only values
are judged, plus the one forbidden call the contract names (F.one_hot).
"""

import pytest
import torch

from dlquest.grader.checklib import Rule, expect_same, to_device

RULE = Rule("F.one_hot", ops=[r"aten::one_hot"])


def gen(seed, salt):
    return torch.Generator().manual_seed(seed * 31 + salt)


def call(module, device, name, *args):
    moved = to_device(device, *args)
    return getattr(module, name)(*(moved if len(args) > 1 else (moved,)))


def call_with_gradient(module, device, name, x, *rest, upstream):
    x = to_device(device, x).detach().requires_grad_(True)
    rest = [to_device(device, r) for r in rest]
    out = getattr(module, name)(x, *rest)
    if tuple(out.shape) != tuple(upstream.shape):  # let the comparison report the shape
        return {"output": out.detach(), "gradient": "not computed: the output has the wrong shape"}
    out.backward(to_device(device, upstream))
    return {"output": out.detach(), "gradient": x.grad if x.grad is not None else "no gradient"}


@pytest.mark.parametrize("n, m", [(4, 3), (1, 5)])
def test_outer_sum(learner, reference, device, seed, n, m):
    g = gen(seed, 1)
    a, b = torch.randn(n, generator=g, dtype=torch.float64), torch.randn(m, generator=g, dtype=torch.float64)
    expect_same(learner, reference, call, device, "outer_sum", a, b, what="outer_sum(a, b)")


def guarded_one_hot(module, device, labels, num_classes):
    return module.one_hot(to_device(device, labels), num_classes)  # under the RULE


@pytest.mark.parametrize("n, num_classes", [(6, 4), (3, 7)])
def test_one_hot(learner, reference, device, seed, n, num_classes):
    labels = torch.randint(0, num_classes, (n,), generator=gen(seed, 2))
    labels[0] = num_classes - 1
    expect_same(learner, reference, guarded_one_hot, device, labels, num_classes,
                what="one_hot(labels, num_classes)", check_dtype=True)


def test_pick(learner, reference, device, seed):
    g = gen(seed, 3)
    x = torch.randn(5, 3, generator=g, dtype=torch.float64)
    index = torch.tensor([2, 0, 1, 2, 2])
    upstream = torch.randn(5, generator=g, dtype=torch.float64)
    expect_same(learner, reference, call_with_gradient, device, "pick", x, index, upstream=upstream,
                what="pick(x, index)")


def test_masked_mean(learner, reference, device, seed):
    g = gen(seed, 4)
    x = torch.randn(5, 4, generator=g, dtype=torch.float64)
    mask = torch.rand(5, 4, generator=g) < 0.5
    mask[1] = False  # a row with nothing to average: 0.0
    mask[2] = True
    upstream = torch.randn(5, generator=g, dtype=torch.float64)
    expect_same(learner, reference, call_with_gradient, device, "masked_mean", x, mask, upstream=upstream,
                what="masked_mean(x, mask)")


@pytest.mark.parametrize("n, size", [(7, 3), (5, 1), (4, 4)])
def test_sliding_windows(learner, reference, device, seed, n, size):
    x = torch.randn(n, generator=gen(seed, 5), dtype=torch.float64)
    expect_same(learner, reference, call, device, "sliding_windows", x, size, what=f"sliding_windows(x, {size})")


def test_pairwise_sq_distances(learner, reference, device, seed):
    g = gen(seed, 6)
    A = torch.randn(4, 3, generator=g, dtype=torch.float64)
    B = torch.randn(6, 3, generator=g, dtype=torch.float64)
    B[0] = A[1]  # one distance exactly 0
    expect_same(learner, reference, call, device, "pairwise_sq_distances", A, B, what="pairwise_sq_distances(A, B)",
                atol=1e-10)


def test_to_channels_last(learner, reference, device, seed):
    x = torch.randn(2, 3, 4, 5, generator=gen(seed, 7), dtype=torch.float64)
    expect_same(learner, reference, call, device, "to_channels_last", x, what="to_channels_last(x)")
