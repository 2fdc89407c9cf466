"""Reference solution for `perceptron`."""

import numpy as np


class Perceptron:
    def __init__(self, learning_rate=0.01, n_iterations=1000):
        self.learning_rate = learning_rate
        self.n_iterations = n_iterations
        self.weights = None
        self.bias = None

    def fit(self, X, y):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y)
        self.weights = np.zeros(X.shape[1])
        self.bias = 0.0
        for _ in range(self.n_iterations):
            for sample, target in zip(X, y):
                predicted = 1 if sample @ self.weights + self.bias >= 0 else 0
                step = self.learning_rate * (target - predicted)
                self.weights += step * sample
                self.bias += step
        return self

    def predict(self, X):
        scores = np.asarray(X, dtype=float) @ self.weights + self.bias
        return (scores >= 0).astype(int)
