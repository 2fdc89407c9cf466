"""Reference solution for `activations`."""

import numpy as np


def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    # e^(-|x|) lies in (0, 1]: it never overflows. For x >= 0 that is e^(-x); for x < 0 use
    # sigmoid(x) = e^x / (1 + e^x), and e^x = e^(-|x|) there.
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    return np.tanh(np.asarray(x, dtype=np.float64))


def tanh_grad(x):
    t = tanh(x)
    return 1.0 - t * t


def relu(x):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, 0.0)


def relu_grad(x):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, 1.0, 0.0)


def leaky_relu(x, slope=0.01):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, slope * x)


def leaky_relu_grad(x, slope=0.01):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, 1.0, float(slope)) + np.zeros_like(x)
