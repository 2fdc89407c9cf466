"""Exercise `custom_autograd`: ReLU and SiLU as torch.autograd.Function subclasses (PyTorch).

Autograd lets you define an operation by its forward pass *and* its backward pass. Implement both static
methods of the two classes below. The grader checks exactly this contract:

``ReLUFunction`` — forward(ctx, x) returns max(x, 0) elementwise (same shape, dtype and device as x).
  backward(ctx, grad_output) returns grad_output * 1 where x > 0 and 0 where x <= 0 (at exactly 0 the
  gradient is 0, as for torch.relu).

``SiLUFunction`` (also called swish) — forward(ctx, x) returns x · σ(x), where σ(x) = 1 / (1 + e^(−x)).
  backward(ctx, grad_output) returns grad_output * d/dx[x · σ(x)], where
      d/dx[x · σ(x)] = σ(x) · (1 + x · (1 − σ(x)))

Rules:
- Save what backward needs in forward with ``ctx.save_for_backward(...)`` and read it back with
  ``ctx.saved_tensors``. Return one gradient per input of forward.
- Write the derivatives yourself: backward must not call autograd (no ``torch.autograd.grad``, no
  ``.backward()``). ``torch.sigmoid`` is fine for σ.
- Your backward must pass ``torch.autograd.gradcheck`` in float64: the grader runs it on small inputs.
- ``relu(x)`` and ``silu(x)`` (given below) call ``.apply``; keep them as they are.

Check your work with:  dlquest check custom_autograd
"""

import torch


class ReLUFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        # TODO: save x for backward, return max(x, 0).
        raise NotImplementedError("ReLUFunction.forward")

    @staticmethod
    def backward(ctx, grad_output):
        # TODO: the gradient passes where x > 0, and is 0 elsewhere.
        raise NotImplementedError("ReLUFunction.backward")


class SiLUFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        # TODO: save x for backward, return x * sigmoid(x).
        raise NotImplementedError("SiLUFunction.forward")

    @staticmethod
    def backward(ctx, grad_output):
        # TODO: grad_output * sigmoid(x) * (1 + x * (1 - sigmoid(x))).
        raise NotImplementedError("SiLUFunction.backward")


def relu(x):
    return ReLUFunction.apply(x)


def silu(x):
    return SiLUFunction.apply(x)
