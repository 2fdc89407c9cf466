"""Exercise `mlp_numpy`: forward and backward pass of a two-layer network with sigmoid units, in NumPy,
trained by gradient descent until it solves XOR.

Shapes (n samples, d inputs, h hidden units, k outputs) and names, used by every function:

    X: (n, d)   Y: (n, k)   params = {"W1": (d, h), "b1": (h,), "W2": (h, k), "b2": (k,)}

    Z1 = X @ W1 + b1        A1 = sigmoid(Z1)        (n, h)
    Z2 = A1 @ W2 + b2       A2 = sigmoid(Z2)        (n, k)   the output
    L  = Σ (A2 − Y)² / (2n)                         half the squared error, summed over all outputs,
                                                    divided by the number of samples n

``init_params`` and ``sigmoid`` are given; do not change them. The grader checks exactly this contract:

- ``forward(params, X)`` returns A2.
- ``loss(params, X, Y)`` returns L as a float.
- ``gradients(params, X, Y)`` returns a dict with the keys "W1", "b1", "W2", "b2": the partial
  derivatives ∂L/∂W1, ∂L/∂b1, ∂L/∂W2, ∂L/∂b2, each with the same shape as its parameter (b1 and b2 are
  1-D), computed by backpropagation (the chain rule), not numerically. They must equal central finite
  differences of ``loss`` (step 1e-6, float64). ``params`` must not be changed.
  Remember sigmoid'(z) = sigmoid(z) · (1 − sigmoid(z)).
- ``train(X, Y, n_hidden=4, lr=2.0, epochs=5000, seed=0)``:
      params = init_params(X.shape[1], n_hidden, Y.shape[1], seed)
      then ``epochs`` times: compute the loss and all four gradients at the current params, record the
      loss, then update every parameter at once:  P ← P − lr · ∂L/∂P   (full-batch gradient descent)
  Return ``(params, losses)``: the final params and the list of the ``epochs`` recorded losses (each taken
  before its update). With these defaults it learns XOR: thresholding A2 at 0.5 gives 0, 1, 1, 0.

Check your work with:  dlquest check mlp_numpy
"""

import numpy as np


def sigmoid(z):
    """1 / (1 + e^(-z)), without overflow for large |z|."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def init_params(n_in, n_hidden, n_out, seed=0):
    """Standard-normal weights from the given seed, zero biases."""
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(0.0, 1.0, size=(n_in, n_hidden)),
        "b1": np.zeros(n_hidden),
        "W2": rng.normal(0.0, 1.0, size=(n_hidden, n_out)),
        "b2": np.zeros(n_out),
    }


def forward(params, X):
    # TODO: Z1, A1, Z2, A2 as in the docstring; return A2.
    raise NotImplementedError("forward")


def loss(params, X, Y):
    # TODO: half the squared error, summed, divided by the number of samples.
    raise NotImplementedError("loss")


def gradients(params, X, Y):
    # TODO: forward pass (keep A1 and A2), then backward: the error at the output, through W2, through the
    # hidden sigmoid. Return {"W1": ..., "b1": ..., "W2": ..., "b2": ...}.
    raise NotImplementedError("gradients")


def train(X, Y, n_hidden=4, lr=2.0, epochs=5000, seed=0):
    # TODO: init_params, then `epochs` steps of full-batch gradient descent; return (params, losses).
    raise NotImplementedError("train")
