"""Exercise `decision_tree_cv`: choose a decision tree's max_depth by k-fold cross-validation (scikit-learn).

Implement ``choose_max_depth(X, y, depths, n_splits=5, seed=0)``. The grader checks exactly this contract:

- ``X`` (n_samples, n_features) and ``y`` (n_samples,) are a labelled data set, for instance
  ``sklearn.datasets.load_wine(return_X_y=True)``; ``depths`` is a list of candidate ``max_depth`` values
  (positive ints, in any order, no repeats).
- The folds: ``sklearn.model_selection.KFold(n_splits=n_splits, shuffle=True, random_state=seed)``,
  split on ``X``. The same folds serve every candidate depth.
- For every depth d in ``depths`` and every fold: fit
  ``sklearn.tree.DecisionTreeClassifier(max_depth=d, random_state=seed)`` on the fold's training part only,
  and score its accuracy (fraction of correct predictions) on the fold's held-out part only.
- The score of a depth is the plain mean of its ``n_splits`` fold accuracies.
- The best score is the highest mean. Every depth whose mean is within 1e-9 of the best score counts as
  best (so that rounding in the last digit cannot decide); among those, return the smallest depth.
- Return a tuple ``(best_depth, best_score, mean_scores)``:
  ``best_depth``: an int from ``depths``; ``best_score``: a float, that depth's mean accuracy;
  ``mean_scores``: a list of floats, the mean accuracy of every depth in the order ``depths`` lists them.

Check your work with:  dlquest check decision_tree_cv
"""

import numpy as np
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeClassifier


def choose_max_depth(X, y, depths, n_splits=5, seed=0):
    # TODO: one KFold split for all depths; fit on the training part, score on the held-out part; mean per depth.
    raise NotImplementedError("choose_max_depth")
