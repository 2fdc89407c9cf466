"""Reference solution for `pairwise_distances`: the broadcast difference, exact for equal points.

The expanded formula ‖a‖² + ‖b‖² − 2 a·b uses less memory but rounds; the reference stays exact so the check
can judge both (the clamp is there for the expanded form, harmless here).
"""

import numpy as np


def pairwise_distances(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    squared = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    return np.sqrt(np.maximum(squared, 0.0))
