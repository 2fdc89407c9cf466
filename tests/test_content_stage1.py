"""Stage 1 (foundations) exercises: the checks discriminate.

For `linear_regression`, `kmeans` and `decision_tree_cv`, graded exactly as `dlquest check` does (on the CPU):

- the untouched stub fails every test, and the reference solution passes;
- typical wrong implementations fail, each on the test aimed at its mistake, with a feedback code that says
  what went wrong (``value_mismatch``, ``nan_mismatch``, ``value_differs``, …);
- correct implementations written differently from the reference pass: the checks judge the contract.
"""

from __future__ import annotations

from textwrap import dedent

import pytest
from discrimination import Wrong, assert_fails_as_expected, assert_passes

# === linear_regression =====================================================================================
LR_STEPS = {f"test_follows_the_update_rule_step_by_step[{n}]": "value_mismatch" for n in (1, 2, 5)}

LINEAR_REGRESSION_WRONG = {
    # The 1/(2n) convention: loss mean(r²)/2 and gradients without the factor 2 (half-size steps).
    "half_mse_convention": Wrong(
        fails={"test_first_loss_is_the_mse_of_the_zero_model": "value_mismatch", **LR_STEPS},
        source=dedent('''
            import numpy as np


            def fit_linear_regression(X, y, learning_rate=0.05, n_iterations=1000):
                X = np.asarray(X, dtype=float)
                y = np.asarray(y, dtype=float)
                n = len(y)
                w = np.zeros(X.shape[1])
                b = 0.0
                losses = []
                for _ in range(n_iterations):
                    r = X @ w + b - y
                    losses.append(float(np.mean(r ** 2) / 2))
                    w = w - learning_rate * (X.T @ r) / n
                    b = b - learning_rate * r.sum() / n
                return w, float(b), losses
        '''),
    ),
    # Updates w first, then computes the bias gradient from residuals of the *new* w (not simultaneous).
    # It reaches the same minimum, so only the step-by-step tests can tell.
    "sequential_update": Wrong(
        fails=LR_STEPS | {"test_one_feature": "value_mismatch",
                          "test_uses_the_given_learning_rate_and_iterations": "value_mismatch",
                          "test_defaults": "value_mismatch",
                          "test_starts_from_zero_and_leaves_the_data_alone": "value_mismatch"},
        only=True,
        source=dedent('''
            import numpy as np


            def fit_linear_regression(X, y, learning_rate=0.05, n_iterations=1000):
                X = np.asarray(X, dtype=float)
                y = np.asarray(y, dtype=float)
                n = len(y)
                w = np.zeros(X.shape[1])
                b = 0.0
                losses = []
                for _ in range(n_iterations):
                    r = X @ w + b - y
                    losses.append(float(np.mean(r ** 2)))
                    w = w - learning_rate * 2 / n * (X.T @ r)
                    r = X @ w + b - y
                    b = b - learning_rate * 2 / n * r.sum()
                return w, float(b), losses
        '''),
    ),
    # Records the loss after each update instead of before it: the parameters are right, the history is not.
    "loss_after_the_update": Wrong(
        fails={"test_first_loss_is_the_mse_of_the_zero_model": "value_mismatch", **LR_STEPS},
        source=dedent('''
            import numpy as np


            def fit_linear_regression(X, y, learning_rate=0.05, n_iterations=1000):
                X = np.asarray(X, dtype=float)
                y = np.asarray(y, dtype=float)
                n = len(y)
                w = np.zeros(X.shape[1])
                b = 0.0
                losses = []
                for _ in range(n_iterations):
                    r = X @ w + b - y
                    w = w - learning_rate * 2 / n * (X.T @ r)
                    b = b - learning_rate * 2 / n * r.sum()
                    losses.append(float(np.mean((X @ w + b - y) ** 2)))
                return w, float(b), losses
        '''),
    ),
    # Forgets the bias: b stays 0, so the line is forced through the origin and never reaches least squares.
    "bias_never_updated": Wrong(
        fails={"test_converges_to_the_least_squares_solution": "value_mismatch", **LR_STEPS},
        source=dedent('''
            import numpy as np


            def fit_linear_regression(X, y, learning_rate=0.05, n_iterations=1000):
                X = np.asarray(X, dtype=float)
                y = np.asarray(y, dtype=float)
                w = np.zeros(X.shape[1])
                losses = []
                for _ in range(n_iterations):
                    r = X @ w - y
                    losses.append(float(np.mean(r ** 2)))
                    w = w - learning_rate * 2 / len(y) * (X.T @ r)
                return w, 0.0, losses
        '''),
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
KMEANS_WRONG = {
    # Compares with <= while scanning the centroids, so an exact tie goes to the last (highest) index.
    "tie_to_the_highest_index": Wrong(
        fails={"test_tie_goes_to_the_lowest_index": "value_mismatch", "test_three_way_tie": "value_mismatch"},
        source=dedent('''
            import numpy as np


            def nearest(X, centroids):
                labels = []
                for x in X:
                    best, best_distance = 0, np.inf
                    for j, c in enumerate(centroids):
                        distance = ((x - c) ** 2).sum()
                        if distance <= best_distance:
                            best, best_distance = j, distance
                    labels.append(best)
                return np.array(labels)


            def kmeans(X, initial_centroids, max_iterations=100):
                X = np.asarray(X, dtype=float)
                centroids = np.array(initial_centroids, dtype=float)
                labels = nearest(X, centroids)
                n = 0
                for _ in range(max_iterations):
                    n += 1
                    for j in range(len(centroids)):
                        if (labels == j).any():
                            centroids[j] = X[labels == j].mean(axis=0)
                    new_labels = nearest(X, centroids)
                    if (new_labels == labels).all():
                        break
                    labels = new_labels
                return centroids, labels, n
        '''),
    ),
    # Takes the mean of an empty cluster too: its centroid becomes NaN.
    "empty_cluster_becomes_nan": Wrong(
        fails={"test_empty_cluster_keeps_its_centroid": "nan_mismatch",
               "test_cluster_that_empties_along_the_way": "nan_mismatch"},
        source=dedent('''
            import numpy as np


            def kmeans(X, initial_centroids, max_iterations=100):
                X = np.asarray(X, dtype=float)
                centroids = np.array(initial_centroids, dtype=float)
                assign = lambda: np.argmin(((X[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
                labels = assign()
                n = 0
                with np.errstate(invalid="ignore"):
                    for _ in range(max_iterations):
                        n += 1
                        centroids = np.array([X[labels == j].mean(axis=0) if (labels == j).any() else
                                              np.full(X.shape[1], np.nan) for j in range(len(centroids))])
                        new_labels = assign()
                        if np.array_equal(new_labels, labels):
                            break
                        labels = new_labels
                return centroids, labels, n
        '''),
    ),
    # Stops only when the centroids stop moving, which takes one more update than the labels need.
    "stops_when_centroids_stop_moving": Wrong(
        fails={"test_worked_example_from_the_docstring": "value_mismatch",
               "test_counts_iterations_until_labels_stop_changing": "value_mismatch"},
        source=dedent('''
            import numpy as np


            def kmeans(X, initial_centroids, max_iterations=100):
                X = np.asarray(X, dtype=float)
                centroids = np.array(initial_centroids, dtype=float)
                n = 0
                for _ in range(max_iterations):
                    n += 1
                    labels = np.argmin(((X[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
                    updated = centroids.copy()
                    for j in range(len(centroids)):
                        if (labels == j).any():
                            updated[j] = X[labels == j].mean(axis=0)
                    moved = not np.array_equal(updated, centroids)
                    centroids = updated
                    if not moved:
                        break
                labels = np.argmin(((X[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
                return centroids, labels, n
        '''),
    ),
    # np.asarray does not copy a float64 array: the caller's initial centroids are overwritten.
    "overwrites_the_initial_centroids": Wrong(
        fails={"test_leaves_the_inputs_unchanged": "value_differs"},
        only=True,
        source=dedent('''
            import numpy as np


            def kmeans(X, initial_centroids, max_iterations=100):
                X = np.asarray(X, dtype=float)
                centroids = np.asarray(initial_centroids, dtype=float)
                labels = np.argmin(((X[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
                n = 0
                for _ in range(max_iterations):
                    n += 1
                    for j in range(len(centroids)):
                        if (labels == j).any():
                            centroids[j] = X[labels == j].mean(axis=0)
                    new_labels = np.argmin(((X[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
                    if np.array_equal(new_labels, labels):
                        break
                    labels = new_labels
                return centroids, labels, n
        '''),
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
DTCV_WRONG = {
    # Scores every tree on the data it was trained on: deeper always looks better.
    "scores_on_the_training_folds": Wrong(
        fails={"test_scores_on_shuffled_held_out_folds": "value_mismatch",
               "test_wine_with_default_folds_and_seed": "value_mismatch"},
        source=dedent('''
            import numpy as np
            from sklearn.model_selection import KFold
            from sklearn.tree import DecisionTreeClassifier


            def choose_max_depth(X, y, depths, n_splits=5, seed=0):
                folds = list(KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(X))
                scores = []
                for d in depths:
                    accs = []
                    for train, test in folds:
                        tree = DecisionTreeClassifier(max_depth=d, random_state=seed).fit(X[train], y[train])
                        accs.append(tree.score(X[train], y[train]))
                    scores.append(float(np.mean(accs)))
                best = max(scores)
                depth = min(d for d, s in zip(depths, scores) if s >= best - 1e-9)
                return depth, scores[depths.index(depth)], scores
        '''),
    ),
    # Walks the depths in increasing order and keeps the last one that reaches the best: largest on ties.
    "largest_depth_on_ties": Wrong(
        fails={"test_tie_goes_to_the_smallest_depth": "value_mismatch",
               "test_tie_in_a_sorted_list": "value_mismatch"},
        source=dedent('''
            import numpy as np
            from sklearn.model_selection import KFold, cross_val_score
            from sklearn.tree import DecisionTreeClassifier


            def choose_max_depth(X, y, depths, n_splits=5, seed=0):
                cv = KFold(n_splits=n_splits, shuffle=True, random_state=seed)
                scores = [cross_val_score(DecisionTreeClassifier(max_depth=d, random_state=seed), X, y, cv=cv).mean()
                          for d in depths]
                best_depth, best_score = None, -1.0
                for d, s in sorted(zip(depths, scores)):
                    if s >= best_score:
                        best_depth, best_score = d, s
                return best_depth, best_score, scores
        '''),
    ),
    # KFold without shuffle: wine and iris are sorted by class, so each held-out fold is nearly one class.
    "folds_not_shuffled": Wrong(
        fails={"test_scores_on_shuffled_held_out_folds": "value_mismatch",
               "test_iris_with_three_folds": "value_mismatch"},
        source=dedent('''
            import numpy as np
            from sklearn.model_selection import KFold
            from sklearn.tree import DecisionTreeClassifier


            def choose_max_depth(X, y, depths, n_splits=5, seed=0):
                folds = list(KFold(n_splits=n_splits).split(X))
                scores = []
                for d in depths:
                    accs = [DecisionTreeClassifier(max_depth=d, random_state=seed).fit(X[tr], y[tr]).score(X[te], y[te])
                            for tr, te in folds]
                    scores.append(float(np.mean(accs)))
                best = max(scores)
                depth = min(d for d, s in zip(depths, scores) if s >= best - 1e-9)
                return depth, scores[depths.index(depth)], scores
        '''),
    ),
    # cv=n_splits means StratifiedKFold without shuffling, not the KFold the contract names.
    "cv_as_an_integer": Wrong(
        fails={"test_scores_on_shuffled_held_out_folds": "value_mismatch"},
        source=dedent('''
            import numpy as np
            from sklearn.model_selection import cross_val_score
            from sklearn.tree import DecisionTreeClassifier


            def choose_max_depth(X, y, depths, n_splits=5, seed=0):
                scores = [float(cross_val_score(DecisionTreeClassifier(max_depth=d, random_state=seed),
                                                X, y, cv=n_splits).mean()) for d in depths]
                best = max(scores)
                depth = min(d for d, s in zip(depths, scores) if s >= best - 1e-9)
                return depth, scores[depths.index(depth)], scores
        '''),
    ),
    # np.argmax takes the first best in the order the list gives, which is not the smallest depth.
    "first_best_in_list_order": Wrong(
        fails={"test_tie_goes_to_the_smallest_depth": "value_mismatch"},
        only=True,
        source=dedent('''
            import numpy as np
            from sklearn.model_selection import KFold, cross_val_score
            from sklearn.tree import DecisionTreeClassifier


            def choose_max_depth(X, y, depths, n_splits=5, seed=0):
                cv = KFold(n_splits=n_splits, shuffle=True, random_state=seed)
                scores = [float(np.mean(cross_val_score(DecisionTreeClassifier(max_depth=d, random_state=seed),
                                                        X, y, cv=cv, scoring="accuracy"))) for d in depths]
                i = int(np.argmax(scores))
                return depths[i], scores[i], scores
        '''),
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


# === the tests =============================================================================================
CASES = {
    "linear_regression": (LINEAR_REGRESSION_WRONG, LINEAR_REGRESSION_CORRECT),
    "kmeans": (KMEANS_WRONG, KMEANS_CORRECT),
    "decision_tree_cv": (DTCV_WRONG, DTCV_CORRECT),
}


@pytest.mark.parametrize("exercise_id", list(CASES))
def test_stub_fails(course, grade_source, exercise_id):
    exercise = course.exercises[exercise_id]
    record = grade_source(exercise_id, course.path(exercise.stub).read_text())
    assert_fails_as_expected(record, Wrong("", fails={t.test: "not_implemented" for t in record.tests}))
    assert len(record.failed_tests) == len(record.tests)


@pytest.mark.parametrize("exercise_id", list(CASES))
def test_solution_passes(course, grade_source, exercise_id):
    exercise = course.exercises[exercise_id]
    assert_passes(grade_source(exercise_id, course.path(exercise.solution).read_text()))


@pytest.mark.parametrize("exercise_id, name", [(e, n) for e, (wrong, _) in CASES.items() for n in wrong])
def test_wrong_implementation_fails(course, grade_source, exercise_id, name):
    wrong = CASES[exercise_id][0][name]
    assert_fails_as_expected(grade_source(exercise_id, wrong.source), wrong)


@pytest.mark.parametrize("exercise_id, name", [(e, n) for e, (_, correct) in CASES.items() for n in correct])
def test_other_correct_implementation_passes(course, grade_source, exercise_id, name):
    assert_passes(grade_source(exercise_id, CASES[exercise_id][1][name]))
