"""Exercise `pairwise_distances`: every Euclidean distance between two sets of points, by broadcasting (NumPy only).

Implement ``pairwise_distances(a, b)``. The grader checks exactly this contract:

- ``a`` has shape (n, d) and ``b`` has shape (m, d): n points and m points with the same d features
  (n, m, d >= 1). Convert both with ``np.asarray(..., dtype=float)``; never modify the arrays you are given.
- Return a float64 array ``D`` of shape (n, m) with ``D[i, j]`` = the Euclidean distance ‖a[i] − b[j]‖,
  within 1e-6 relative / 1e-9 absolute of the exact value.
- ``D`` never holds a negative number or NaN: when rounding makes a squared distance a tiny negative number
  (the ‖a‖² + ‖b‖² − 2 a·b formula does this for equal points), clamp it to 0 before the square root.
  Equal points are at distance 0 (up to 1e-6 times the largest coordinate, for the rounding of that formula).
- No Python loop over the points: build the (n, m) result with broadcasting (``a[:, None, :]`` against
  ``b[None, :, :]``) or with a matrix product. The check times a call on 1500 × 1500 points against a CPU-time
  budget measured from outside your process; a loop over pairs cannot fit it.

Example: a = [[0, 0], [3, 4]], b = [[0, 0]] gives [[0.0], [5.0]].

Check your work with:  dlquest check pairwise_distances
"""

import numpy as np


def pairwise_distances(a, b):
    # TODO: compare every row of a with every row of b at once (broadcasting), square, sum, clamp, square-root.
    raise NotImplementedError("pairwise_distances")
