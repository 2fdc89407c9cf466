"""Stage 3 object-detection exercise added for issue 17 (`box_ops`): the check discriminates.

Graded exactly as `dlquest check` does (on the CPU):

- the untouched stub fails every test, and the reference solution passes;
- typical wrong implementations fail, each on the test aimed at its mistake, with its feedback code;
- correct implementations written differently from the reference pass: the check judges the contract.
"""

from __future__ import annotations

from discrimination import Cases, Wrong, four_way_tests, solution_source, variant

BOX_OPS = solution_source("box_ops")

BOX_OPS_WRONG = {
    # Suppresses a box whose IoU equals the threshold; the contract (and torchvision) keeps it.
    "suppress_at_threshold": Wrong(
        fails={"test_nms_iou_equal_to_threshold_is_kept": "shape_mismatch"},
        source=variant(BOX_OPS, ("iou[index] > iou_threshold", "iou[index] >= iou_threshold")),
    ),
    # Hands the work to torchvision: right values, but the check's rule forbids its box functions.
    "calls_torchvision_nms": Wrong(
        fails={"test_nms_ties_lower_index_first": "forbidden"},
        source=BOX_OPS + "\n\ndef nms(boxes, scores, iou_threshold):\n    import torchvision\n\n"
                         "    return torchvision.ops.nms(boxes, scores, iou_threshold)\n",
    ),
}

BOX_OPS_CORRECT = {
    # The suppression written as "keep what overlaps at most the threshold": the same rule, negated.
    "negated_suppression": variant(BOX_OPS, ("iou[index] > iou_threshold", "~(iou[index] <= iou_threshold)")),
}

CASES = {"box_ops": Cases(BOX_OPS_WRONG, BOX_OPS_CORRECT)}

(test_stub_fails, test_solution_passes, test_typical_mistake_fails_with_its_code,
 test_other_correct_implementation_passes) = four_way_tests(CASES)
