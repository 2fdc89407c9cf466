"""Exercise `mixup`: mix a batch of inputs and its loss, as mixup training does (PyTorch).

Mixup trains on blends of two samples: each input is mixed with another input of the same batch, and the loss
is mixed with the same weight between the two labels. Drawing λ and the partner of each sample is random;
here both are given, so the grader can compare your result with the reference exactly. Implement:

``mixup_batch(x, y, lam, perm) -> (mixed_x, y_a, y_b)``
- ``x``: a float tensor of inputs, shape (N, ...) — for images (N, C, H, W). ``y``: int64 labels, shape (N,).
- ``lam``: a Python float in [0, 1] (in training, drawn from Beta(α, α)).
- ``perm``: an int64 tensor of shape (N,), a permutation of 0 … N−1 (in training, ``torch.randperm(N)``):
  sample i is mixed with sample ``perm[i]``.
- ``mixed_x = lam * x + (1 - lam) * x[perm]``  (same shape and dtype as x; λ weighs the ORIGINAL order)
- ``y_a = y`` and ``y_b = y[perm]``.
- Gradients must flow from ``mixed_x`` back to ``x`` (no ``.detach()``, no ``torch.no_grad()``), and neither
  ``x`` nor ``y`` may change (no in-place operations on them).

``mixup_loss(loss_fn, pred, y_a, y_b, lam)``
- ``loss_fn(pred, target)``: any loss function, e.g. ``nn.CrossEntropyLoss()`` or ``F.cross_entropy``.
- Returns ``lam * loss_fn(pred, y_a) + (1 - lam) * loss_fn(pred, y_b)``: call ``loss_fn`` once per label
  set, with ``pred`` first; whatever it returns (a scalar, or one loss per sample) is mixed as it is.
- Gradients must flow back to ``pred``.

Worked example: with λ = 0.7, x = [[1.], [3.]], y = [0, 1] and perm = [1, 0], mixed_x = [[1.6], [2.4]],
y_a = [0, 1], y_b = [1, 0]; the loss is 0.7 · L(pred, [0, 1]) + 0.3 · L(pred, [1, 0]).

Check your work with:  dlquest check mixup
"""

import torch


def mixup_batch(x, y, lam, perm):
    # TODO: blend every input with its partner x[perm], and return the two label sets.
    raise NotImplementedError("mixup_batch")


def mixup_loss(loss_fn, pred, y_a, y_b, lam):
    # TODO: the loss against y_a weighted by lam, plus the loss against y_b weighted by 1 - lam.
    raise NotImplementedError("mixup_loss")
