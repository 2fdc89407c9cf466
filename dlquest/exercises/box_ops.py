"""Exercise `box_ops`: IoU between boxes and non-maximum suppression (PyTorch).

Boxes are float tensors of shape (N, 4) in xyxy format: (x1, y1, x2, y2) with x1 <= x2 and y1 <= y2.

``box_iou(boxes1, boxes2)`` returns an (N, M) tensor whose [i, j] is
    area(intersection of boxes1[i] and boxes2[j]) / area(their union),
with area = (x2 - x1) * (y2 - y1), the intersection's width and height clamped at 0, and the union
area(a) + area(b) - intersection. It equals ``torchvision.ops.box_iou`` on the same input:
- N = 0 or M = 0 gives an empty tensor of shape (N, M);
- two zero-area boxes have union 0, and their IoU is 0 / 0 = nan (as torchvision gives); a zero-area box
  against a box with area has IoU 0.
Same dtype as the input.

``nms(boxes, scores, iou_threshold)`` returns a 1-D int64 tensor of the indices of the boxes it keeps, in
decreasing order of score. Take the remaining box with the highest score, keep it, and drop every remaining
box whose IoU with it is strictly greater than ``iou_threshold`` (a box whose IoU equals the threshold is
kept, as in torchvision); repeat until none remain. Equal scores are taken lower index first. Empty input
(shape (0, 4)) gives ``torch.empty(0, dtype=torch.int64)``.

Do not call torchvision's detection functions (``torchvision.ops.*``, ``torch.ops.torchvision.*``): the
grader notices.

Check your work with:  dlquest check box_ops
"""

import torch


def box_iou(boxes1, boxes2):
    # TODO: areas, pairwise intersection corners by broadcasting, clamp at 0, divide by the union.
    raise NotImplementedError("box_iou")


def nms(boxes, scores, iou_threshold):
    # TODO: order by score (stable), keep the best remaining box, drop those overlapping it by more than
    # the threshold, repeat.
    raise NotImplementedError("nms")
