"""Exercise `optimizers`: SGD with momentum and Adam, written by hand, equal to ``torch.optim.SGD`` and
``torch.optim.Adam``.

Both classes are used exactly like PyTorch's optimizers:

    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for ...:
        opt.zero_grad()
        loss = ...
        loss.backward()
        opt.step()

The grader checks exactly this contract, running k steps on a small model next to the reference (which
equals PyTorch's optimizers step for step):

- ``params`` is an iterable of tensors with ``requires_grad=True``, often a *generator* such as
  ``model.parameters()``: store ``list(params)``, since a generator can be walked only once.
- ``zero_grad()`` sets every parameter's ``.grad`` to ``None`` (as PyTorch does by default).
- ``step()`` updates every parameter *in place* (the caller's tensors must change), inside
  ``with torch.no_grad():`` (an in-place change of a leaf that requires grad is an error otherwise).
  A parameter whose ``.grad`` is ``None`` is skipped and its state is left alone. Keep per-parameter
  state (momentum buffer; Adam's m, v and step count t) between calls, e.g. in a dict or a list parallel
  to the parameters: like PyTorch, each parameter's t counts only the steps in which it had a gradient.

``SGD(params, lr=0.001, momentum=0.0, weight_decay=0.0)`` — for each parameter p with gradient g:
      g ← g + weight_decay · p                      (only if weight_decay != 0)
      if momentum != 0:
          buf ← g                                   on the first step (a copy of g, *not* (1 − momentum)·g)
          buf ← momentum · buf + g                  on later steps
          g ← buf
      p ← p − lr · g

``Adam(params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)`` — with β1, β2 = betas, moments
m and v starting at zero and a step count t starting at 0, for each parameter p with gradient g:
      t ← t + 1
      g ← g + weight_decay · p                      (only if weight_decay != 0; plain L2, not AdamW)
      m ← β1 · m + (1 − β1) · g
      v ← β2 · v + (1 − β2) · g²
      m̂ ← m / (1 − β1^t)                            bias correction
      v̂ ← v / (1 − β2^t)
      p ← p − lr · m̂ / (√v̂ + eps)                   eps is added *after* the square root

Do not use ``torch.optim`` (nor the fused ``torch._foreach_*`` / ``torch._fused_*`` kernels it runs on):
the grader notices.

Check your work with:  dlquest check optimizers
"""

import torch


class SGD:
    def __init__(self, params, lr=0.001, momentum=0.0, weight_decay=0.0):
        # TODO: store the parameters as a list, the settings, and room for one momentum buffer per parameter.
        raise NotImplementedError("SGD.__init__")

    def zero_grad(self):
        # TODO: set every parameter's .grad to None.
        raise NotImplementedError("SGD.zero_grad")

    def step(self):
        # TODO: under torch.no_grad(), update every parameter that has a gradient, in place.
        raise NotImplementedError("SGD.step")


class Adam:
    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        # TODO: store the parameters as a list, the settings, the moments m and v (zeros) and the step count.
        raise NotImplementedError("Adam.__init__")

    def zero_grad(self):
        # TODO: set every parameter's .grad to None.
        raise NotImplementedError("Adam.zero_grad")

    def step(self):
        # TODO: under torch.no_grad(), apply one Adam update to every parameter that has a gradient, in place.
        raise NotImplementedError("Adam.step")
