"""Reference solution for `decision_tree_cv`: an explicit loop over depths and folds."""

import numpy as np
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeClassifier

TIE_TOLERANCE = 1e-9


def choose_max_depth(X, y, depths, n_splits=5, seed=0):
    X = np.asarray(X)
    y = np.asarray(y)
    folds = list(KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(X))
    mean_scores = []
    for depth in depths:
        accuracies = []
        for train_index, test_index in folds:
            tree = DecisionTreeClassifier(max_depth=depth, random_state=seed)
            tree.fit(X[train_index], y[train_index])
            accuracies.append(float(np.mean(tree.predict(X[test_index]) == y[test_index])))
        mean_scores.append(float(np.mean(accuracies)))
    best = max(mean_scores)
    best_depth = min(d for d, s in zip(depths, mean_scores) if s >= best - TIE_TOLERANCE)
    return int(best_depth), mean_scores[list(depths).index(best_depth)], mean_scores
