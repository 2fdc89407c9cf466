"""Exercise `losses`: mean squared error, binary cross-entropy and cross-entropy, in PyTorch.

All three take PyTorch tensors and return a 0-dim tensor (the mean over all terms), built from
differentiable tensor operations so that ``loss.backward()`` gives the gradients PyTorch's own losses give.
Keep the input's dtype and device. Do not call PyTorch's losses (``F.mse_loss``,
``F.binary_cross_entropy``, ``F.cross_entropy``, ``F.nll_loss``) nor ``log_softmax``/``logsumexp``:
the grader notices. The grader checks exactly this contract:

- ``mse_loss(pred, target)``: pred and target have the same shape;
      mean over all elements of (pred − target)²
  (equal to ``F.mse_loss(pred, target)``).

- ``binary_cross_entropy(prob, target)``: prob holds probabilities in [0, 1] (0 and 1 included), target
  the same shape with values in [0, 1] (usually 0 or 1); the mean over all elements of
      −( target · max(log(prob), −100) + (1 − target) · max(log(1 − prob), −100) )
  Each log is clamped from below at −100, exactly as ``F.binary_cross_entropy`` does, so prob = 0 with
  target = 1 costs 100, not infinity, and 0 · log(0) never becomes NaN. Clamp the *logs*, not the
  probabilities, and add no epsilon.

- ``cross_entropy(logits, target)``: logits of shape (N, C) are raw scores (no softmax applied);
  target of shape (N,) holds integer class indices in [0, C). The loss of sample n is
      log( Σ_j exp(logits[n, j]) ) − logits[n, target[n]]
  and the result is the mean over the N samples (equal to ``F.cross_entropy(logits, target)``).
  It must stay finite and exact for logits as large as ±1000: exp(1000) overflows, so subtract each row's
  maximum m first, using  log Σ_j exp(z_j) = m + log Σ_j exp(z_j − m).

Check your work with:  dlquest check losses
"""

import torch


def mse_loss(pred, target):
    # TODO: the mean of the squared differences.
    raise NotImplementedError("mse_loss")


def binary_cross_entropy(prob, target):
    # TODO: clamp each log at -100 (torch.clamp(..., min=-100)), combine, take the mean.
    raise NotImplementedError("binary_cross_entropy")


def cross_entropy(logits, target):
    # TODO: a stable log-sum-exp per row, minus the logit of the target class, averaged over the rows.
    raise NotImplementedError("cross_entropy")
