"""Exercise `kmeans`: Lloyd's algorithm for k-means clustering, from given starting centroids (NumPy only).

Implement ``kmeans(X, initial_centroids, max_iterations=100)``. The grader checks exactly this contract:

- ``X`` has shape (n_samples, n_features); ``initial_centroids`` has shape (k, n_features): row j is where
  cluster j starts. Work in float64 and never modify the arrays you are given (copy the centroids first).
- Distance: the squared Euclidean distance ‖x − c‖². A point's label is the index of its nearest centroid;
  on an exact tie the lowest index wins (``np.argmin`` does this).
- The algorithm:
  1. Assign: ``labels`` = the label of every point under the initial centroids.
  2. Repeat at most ``max_iterations`` times (``max_iterations >= 1``), counting the repetitions:
     a. update: centroid j becomes the mean of the points labelled j. A cluster with no points
        (an empty cluster) keeps its centroid where it is;
     b. assign: ``new_labels`` = the label of every point under the updated centroids;
     c. if ``new_labels`` equals ``labels`` everywhere, stop; otherwise ``labels = new_labels``.
- Return a tuple ``(centroids, labels, n_iterations)``:
  ``centroids``: float array (k, n_features), the centroids after the last update;
  ``labels``: int array (n_samples,), the assignment to those returned centroids;
  ``n_iterations``: an int, the number of update steps made (between 1 and ``max_iterations``).

Example: X = [[0], [1], [10]] from centroids [[0], [5]]: the labels are [0, 0, 1]; one update moves the
centroids to [[0.5], [10]], the labels stay [0, 0, 1], so the result is ([[0.5], [10]], [0, 0, 1], 1).

Check your work with:  dlquest check kmeans
"""

import numpy as np


def kmeans(X, initial_centroids, max_iterations=100):
    # TODO: assign, then alternate update and assign until the labels stop changing or max_iterations is reached.
    raise NotImplementedError("kmeans")
