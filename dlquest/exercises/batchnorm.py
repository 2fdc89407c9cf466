"""Exercise `batchnorm`: BatchNorm2d written by hand, interchangeable with torch.nn.BatchNorm2d (PyTorch).

Implement the class ``BatchNorm2d(num_features, eps=1e-5, momentum=0.1)``, an ``nn.Module`` that behaves
exactly like ``torch.nn.BatchNorm2d(num_features, eps=eps, momentum=momentum)`` (affine, tracking running
statistics). The grader checks exactly this contract:

State — the names are fixed, so that ``state_dict()`` interchanges with ``nn.BatchNorm2d`` in both directions:
- parameters ``weight`` (γ, shape (C,), initialised to ones) and ``bias`` (β, shape (C,), zeros), both
  ``nn.Parameter``; no other parameters;
- buffers (``self.register_buffer``) ``running_mean`` (shape (C,), zeros), ``running_var`` (shape (C,), ones)
  and ``num_batches_tracked`` (a 0-dimensional ``torch.long`` tensor, 0);
- ``self.eps`` and ``self.momentum`` keep the constructor's values.

``forward(x)``: ``x`` has shape (N, C, H, W). Every channel c is normalised on its own, over the N·H·W values
``x[:, c, :, :]`` (axes 0, 2 and 3), and the result has the shape and dtype of ``x``:

    y = weight[c] · (x − mean_c) / √(var_c + eps) + bias[c]

- Training mode (``self.training`` is True): mean_c and var_c are the statistics of this batch, with the
  *biased* variance (divide by m = N·H·W). Gradients flow through them (do not detach them). Then, without
  recording them for autograd (``torch.no_grad()`` or ``.detach()``), update the buffers:

      running_mean ← (1 − momentum) · running_mean + momentum · mean_c
      running_var  ← (1 − momentum) · running_var  + momentum · var_c · m / (m − 1)   (the *unbiased* variance)
      num_batches_tracked ← num_batches_tracked + 1

  The running statistics are never used to normalise in training mode.
- Evaluation mode (after ``.eval()``): mean_c and var_c are ``running_mean[c]`` and ``running_var[c]``;
  the buffers do not change. Gradients flow to ``x``, ``weight`` and ``bias`` in both modes.

Do not call a built-in batch norm (``F.batch_norm``, ``torch.batch_norm``, ``nn.BatchNorm2d``,
``F.instance_norm``, …): the grader notices. ``x.mean(dim=…)``, ``x.var(dim=…, unbiased=False)`` and plain
arithmetic are all you need.

Check your work with:  dlquest check batchnorm
"""

import torch
import torch.nn as nn


class BatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        # TODO: super().__init__(); store eps and momentum; the parameters weight and bias;
        #       the buffers running_mean, running_var and num_batches_tracked (register_buffer).
        raise NotImplementedError("BatchNorm2d.__init__")

    def forward(self, x):
        # TODO: pick batch statistics (training) or running statistics (eval), normalise, scale and shift;
        #       in training, update the running buffers without autograd.
        raise NotImplementedError("BatchNorm2d.forward")
