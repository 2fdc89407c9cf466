"""Exercise `linear_regression`: linear regression fitted by batch gradient descent (NumPy only).

Implement ``fit_linear_regression(X, y, learning_rate=0.05, n_iterations=1000)``. The grader checks exactly
this contract:

- ``X`` has shape (n_samples, n_features), ``y`` shape (n_samples,). Work in float64
  (``np.asarray(X, dtype=float)``) and do not modify the arrays you are given.
- The model predicts ŷ = X @ w + b, with one weight per feature in ``w`` and one scalar bias ``b``.
- The loss is the mean squared error with the 1/n convention (no 1/2 in front):
      L(w, b) = (1/n) · Σᵢ (xᵢ·w + b − yᵢ)²
  whose gradients, with the residuals r = X @ w + b − y, are
      ∂L/∂w = (2/n) · Xᵀ r          ∂L/∂b = (2/n) · Σᵢ rᵢ
- Start from zeros: ``w = np.zeros(n_features)`` and ``b = 0.0``.
- Then make exactly ``n_iterations`` steps. In every step:
  1. compute the residuals r with the current w and b, and record the current loss L(w, b) = mean(r²);
  2. compute both gradients from those same residuals;
  3. update both parameters at once:  w ← w − learning_rate · ∂L/∂w,  b ← b − learning_rate · ∂L/∂b
     (the bias gradient uses the residuals from before the weight update, not after it).
  Use all samples in every step (batch gradient descent, no shuffling, no mini-batches).
- Return a tuple ``(w, b, losses)``:
  ``w``: NumPy float array of shape (n_features,); ``b``: a float;
  ``losses``: a list of ``n_iterations`` floats, ``losses[t]`` = the loss recorded at the start of step t,
  that is, before that step's update (so ``losses[0]`` is the loss of the all-zero model, mean(y²)).

With enough steps and a suitable learning rate on well-conditioned data, (w, b) approaches the exact
least-squares solution, the one ``np.linalg.lstsq`` gives for the matrix [X, 1]; the grader checks that too
(every entry of w and b within 1e-6 of it, after 3000 steps at learning rate 0.1 on standard-normal features).

Check your work with:  dlquest check linear_regression
"""

import numpy as np


def fit_linear_regression(X, y, learning_rate=0.05, n_iterations=1000):
    # TODO: start from zeros, then n_iterations batch gradient-descent steps on the MSE; return (w, b, losses).
    raise NotImplementedError("fit_linear_regression")
