"""Exercise `conv2d`: a 2-D convolution written with tensor operations (PyTorch).

Implement ``conv2d(input, weight, bias=None, stride=1, padding=0)`` so that it returns exactly what
``torch.nn.functional.conv2d(input, weight, bias, stride=stride, padding=padding)`` returns:

- ``input``: shape (N, C_in, H, W) — a batch of N images with C_in channels (NCHW).
- ``weight``: shape (C_out, C_in, kH, kW) — one kernel per output channel, spanning all input channels.
- ``bias``: ``None`` or shape (C_out,), added to every position of its output channel.
- ``stride`` and ``padding``: an int, or a pair (for height, for width). Padding adds zeros on both sides.
- Output: shape (N, C_out, H_out, W_out) with
      H_out = (H + 2 * pad_h - kH) // stride_h + 1      (and the same for W),
  where out[n, o, i, j] = bias[o] + sum over c, u, v of
      input_padded[n, c, i * stride_h + u, j * stride_w + v] * weight[o, c, u, v]
  (cross-correlation: the kernel is not flipped). Same dtype and device as ``input``.
- Gradients must flow back to ``input``, ``weight`` and ``bias``: use differentiable tensor operations
  (no ``.detach()``, no NumPy, no in-place writes into tensors that need gradients).
- Do not call a built-in convolution (``F.conv2d``, ``torch.conv2d``, ``nn.Conv2d``, …): the grader
  notices. Loops over output positions, or ``F.unfold`` with a matrix multiply, are both fine.

Check your work with:  dlquest check conv2d
"""

import torch
import torch.nn.functional as F


def conv2d(input, weight, bias=None, stride=1, padding=0):
    # TODO: pad the input, slide each kernel over it, sum over channels and kernel positions, add the bias.
    raise NotImplementedError("conv2d")
