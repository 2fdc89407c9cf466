"""Reference solution for `kmeans`: Lloyd's algorithm with vectorised distances."""

import numpy as np


def _assign(X, centroids):
    # (n, k) squared distances; argmin returns the first (lowest) index on ties.
    distances = ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    return np.argmin(distances, axis=1)


def kmeans(X, initial_centroids, max_iterations=100):
    X = np.asarray(X, dtype=float)
    centroids = np.array(initial_centroids, dtype=float)  # a copy: the caller's array stays as it was
    labels = _assign(X, centroids)
    n_iterations = 0
    for _ in range(max_iterations):
        n_iterations += 1
        for j in range(len(centroids)):
            members = X[labels == j]
            if len(members) > 0:
                centroids[j] = members.mean(axis=0)
        new_labels = _assign(X, centroids)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return centroids, labels, n_iterations
