"""Check for `box_ops`: box_iou and nms equal the reference (itself equal to torchvision.ops) on synthetic
boxes from the grading seed, ties, empty inputs, IoU exactly at the threshold and zero-area boxes."""

import pytest
import torch

from dlquest.grader.checklib import Rule, expect_same

RULE = Rule("torchvision's box functions (torchvision.ops.box_iou, nms, batched_nms, torch.ops.torchvision.*)",
            ops=[r"torchvision::\w+"],
            python=["torchvision.ops.box_iou", "torchvision.ops.nms", "torchvision.ops.batched_nms",
                    "torchvision.ops.boxes.box_iou", "torchvision.ops.boxes.nms"])


def random_boxes(generator, count, extent=20.0):
    corner = torch.rand(count, 2, generator=generator, dtype=torch.float64) * extent
    size = torch.rand(count, 2, generator=generator, dtype=torch.float64) * extent / 2
    return torch.cat([corner, corner + size], dim=1)


def iou_probe(module, boxes1, boxes2):
    return module.box_iou(boxes1, boxes2)


def nms_probe(module, boxes, scores, threshold):
    return module.nms(boxes, scores, threshold)


@pytest.mark.parametrize("sizes", [(5, 7), (1, 1), (12, 3)])
def test_iou_random(learner, reference, seed, sizes):
    generator = torch.Generator().manual_seed(seed + sum(sizes))
    expect_same(learner, reference, iou_probe, random_boxes(generator, sizes[0]),
                random_boxes(generator, sizes[1]), what="IoU matrix")


@pytest.mark.parametrize("sizes", [(0, 3), (3, 0), (0, 0)])
def test_iou_empty(learner, reference, sizes):
    expect_same(learner, reference, iou_probe, torch.zeros(sizes[0], 4), torch.zeros(sizes[1], 4),
                what="IoU of an empty set of boxes (its shape)", check_dtype=True)


def test_iou_zero_area(learner, reference):
    boxes = torch.tensor([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 2.0, 2.0], [3.0, 1.0, 3.0, 4.0]])
    expect_same(learner, reference, iou_probe, boxes, boxes, what="IoU with zero-area boxes")


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
def test_nms_random(learner, reference, seed, threshold):
    generator = torch.Generator().manual_seed(seed + int(threshold * 10))
    boxes = random_boxes(generator, 30)
    scores = torch.rand(30, generator=generator, dtype=torch.float64)
    expect_same(learner, reference, nms_probe, boxes, scores, threshold, what="kept indices", check_dtype=True)


def test_nms_ties_lower_index_first(learner, reference, seed):
    generator = torch.Generator().manual_seed(seed)
    boxes = random_boxes(generator, 20)
    scores = torch.randint(0, 3, (20,), generator=generator).double()
    expect_same(learner, reference, nms_probe, boxes, scores, 0.4, what="kept indices with equal scores")


def test_nms_iou_equal_to_threshold_is_kept(learner, reference):
    # IoU of these two is exactly 0.5 in floating point: 1 / (2 + 1 - 1).
    boxes = torch.tensor([[0.0, 0.0, 2.0, 1.0], [1.0, 0.0, 2.0, 1.0]])
    expect_same(learner, reference, nms_probe, boxes, torch.tensor([0.9, 0.8]), 0.5,
                what="kept indices when the IoU equals the threshold")


def test_nms_empty(learner, reference):
    expect_same(learner, reference, nms_probe, torch.zeros(0, 4), torch.zeros(0), 0.5,
                what="kept indices of no boxes", check_dtype=True)
