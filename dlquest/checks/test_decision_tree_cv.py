"""Check for `decision_tree_cv`: the chosen depth, its score and every depth's mean accuracy, against the reference.

The data sets ship with scikit-learn (no download). Wine and iris are stored sorted by class, so folds
made without shuffling give very different scores; depths beyond the fully grown tree give identical trees,
which makes the tie rule matter.
"""

from sklearn.datasets import load_digits, load_iris, load_wine

from dlquest.grader.checklib import expect_same, scrub

WINE = load_wine(return_X_y=True)
IRIS = load_iris(return_X_y=True)
DIGITS = load_digits(return_X_y=True)


def teardown_module():
    """Leave scikit-learn's digits out of this process's memory: a warm grader forks other exercises' learner
    processes from it, and digits_classifier holds those very images out."""
    scrub([WINE, IRIS, DIGITS])


def choose(module, X, y, depths, *options):
    best_depth, best_score, mean_scores = module.choose_max_depth(X, y, list(depths), *options)
    return {"best_depth": int(best_depth), "best_score": float(best_score),
            "mean_scores": [float(s) for s in mean_scores]}


def test_wine_with_default_folds_and_seed(learner, reference):
    expect_same(learner, reference, choose, *WINE, [1, 2, 3, 4], what="choose_max_depth(X, y, [1, 2, 3, 4])")


def test_scores_on_shuffled_held_out_folds(learner, reference, seed):
    expect_same(learner, reference, choose, *WINE, [1, 2, 3, 4, 5], 5, seed,
                what=f"wine, 5 folds, seed {seed}")


def test_iris_with_three_folds(learner, reference, seed):
    expect_same(learner, reference, choose, *IRIS, [1, 2, 3], 3, seed + 1, what=f"iris, 3 folds, seed {seed + 1}")


def test_digits_subset(learner, reference, seed):
    X, y = DIGITS
    expect_same(learner, reference, choose, X[:500], y[:500], [2, 5, 8], 4, seed + 2,
                what="500 digits, 4 folds")


def test_tie_goes_to_the_smallest_depth(learner, reference, seed):
    # Depths 10, 20 and 40 all exceed the fully grown tree: identical trees, identical scores, and the
    # smallest of them, 10, must win, whichever order the list has.
    expect_same(learner, reference, choose, *WINE, [40, 2, 10, 20, 1], 5, seed,
                what="depths [40, 2, 10, 20, 1] on wine")


def test_tie_in_a_sorted_list(learner, reference, seed):
    expect_same(learner, reference, choose, *WINE, [1, 12, 24], 4, seed + 3, what="depths [1, 12, 24] on wine")
