"""Stage 1 (foundations) exercises added for issue 17: the checks discriminate.

For `pairwise_distances`, graded exactly as `dlquest check` does (on the CPU):

- the untouched stub fails every test, and the reference solution passes;
- typical wrong implementations fail, each on the test aimed at its mistake, with its feedback code;
- correct implementations written differently from the reference pass: the checks judge the contract.
"""

from __future__ import annotations

from textwrap import dedent

from discrimination import Cases, Wrong, four_way_tests, solution_source, variant

# === pairwise_distances ====================================================================================
PAIRWISE = solution_source("pairwise_distances")
PD_EXPANDED = ("((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)",
               "(a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :] - 2.0 * (a @ b.T)")
PD_CLAMP = ("np.sqrt(np.maximum(squared, 0.0))", "np.sqrt(squared)")

PAIRWISE_WRONG = {
    # No clamp: equal points with large coordinates round to a tiny negative squared distance, sqrt gives NaN.
    "no_clamp_before_sqrt": Wrong(
        fails={"test_equal_points_are_at_distance_zero": "value_differs"},
        source=variant(PAIRWISE, PD_EXPANDED, PD_CLAMP),
    ),
    # Returns squared distances: right shape, wrong values.
    "squared_distances": Wrong(
        fails={"test_random_points": "value_mismatch", "test_worked_example_from_the_docstring": "value_mismatch"},
        source=variant(PAIRWISE, ("np.sqrt(np.maximum(squared, 0.0))", "np.maximum(squared, 0.0)")),
    ),
    # A double Python loop over the pairs: right values, but 2.25 million iterations run past the 10 s call limit.
    "loop_over_pairs": Wrong(
        fails={"test_within_the_cpu_budget": "timeout"},
        only=True,
        source=dedent('''
            import math

            import numpy as np


            def pairwise_distances(a, b):
                a = np.asarray(a, dtype=float)
                b = np.asarray(b, dtype=float)
                out = np.zeros((len(a), len(b)))
                for i in range(len(a)):
                    for j in range(len(b)):
                        out[i, j] = math.sqrt(sum((x - y) ** 2 for x, y in zip(a[i], b[j])))
                return out
        '''),
    ),
}

PAIRWISE_CORRECT = {
    # The expanded formula with a matrix product, clamped before the square root.
    "expanded_with_clamp": variant(PAIRWISE, PD_EXPANDED),
    # The broadcast difference (n, m, d): exact for equal points, no clamp needed.
    "broadcast_difference": dedent('''
        import numpy as np


        def pairwise_distances(a, b):
            a = np.asarray(a, dtype=float)
            b = np.asarray(b, dtype=float)
            return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1))
    '''),
    # np.linalg.norm over the last axis of the broadcast difference.
    "linalg_norm": dedent('''
        import numpy as np


        def pairwise_distances(a, b):
            a = np.asarray(a, dtype=float)
            b = np.asarray(b, dtype=float)
            return np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    '''),
}


# === the grading tests ====================================================================================
CASES = {
    "pairwise_distances": Cases(PAIRWISE_WRONG, PAIRWISE_CORRECT),
}
(test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
 test_other_correct_implementation_passes) = four_way_tests(CASES)
