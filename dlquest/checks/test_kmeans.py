"""Check for `kmeans`: centroids, labels and the iteration count against the reference, on random blobs and on
small data sets built on purpose: exact ties, an empty cluster, a run cut short by max_iterations.

Coordinates in the built cases are small integers and halves, so every distance is exact in float64 and a
tie really is a tie, whatever formula computes the distances.
"""

import numpy as np
import pytest

from dlquest.grader.checklib import expect_same


def run_kmeans(module, X, initial_centroids, *options):
    centroids, labels, n_iterations = module.kmeans(X, initial_centroids, *options)
    return {
        "centroids": np.asarray(centroids, dtype=float),
        "labels": np.asarray(labels).astype(np.int64),
        "n_iterations": int(n_iterations),
    }


def blobs(seed, n_per_blob=12):
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 0.0], [6.0, 0.0], [3.0, 5.0]])
    X = np.vstack([center + rng.normal(size=(n_per_blob, 2)) for center in centers])
    return X[rng.permutation(len(X))]


def test_blobs_from_random_points(learner, reference, seed):
    X = blobs(seed)
    initial = X[np.random.default_rng(seed + 1).choice(len(X), size=3, replace=False)]
    expect_same(learner, reference, run_kmeans, X, initial, 50, what="kmeans on three blobs")


def test_blobs_from_a_corner(learner, reference, seed):
    # All centroids start together in one corner: several rounds of update and assign are needed.
    X = blobs(seed + 2)
    initial = np.array([[-2.0, -2.0], [-1.5, -2.0], [-2.0, -1.5]])
    expect_same(learner, reference, run_kmeans, X, initial, 50, what="kmeans from a corner")


def test_more_features_and_clusters(learner, reference, seed):
    rng = np.random.default_rng(seed + 3)
    X = np.vstack([rng.normal(loc=4.0 * j, size=(8, 4)) for j in range(4)])
    initial = X[rng.choice(len(X), size=4, replace=False)]
    expect_same(learner, reference, run_kmeans, X, initial, 50, what="4 clusters in 4 dimensions")


def test_worked_example_from_the_docstring(learner, reference):
    expect_same(learner, reference, run_kmeans, np.array([[0.0], [1.0], [10.0]]), np.array([[0.0], [5.0]]),
                what="X = [[0], [1], [10]] from [[0], [5]]")


def test_tie_goes_to_the_lowest_index(learner, reference):
    # (1, 0) is exactly as far from centroid 0 at (0, 0) as from centroid 1 at (2, 0): it must join cluster 0.
    # Cluster 0 then stays at (0, 0) and keeps it; joining cluster 1 instead would give other final clusters.
    X = np.array([[-1.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
    expect_same(learner, reference, run_kmeans, X, np.array([[0.0, 0.0], [2.0, 0.0]]), 10,
                what="a point halfway between two centroids")


def test_three_way_tie(learner, reference):
    # The origin is at distance 1 from all three centroids: label 0, under every order of comparison.
    X = np.array([[0.0, 0.0], [-2.0, 0.0], [2.0, 0.0], [0.0, 2.0], [-3.0, 0.0]])
    initial = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
    expect_same(learner, reference, run_kmeans, X, initial, 10, what="a point at the same distance from three")


def test_empty_cluster_keeps_its_centroid(learner, reference):
    # Centroid 1 starts far from every point: its cluster stays empty and it must not move (nor become NaN).
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0], [6.0, 5.0]])
    initial = np.array([[0.0, 0.0], [100.0, -100.0], [5.0, 5.0]])
    expect_same(learner, reference, run_kmeans, X, initial, 10, what="with an empty cluster")


def test_cluster_that_empties_along_the_way(learner, reference):
    # Cluster 1 starts with two points, (1, 3) and (5, 5); after the first update both are nearer to other
    # centroids, so cluster 1 is empty from then on and its centroid must stay at (3, 4).
    X = np.array([[5.0, 0.0], [1.0, 3.0], [0.0, 1.0], [7.0, 5.0], [5.0, 5.0], [6.0, 5.0]])
    initial = np.array([[2.0, 1.0], [2.0, 2.5], [4.0, 1.0]])
    expect_same(learner, reference, run_kmeans, X, initial, 10, what="a cluster that loses its points")


@pytest.mark.parametrize("max_iterations", [1, 2, 3])
def test_stops_after_max_iterations(learner, reference, max_iterations):
    # From centroids 0 and 1, the points 0..19 need 5 update steps to settle: the run is cut short.
    X = np.arange(20.0)[:, None]
    expect_same(learner, reference, run_kmeans, X, np.array([[0.0], [1.0]]), max_iterations,
                what=f"max_iterations={max_iterations}")


def test_counts_iterations_until_labels_stop_changing(learner, reference):
    X = np.arange(20.0)[:, None]
    expect_same(learner, reference, run_kmeans, X, np.array([[0.0], [1.0], [2.0]]), 100,
                what="points 0..19 from centroids 0, 1, 2")


def test_default_max_iterations(learner, reference, seed):
    X = blobs(seed + 4)
    initial = np.array([[-2.0, -2.0], [-1.5, -2.0], [-2.0, -1.5]])
    expect_same(learner, reference, with_defaults, X, initial, what="kmeans(X, initial_centroids)")


def with_defaults(module, X, initial_centroids):
    return run_kmeans(module, X, initial_centroids)


def inputs_after_call(module, X, initial_centroids):
    X_before, initial_before = X.copy(), initial_centroids.copy()
    module.kmeans(X, initial_centroids, 10)
    return {"X unchanged": bool(np.array_equal(X, X_before)),
            "initial_centroids unchanged": bool(np.array_equal(initial_centroids, initial_before))}


def test_leaves_the_inputs_unchanged(learner, reference, seed):
    X = blobs(seed + 5)
    initial = X[:3].copy()
    expect_same(learner, reference, inputs_after_call, X, initial, what="the arrays passed to kmeans")
