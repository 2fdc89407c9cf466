"""Reference solution for `mlp_numpy`."""

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


def _forward(params, X):
    A1 = sigmoid(X @ params["W1"] + params["b1"])
    A2 = sigmoid(A1 @ params["W2"] + params["b2"])
    return A1, A2


def forward(params, X):
    return _forward(params, X)[1]


def loss(params, X, Y):
    A2 = forward(params, X)
    return float(np.sum((A2 - Y) ** 2) / (2 * X.shape[0]))


def gradients(params, X, Y):
    n = X.shape[0]
    A1, A2 = _forward(params, X)
    dZ2 = (A2 - Y) / n * A2 * (1.0 - A2)           # ∂L/∂Z2, (n, k)
    dZ1 = (dZ2 @ params["W2"].T) * A1 * (1.0 - A1)  # ∂L/∂Z1, (n, h)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def train(X, Y, n_hidden=4, lr=2.0, epochs=5000, seed=0):
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    params = init_params(X.shape[1], n_hidden, Y.shape[1], seed)
    losses = []
    for _ in range(epochs):
        losses.append(loss(params, X, Y))
        grads = gradients(params, X, Y)
        params = {name: value - lr * grads[name] for name, value in params.items()}
    return params, losses
