"""Stage 1 (foundations) exercises: the checks discriminate.

For `linear_regression`, `kmeans` and `decision_tree_cv`, graded exactly as `dlquest check` does (on the CPU):

- the untouched stub fails every test, and the reference solution passes;
- typical wrong implementations fail, each on the test aimed at its mistake, with a feedback code that says
  what went wrong (``value_mismatch``, ``nan_mismatch``, ``value_differs``, …);
- correct implementations written differently from the reference pass: the checks judge the contract.
"""

from __future__ import annotations

from textwrap import dedent

from discrimination import Cases, Wrong, four_way_tests, solution_source, variant

# === linear_regression =====================================================================================
LINEAR_REGRESSION = solution_source("linear_regression")
LR_LOSS = "        losses.append(float(np.mean(residuals ** 2)))\n"
LR_UPDATE = "        w = w - learning_rate * grad_w\n        b = b - learning_rate * grad_b\n"
LR_STEPS = {f"test_follows_the_update_rule_step_by_step[{n}]": "value_mismatch" for n in (1, 2, 5)}

LINEAR_REGRESSION_WRONG = {
    # The 1/(2n) convention: loss mean(r²)/2 and gradients without the factor 2 (half-size steps).
    "half_mse_convention": Wrong(
        fails={"test_first_loss_is_the_mse_of_the_zero_model": "value_mismatch", **LR_STEPS},
        source=variant(LINEAR_REGRESSION, ("float(np.mean(residuals ** 2))", "float(np.mean(residuals ** 2) / 2)"),
                       ("grad_w = (2.0 / n_samples)", "grad_w = (1.0 / n_samples)"),
                       ("grad_b = (2.0 / n_samples)", "grad_b = (1.0 / n_samples)")),
    ),
    # Updates w first, then computes the bias gradient from residuals of the *new* w (not simultaneous).
    # It reaches the same minimum, so only the step-by-step tests can tell.
    "sequential_update": Wrong(
        fails=LR_STEPS | {"test_one_feature": "value_mismatch",
                          "test_uses_the_given_learning_rate_and_iterations": "value_mismatch",
                          "test_defaults": "value_mismatch",
                          "test_starts_from_zero_and_leaves_the_data_alone": "value_mismatch"},
        only=True,
        source=variant(LINEAR_REGRESSION, (LR_UPDATE, "        w = w - learning_rate * grad_w\n"
                                                   "        residuals = X @ w + b - y\n"
                                                   "        grad_b = (2.0 / n_samples) * float(np.sum(residuals))\n"
                                                   "        b = b - learning_rate * grad_b\n")),
    ),
    # Records the loss after each update instead of before it: the parameters are right, the history is not.
    "loss_after_the_update": Wrong(
        fails={"test_first_loss_is_the_mse_of_the_zero_model": "value_mismatch", **LR_STEPS},
        source=variant(LINEAR_REGRESSION, (LR_LOSS, ""),
                       (LR_UPDATE, LR_UPDATE + "        losses.append(float(np.mean((X @ w + b - y) ** 2)))\n")),
    ),
    # Forgets the bias: b stays 0, so the line is forced through the origin and never reaches least squares.
    "bias_never_updated": Wrong(
        fails={"test_converges_to_the_least_squares_solution": "value_mismatch", **LR_STEPS},
        source=variant(LINEAR_REGRESSION, ("        b = b - learning_rate * grad_b\n", "")),
    ),
}

LINEAR_REGRESSION_CORRECT = {
    # One parameter vector θ = (w, b) and a column of ones appended to X.
    "augmented_matrix": dedent('''
        import numpy as np


        def fit_linear_regression(X, y, learning_rate=0.05, n_iterations=1000):
            A = np.hstack([np.asarray(X, dtype=float), np.ones((len(X), 1))])
            y = np.asarray(y, dtype=float)
            theta = np.zeros(A.shape[1])
            losses = []
            for _ in range(n_iterations):
                residual = A @ theta - y
                losses.append(residual @ residual / len(y))
                theta -= learning_rate * 2.0 * A.T @ residual / len(y)
            return theta[:-1], theta[-1], losses
    '''),
    # Plain Python loops over samples and features accumulate the gradient; nothing vectorised.
    "python_loops": dedent('''
        import numpy as np


        def fit_linear_regression(X, y, learning_rate=0.05, n_iterations=1000):
            rows = [[float(v) for v in row] for row in X]
            targets = [float(t) for t in y]
            n, d = len(rows), len(rows[0])
            w = [0.0] * d
            b = 0.0
            losses = []
            for _ in range(n_iterations):
                grad_w = [0.0] * d
                grad_b = 0.0
                total = 0.0
                for row, target in zip(rows, targets):
                    error = sum(wj * xj for wj, xj in zip(w, row)) + b - target
                    total += error * error
                    grad_b += 2.0 * error / n
                    for j in range(d):
                        grad_w[j] += 2.0 * error * row[j] / n
                losses.append(total / n)
                w = [wj - learning_rate * gj for wj, gj in zip(w, grad_w)]
                b -= learning_rate * grad_b
            return np.array(w), b, losses
    '''),
}


# === kmeans ================================================================================================
KMEANS = solution_source("kmeans")

KMEANS_WRONG = {
    # Compares with <= while scanning the centroids, so an exact tie goes to the last (highest) index.
    "tie_to_the_highest_index": Wrong(
        fails={"test_tie_goes_to_the_lowest_index": "value_mismatch", "test_three_way_tie": "value_mismatch"},
        source=variant(KMEANS, ("return np.argmin(distances, axis=1)",
                                "return len(centroids) - 1 - np.argmin(distances[:, ::-1], axis=1)")),
    ),
    # Takes the mean of an empty cluster too: its centroid becomes NaN.
    "empty_cluster_becomes_nan": Wrong(
        fails={"test_empty_cluster_keeps_its_centroid": "nan_mismatch",
               "test_cluster_that_empties_along_the_way": "nan_mismatch"},
        source=variant(KMEANS, ("            if len(members) > 0:\n"
                                "                centroids[j] = members.mean(axis=0)\n",
                                "            centroids[j] = members.mean(axis=0) if len(members) > 0 else np.nan\n")),
    ),
    # Stops only when the centroids stop moving, which takes one more update than the labels need.
    "stops_when_centroids_stop_moving": Wrong(
        fails={"test_worked_example_from_the_docstring": "value_mismatch",
               "test_counts_iterations_until_labels_stop_changing": "value_mismatch"},
        source=variant(KMEANS, ("        n_iterations += 1\n",
                                "        n_iterations += 1\n        previous = centroids.copy()\n"),
                       ("if np.array_equal(new_labels, labels):", "if np.array_equal(centroids, previous):")),
    ),
    # np.asarray does not copy a float64 array: the caller's initial centroids are overwritten.
    "overwrites_the_initial_centroids": Wrong(
        fails={"test_leaves_the_inputs_unchanged": "value_differs"},
        only=True,
        source=variant(KMEANS, ("centroids = np.array(initial_centroids, dtype=float)  # a copy: the caller's array "
                                "stays as it was",
                                "centroids = np.asarray(initial_centroids, dtype=float)")),
    ),
}

KMEANS_CORRECT = {
    # Plain loops, Euclidean (square-rooted) distances compared with a strict <, a while loop.
    "loops_and_norms": dedent('''
        import numpy as np


        def kmeans(X, initial_centroids, max_iterations=100):
            X = np.array(X, dtype=float)
            centroids = [np.array(c, dtype=float) for c in initial_centroids]

            def assign():
                labels = []
                for x in X:
                    distances = [np.linalg.norm(x - c) for c in centroids]
                    best = 0
                    for j in range(1, len(distances)):
                        if distances[j] < distances[best]:
                            best = j
                    labels.append(best)
                return labels

            labels = assign()
            steps = 0
            while steps < max_iterations:
                steps += 1
                for j in range(len(centroids)):
                    members = [x for x, label in zip(X, labels) if label == j]
                    if members:
                        centroids[j] = sum(members) / len(members)
                new_labels = assign()
                if new_labels == labels:
                    break
                labels = new_labels
            return np.array(centroids), np.array(labels), steps
    '''),
    # One-hot membership matrix: sums by a matrix product, the expanded form ‖x‖² − 2x·c + ‖c‖² for distances.
    "one_hot_matrix": dedent('''
        import numpy as np


        def kmeans(X, initial_centroids, max_iterations=100):
            X = np.asarray(X, dtype=float)
            C = np.array(initial_centroids, dtype=float)
            k = len(C)

            def assign(C):
                d = (X ** 2).sum(1)[:, None] - 2 * X @ C.T + (C ** 2).sum(1)[None, :]
                return d.argmin(axis=1)

            labels = assign(C)
            for iteration in range(1, max_iterations + 1):
                onehot = np.eye(k)[labels]              # (n, k)
                counts = onehot.sum(axis=0)             # (k,)
                sums = onehot.T @ X                     # (k, d)
                C = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], C)
                new = assign(C)
                if (new == labels).all():
                    return C, labels, iteration
                labels = new
            return C, labels, max_iterations
    '''),
}


# === decision_tree_cv ======================================================================================
DTCV = solution_source("decision_tree_cv")
DTCV_FOLDS = "KFold(n_splits=n_splits, shuffle=True, random_state=seed)"

DTCV_WRONG = {
    # Scores every tree on the data it was trained on: deeper always looks better.
    "scores_on_the_training_folds": Wrong(
        fails={"test_scores_on_shuffled_held_out_folds": "value_mismatch",
               "test_wine_with_default_folds_and_seed": "value_mismatch"},
        source=variant(DTCV, ("tree.predict(X[test_index]) == y[test_index]",
                              "tree.predict(X[train_index]) == y[train_index]")),
    ),
    # Walks the depths in increasing order and keeps the last one that reaches the best: largest on ties.
    "largest_depth_on_ties": Wrong(
        fails={"test_tie_goes_to_the_smallest_depth": "value_mismatch",
               "test_tie_in_a_sorted_list": "value_mismatch"},
        source=variant(DTCV, ("best_depth = min(d for d", "best_depth = max(d for d")),
    ),
    # KFold without shuffle: wine and iris are sorted by class, so each held-out fold is nearly one class.
    "folds_not_shuffled": Wrong(
        fails={"test_scores_on_shuffled_held_out_folds": "value_mismatch",
               "test_iris_with_three_folds": "value_mismatch"},
        source=variant(DTCV, (DTCV_FOLDS, "KFold(n_splits=n_splits)")),
    ),
    # cv=n_splits means StratifiedKFold without shuffling, not the KFold the contract names.
    "cv_as_an_integer": Wrong(
        fails={"test_scores_on_shuffled_held_out_folds": "value_mismatch"},
        source=variant(DTCV, ("from sklearn.model_selection import KFold",
                              "from sklearn.model_selection import KFold, StratifiedKFold"),
                       (DTCV_FOLDS + ".split(X)", "StratifiedKFold(n_splits=n_splits).split(X, y)")),
    ),
    # np.argmax takes the first best in the order the list gives, which is not the smallest depth.
    "first_best_in_list_order": Wrong(
        fails={"test_tie_goes_to_the_smallest_depth": "value_mismatch"},
        only=True,
        source=variant(DTCV, ("best_depth = min(d for d, s in zip(depths, mean_scores) if s >= best - TIE_TOLERANCE)",
                              "best_depth = depths[int(np.argmax(mean_scores))]")),
    ),
}

DTCV_CORRECT = {
    # cross_val_score with the KFold object; ties resolved by scanning the depths in increasing order.
    "cross_val_score_sorted_scan": dedent('''
        from sklearn.model_selection import KFold, cross_val_score
        from sklearn.tree import DecisionTreeClassifier


        def choose_max_depth(X, y, depths, n_splits=5, seed=0):
            cv = KFold(n_splits=n_splits, shuffle=True, random_state=seed)
            scores = {}
            for d in depths:
                tree = DecisionTreeClassifier(max_depth=d, random_state=seed)
                scores[d] = cross_val_score(tree, X, y, cv=cv, scoring="accuracy").mean()
            best = max(scores.values())
            for d in sorted(depths):
                if scores[d] >= best - 1e-9:
                    return d, scores[d], [scores[d2] for d2 in depths]
    '''),
    # Folds outermost, accuracy_score, a running total per depth divided by the number of folds.
    "folds_outer_loop_accuracy_score": dedent('''
        import numpy as np
        from sklearn.metrics import accuracy_score
        from sklearn.model_selection import KFold
        from sklearn.tree import DecisionTreeClassifier


        def choose_max_depth(X, y, depths, n_splits=5, seed=0):
            totals = np.zeros(len(depths))
            for train, test in KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(X):
                for i, d in enumerate(depths):
                    model = DecisionTreeClassifier(max_depth=d, random_state=seed)
                    model.fit(X[train], y[train])
                    totals[i] += accuracy_score(y[test], model.predict(X[test]))
            means = totals / n_splits
            candidates = [(d, m) for d, m in zip(depths, means) if m >= means.max() - 1e-9]
            d, m = min(candidates)
            return int(d), float(m), means.tolist()
    '''),
}


# === the grading tests ====================================================================================
CASES = {
    "linear_regression": Cases(LINEAR_REGRESSION_WRONG, LINEAR_REGRESSION_CORRECT),
    "kmeans": Cases(KMEANS_WRONG, KMEANS_CORRECT),
    "decision_tree_cv": Cases(DTCV_WRONG, DTCV_CORRECT),
}
(test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
 test_other_correct_implementation_passes) = four_way_tests(CASES)
