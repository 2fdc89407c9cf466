"""Exercise `grad_clip`: clip gradients by their global norm, like ``torch.nn.utils.clip_grad_norm_``.

Implement ``clip_grad_norm_(parameters, max_norm)`` so that it does what
``torch.nn.utils.clip_grad_norm_(parameters, max_norm)`` does (with its default L2 norm):

- ``parameters``: an iterable of tensors, for example ``model.parameters()`` — which is a *generator*:
  it can be walked only once, so turn it into a list first. A parameter whose ``.grad`` is ``None`` is
  skipped (it neither counts in the norm nor gets changed).
- ``total_norm``: the L2 norm of all gradients together, as if they were concatenated into one vector:
      total_norm = sqrt( Σ over parameters p of Σ over the elements of p.grad of element² )
- ``clip_coef = max_norm / (total_norm + 1e-6)``, then ``clip_coef_clamped = min(clip_coef, 1.0)``.
  Multiply every gradient by ``clip_coef_clamped`` in place (``p.grad.mul_(...)``, under
  ``torch.no_grad()``): large gradients shrink so that their norm becomes (almost exactly) max_norm, and
  small ones are never scaled up. All gradients are scaled by the same factor, so the direction of the
  whole update is kept.
- Return ``total_norm``, the norm *before* clipping, as a 0-dim tensor with the gradients' dtype
  (on their device).

Do not call ``torch.nn.utils.clip_grad_norm_`` (or ``clip_grad_norm``, or the fused ``torch._foreach_norm`` /
``torch._foreach_mul_`` kernels it runs on): the grader notices. Tensor
operations like ``torch.linalg.vector_norm``, ``.norm()``, ``.pow(2).sum()`` and ``torch.sqrt`` are fine.

Check your work with:  dlquest check grad_clip
"""

import torch


def clip_grad_norm_(parameters, max_norm):
    # TODO: collect the gradients, compute their global L2 norm, scale them in place, return the norm.
    raise NotImplementedError("clip_grad_norm_")
