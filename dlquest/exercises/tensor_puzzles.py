"""Exercise `tensor_puzzles`: seven small functions made of shape and indexing operations (PyTorch).

Each function has one short answer built from broadcasting, indexing, masks and shape operations
(``unsqueeze``, ``view``/``reshape``, ``permute``, ``arange``, comparisons, ``sum``/``mean`` along a dimension,
``gather``, ``unfold``, …). Try to solve every puzzle without Python loops (no ``for``/``while``, no
comprehensions over elements): loops work, but they are what these puzzles teach you to avoid, and on a
GPU they are slow. The grader judges values, shapes, dtypes where stated, and gradients where stated.
Every function must work for tensors on any device (create new tensors on ``x.device``).

1. ``outer_sum(a, b)``: a has shape (n,), b has shape (m,). Return shape (n, m) with
   out[i, j] = a[i] + b[j].
2. ``one_hot(labels, num_classes)``: labels is an int64 tensor of shape (n,) with values in
   [0, num_classes). Return a float32 tensor of shape (n, num_classes) with out[i, labels[i]] = 1 and 0
   elsewhere. Do not call ``F.one_hot`` / ``torch.nn.functional.one_hot`` (the grader notices).
3. ``pick(x, index)``: x has shape (n, k), index is int64 of shape (n,). Return shape (n,) with
   out[i] = x[i, index[i]]. Gradients must flow back to x.
4. ``masked_mean(x, mask)``: x is float of shape (n, k), mask is bool of the same shape. Return shape (n,):
   the mean of the x[i, j] where mask[i, j] is True, and 0.0 for a row whose mask is all False (not NaN).
   Gradients must flow back to x.
5. ``sliding_windows(x, size)``: x has shape (n,), 1 <= size <= n. Return shape (n - size + 1, size) with
   out[i] = x[i : i + size] (every window, stride 1).
6. ``pairwise_sq_distances(A, B)``: A has shape (n, d), B has shape (m, d). Return shape (n, m) with
   out[i, j] = sum over t of (A[i, t] − B[j, t])², the squared Euclidean distance.
7. ``to_channels_last(x)``: x has shape (N, C, H, W). Return shape (N, H, W, C) with
   out[n, h, w, c] = x[n, c, h, w].

Unless stated otherwise, results have x's (or a's, A's) dtype.

Check your work with:  dlquest check tensor_puzzles
"""

import torch


def outer_sum(a, b):
    raise NotImplementedError("outer_sum")


def one_hot(labels, num_classes):
    raise NotImplementedError("one_hot")


def pick(x, index):
    raise NotImplementedError("pick")


def masked_mean(x, mask):
    raise NotImplementedError("masked_mean")


def sliding_windows(x, size):
    raise NotImplementedError("sliding_windows")


def pairwise_sq_distances(A, B):
    raise NotImplementedError("pairwise_sq_distances")


def to_channels_last(x):
    raise NotImplementedError("to_channels_last")
