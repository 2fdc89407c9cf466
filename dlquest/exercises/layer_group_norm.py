"""Exercise `layer_group_norm`: LayerNorm and GroupNorm written by hand (PyTorch).

Implement the two functions below so that they return exactly what PyTorch's functions return. Both use the
*biased* variance (divide by the number of values normalised, not by that number minus one) and put ``eps``
inside the square root:  x̂ = (x − mean) / √(var + eps).

``layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5)`` — equals
``torch.nn.functional.layer_norm(x, normalized_shape, weight, bias, eps)``:
- ``normalized_shape`` is an int or a tuple/list of ints, and equals the last ``k`` sizes of ``x.shape``
  (``k = 1`` for an int). Each slice ``x[i₁, …, i_j, :, …, :]`` over those last ``k`` axes is normalised on
  its own: mean and variance over those ``k`` axes together.
- ``weight`` and ``bias`` are ``None`` or tensors of shape ``normalized_shape``: then
  ``y = x̂ · weight + bias``, elementwise (broadcast over the leading axes). With ``None``, y = x̂.

``group_norm(x, num_groups, weight=None, bias=None, eps=1e-5)`` — equals
``torch.nn.functional.group_norm(x, num_groups, weight, bias, eps)``:
- ``x`` has shape (N, C, *) — any number of trailing axes, possibly none; ``C`` is divisible by
  ``num_groups``. The channels are split into ``num_groups`` groups of ``C // num_groups`` *consecutive*
  channels (group g holds channels g·C/G … (g+1)·C/G − 1). For each sample n and group g, mean and
  variance are taken over all channels of the group and all trailing positions together.
- ``weight`` and ``bias`` are ``None`` or shape (C,): one scale and one shift *per channel* (not per group),
  ``y[n, c, …] = x̂[n, c, …] · weight[c] + bias[c]``.
- With ``num_groups = 1`` this is a layer norm over (C, *); with ``num_groups = C`` it is an instance norm.

Both: the result has the shape and dtype of ``x``; gradients flow back to ``x``, ``weight`` and ``bias``
(differentiable tensor operations only). Do not call ``F.layer_norm``, ``F.group_norm``, ``F.batch_norm``,
``F.instance_norm`` or the ``nn`` modules built on them: the grader notices.
Careful: ``torch.var`` and ``Tensor.var`` divide by n − 1 unless you pass ``unbiased=False`` (or ``correction=0``).

Check your work with:  dlquest check layer_group_norm
"""

import torch


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    # TODO: the axes to normalise are the last len(normalized_shape) ones; mean and biased variance over them
    #       (keepdim=True), normalise, then the elementwise affine when weight / bias are given.
    raise NotImplementedError("layer_norm")


def group_norm(x, num_groups, weight=None, bias=None, eps=1e-5):
    # TODO: reshape to (N, num_groups, -1), normalise each row, reshape back to x.shape,
    #       then scale and shift per channel (shape (1, C, 1, …)).
    raise NotImplementedError("group_norm")
