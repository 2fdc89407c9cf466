"""Exercise `perceptron`: the single-layer perceptron with the perceptron learning rule (NumPy only).

Implement the class below. The grader checks exactly this contract:

- ``Perceptron(learning_rate=0.01, n_iterations=1000)`` stores both settings.
- ``fit(X, y)``: ``X`` has shape (n_samples, n_features), ``y`` holds labels 0 or 1.
  1. Reset ``self.weights`` to zeros of shape (n_features,) (float) and ``self.bias`` to 0.0,
     on *every* call, so that fitting twice does not continue from the previous fit.
  2. Make ``n_iterations`` full passes over the samples, in their given order. For each sample x with
     label y: predict ŷ = 1 if w·x + b >= 0 else 0, then update
         w += learning_rate * (y - ŷ) * x
         b += learning_rate * (y - ŷ)
     (updating after each sample, not once per pass).
  3. Return ``self``.
- ``predict(X)``: for each row x of ``X`` return 1 if w·x + b >= 0 else 0 (note: >= 0 gives 1),
  as a NumPy array of shape (n_samples,).

Check your work with:  dlquest check perceptron
"""

import numpy as np


class Perceptron:
    def __init__(self, learning_rate=0.01, n_iterations=1000):
        self.learning_rate = learning_rate
        self.n_iterations = n_iterations
        self.weights = None
        self.bias = None

    def fit(self, X, y):
        # TODO: reset weights and bias, then apply the learning rule sample by sample.
        raise NotImplementedError("Perceptron.fit")

    def predict(self, X):
        # TODO: 1 where X @ weights + bias >= 0, else 0.
        raise NotImplementedError("Perceptron.predict")
