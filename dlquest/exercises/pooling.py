"""Exercise `pooling`: max pooling and average pooling written with tensor operations (PyTorch).

Implement two functions that return exactly what PyTorch's pooling functions return **without padding**:

    max_pool2d(input, kernel_size, stride=None)   ==  F.max_pool2d(input, kernel_size, stride)
    avg_pool2d(input, kernel_size, stride=None)   ==  F.avg_pool2d(input, kernel_size, stride)

- ``input``: shape (N, C, H, W). Every channel of every image is pooled on its own: channels never mix.
- ``kernel_size``: an int, or a pair (kH, kW). ``stride``: an int, a pair (sH, sW), or ``None``;
  ``None`` means "the same as the kernel size" (non-overlapping windows), as in PyTorch.
- Output: shape (N, C, H_out, W_out) with
      H_out = (H - kH) // sH + 1        W_out = (W - kW) // sW + 1
  (rounded down: rows or columns left over at the bottom or right that no full window reaches are dropped).
  The window of output position (i, j) covers rows ``i*sH … i*sH + kH - 1`` and columns ``j*sW … j*sW + kW - 1``:
      max_pool2d:  out[n, c, i, j] = the largest value in that window
      avg_pool2d:  out[n, c, i, j] = the sum of that window / (kH * kW)
  Same dtype and device as ``input``.
- Gradients must flow back to ``input`` as they do in PyTorch:
      max pooling sends each output's gradient to the position of its window's maximum (the other positions
      of the window get nothing from that output);
      average pooling spreads each output's gradient evenly: 1 / (kH * kW) of it to every position of its window.
  Where windows overlap (stride < kernel), a position collects the gradients of every window it belongs to.
  The grader's inputs have no ties inside a window, so how you break ties is up to you.
  Use differentiable tensor operations (no ``.item()``, no NumPy, no ``.detach()``).
- Do not call a built-in pooling function (``F.max_pool2d``, ``F.avg_pool2d``, ``nn.MaxPool2d``,
  ``F.adaptive_avg_pool2d``, …): the grader notices. Loops over output positions, ``Tensor.unfold`` or
  ``F.unfold`` are all fine.

Check your work with:  dlquest check pooling
"""

import torch
import torch.nn.functional as F


def max_pool2d(input, kernel_size, stride=None):
    # TODO: turn kernel_size and stride into pairs (stride None -> the kernel size), cut out every window,
    # and take the largest value of each.
    raise NotImplementedError("max_pool2d")


def avg_pool2d(input, kernel_size, stride=None):
    # TODO: the same windows as max_pool2d; take the mean of each.
    raise NotImplementedError("avg_pool2d")
