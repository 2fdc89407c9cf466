"""Check for `pairwise_distances`: values against the reference on random points and on edge cases (one row,
equal points, large coordinates where the expanded formula rounds below zero), the shape, the inputs left
alone, and a CPU-time budget on 1500 x 1500 points.

The budget is read from outside the learner's process (`learner.last_cpu_seconds`). It catches a loop over
pairs (2.25 million Python iterations); a loop over the rows of `a` with a vectorised inner step can fit it,
so the contract names broadcasting and the time test is the honest part of "no loops".
"""

import numpy as np

from dlquest.grader.checklib import expect_same

CPU_BUDGET_SECONDS = 2.0


def distances(module, a, b):
    return np.asarray(module.pairwise_distances(a, b), dtype=float)


def summary(module, a, b):
    D = np.asarray(module.pairwise_distances(a, b), dtype=float)
    return {"shape": list(D.shape), "smallest": float(np.nanmin(D)), "any NaN": bool(np.isnan(D).any()),
            "zeros where the points are equal": bool(np.all(D[np.arange(len(a)), np.arange(len(a))]
                                                            <= 1e-6 * max(1.0, float(np.abs(a).max()))))}


def test_random_points(learner, reference, seed):
    rng = np.random.default_rng(seed)
    expect_same(learner, reference, distances, rng.normal(size=(7, 3)), rng.normal(size=(5, 3)),
                rtol=1e-6, atol=1e-9, what="distances between 7 and 5 random points")


def test_worked_example_from_the_docstring(learner, reference):
    expect_same(learner, reference, distances, np.array([[0.0, 0.0], [3.0, 4.0]]), np.array([[0.0, 0.0]]),
                rtol=1e-6, atol=1e-9, what="a = [[0, 0], [3, 4]], b = [[0, 0]]")


def test_one_row_each(learner, reference, seed):
    rng = np.random.default_rng(seed + 1)
    expect_same(learner, reference, distances, rng.normal(size=(1, 4)), rng.normal(size=(1, 4)),
                rtol=1e-6, atol=1e-9, what="one point against one point")


def test_one_feature(learner, reference):
    expect_same(learner, reference, distances, np.array([[1.0], [-2.0], [5.0]]), np.array([[0.0], [5.0]]),
                rtol=1e-6, atol=1e-9, what="points on a line")


def test_integer_input(learner, reference):
    expect_same(learner, reference, distances, np.array([[0, 0], [1, 1]]), np.array([[2, 2]]),
                rtol=1e-6, atol=1e-9, what="integer coordinates")


def test_equal_points_are_at_distance_zero(learner, reference, seed):
    # Large, nearly equal coordinates: ‖a‖² + ‖b‖² − 2 a·b rounds to a tiny negative number for a point and itself.
    rng = np.random.default_rng(seed + 2)
    a = 1e4 + rng.normal(size=(6, 3))
    expect_same(learner, reference, summary, a, a.copy(), what="every point against itself")


def leaves_inputs(module, a, b):
    a_before, b_before = a.copy(), b.copy()
    module.pairwise_distances(a, b)
    return {"a unchanged": bool(np.array_equal(a, a_before)), "b unchanged": bool(np.array_equal(b, b_before))}


def test_leaves_the_inputs_unchanged(learner, reference, seed):
    rng = np.random.default_rng(seed + 3)
    expect_same(learner, reference, leaves_inputs, rng.normal(size=(4, 2)), rng.normal(size=(3, 2)),
                what="the arrays passed in")


def shape_only(module, a, b):
    return list(np.shape(module.pairwise_distances(a, b)))


def test_within_the_cpu_budget(learner, seed):
    rng = np.random.default_rng(seed + 4)
    a, b = rng.normal(size=(1500, 8)), rng.normal(size=(1500, 8))
    shape = learner.run(shape_only, a, b)
    assert shape == [1500, 1500], f"pairwise_distances on 1500 and 1500 points returned shape {shape}"
    used = learner.last_cpu_seconds
    assert used is None or used <= CPU_BUDGET_SECONDS, (
        f"pairwise_distances on 1500 x 1500 points used {used:.1f} s of CPU time, more than the budget of "
        f"{CPU_BUDGET_SECONDS} s: replace the Python loops by broadcasting")
