"""Exercise `activations`: four activation functions and their derivatives, in NumPy.

Every function takes ``x``, a NumPy array of floats of any shape, and returns a new float64 array of the
same shape, computed element by element. Do not change ``x``. The grader checks exactly this contract:

- ``sigmoid(x)``            = 1 / (1 + e^(−x))
- ``sigmoid_grad(x)``       = sigmoid(x) · (1 − sigmoid(x))
- ``tanh(x)``               = (e^x − e^(−x)) / (e^x + e^(−x))      (``np.tanh`` is allowed)
- ``tanh_grad(x)``          = 1 − tanh(x)²
- ``relu(x)``               = x where x > 0, else 0
- ``relu_grad(x)``          = 1.0 where x > 0, else 0.0            (so relu_grad(0) = 0)
- ``leaky_relu(x, slope=0.01)``      = x where x > 0, else slope · x
- ``leaky_relu_grad(x, slope=0.01)`` = 1.0 where x > 0, else slope  (so leaky_relu_grad(0) = slope)

Numerically safe: every function must return finite values for inputs as large as ±1000 (and beyond)
*without* an overflow or invalid-value warning. The grader runs your functions inside
``np.errstate(over="raise", invalid="raise", divide="raise")``, which turns such a warning into an error.
For example ``1 / (1 + np.exp(-x))`` overflows at x = −1000 (e^1000 is too large for float64); so does
``np.where(x >= 0, a, b)`` if computing ``a`` or ``b`` overflows anywhere, since np.where evaluates both.
(Results too small for float64, like e^(−1000), may quietly become 0: that is not an error.)

Check your work with:  dlquest check activations
"""

import numpy as np


def sigmoid(x):
    # TODO: 1 / (1 + e^(-x)), without ever computing e to a large positive power.
    raise NotImplementedError("sigmoid")


def sigmoid_grad(x):
    # TODO: s * (1 - s) with s = sigmoid(x).
    raise NotImplementedError("sigmoid_grad")


def tanh(x):
    # TODO
    raise NotImplementedError("tanh")


def tanh_grad(x):
    # TODO: 1 - tanh(x)**2.
    raise NotImplementedError("tanh_grad")


def relu(x):
    # TODO
    raise NotImplementedError("relu")


def relu_grad(x):
    # TODO: 1.0 where x > 0, else 0.0 (a float array, not booleans).
    raise NotImplementedError("relu_grad")


def leaky_relu(x, slope=0.01):
    # TODO
    raise NotImplementedError("leaky_relu")


def leaky_relu_grad(x, slope=0.01):
    # TODO: 1.0 where x > 0, else slope.
    raise NotImplementedError("leaky_relu_grad")
