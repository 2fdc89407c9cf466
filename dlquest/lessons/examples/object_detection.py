"""Example for the lesson "object-detection" / 目标检测入门.

Run it with `dlquest run object-detection` (or `python dlquest/lessons/examples/object_detection.py`).
It needs torch and torchvision, works offline, uses a fixed seed and finishes in seconds.

1. The three box formats, converted by hand and checked against torchvision.ops.box_convert.
2. IoU: the worked example from the lesson, then a broadcast IoU matrix checked against torchvision.
3. Greedy NMS written here in plain PyTorch, on synthetic detections clustered around three objects,
   compared with torchvision.ops.nms at several thresholds.
4. A text drawing of the boxes before and after NMS.
"""

from __future__ import annotations

import torch
from termplot import heading
from torchvision.ops import box_convert
from torchvision.ops import box_iou as tv_box_iou
from torchvision.ops import nms as tv_nms


def box_iou(boxes1: torch.Tensor, boxes2: torch.Tensor) -> torch.Tensor:
    """IoU of every xyxy box in boxes1 (N, 4) with every one in boxes2 (M, 4): an (N, M) matrix."""
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    top_left = torch.maximum(boxes1[:, None, :2], boxes2[None, :, :2])
    bottom_right = torch.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    # Boxes that do not overlap give a negative width or height: clamp so their intersection is 0.
    size = (bottom_right - top_left).clamp(min=0)
    inter = size[..., 0] * size[..., 1]
    return inter / (area1[:, None] + area2[None, :] - inter)


def greedy_nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Keep the best box, drop its neighbours with IoU > threshold, repeat; indices by falling score."""
    # A stable sort takes equal scores lower index first, as torchvision does.
    order = torch.sort(scores, descending=True, stable=True).indices
    iou = box_iou(boxes, boxes)
    suppressed = torch.zeros(len(boxes), dtype=torch.bool)
    keep = []
    for index in order.tolist():
        if suppressed[index]:
            continue
        keep.append(index)
        suppressed |= iou[index] > iou_threshold
    return torch.tensor(keep, dtype=torch.int64)


def part_formats() -> None:
    heading("Box formats", "框的格式")
    xyxy = torch.tensor([[8.0, 17.0, 12.0, 23.0]])
    xywh = torch.cat([xyxy[:, :2], xyxy[:, 2:] - xyxy[:, :2]], dim=1)
    cxcywh = torch.cat([(xyxy[:, :2] + xyxy[:, 2:]) / 2, xyxy[:, 2:] - xyxy[:, :2]], dim=1)
    for name, box in (("xyxy", xyxy), ("xywh", xywh), ("cxcywh", cxcywh)):
        print(f"  {name:7s} {tuple(box[0].tolist())}")
    same = torch.equal(cxcywh, box_convert(xyxy, "xyxy", "cxcywh")) and torch.equal(
        xywh, box_convert(xyxy, "xyxy", "xywh")
    )
    print(f"by hand == torchvision.ops.box_convert: {same}")
    print(f"手工转换与 torchvision.ops.box_convert 一致：{same}")


def part_iou() -> None:
    heading("Intersection over union", "交并比")
    a = torch.tensor([[0.0, 0.0, 2.0, 2.0]])
    b = torch.tensor([[1.0, 1.0, 3.0, 3.0]])
    print(f"IoU((0,0,2,2), (1,1,3,3)) = {box_iou(a, b).item():.4f}  (1/7 = {1 / 7:.4f})")
    generator = torch.Generator().manual_seed(0)
    corners = torch.rand(5, 2, generator=generator) * 50
    sizes = torch.rand(5, 2, generator=generator) * 30 + 5
    boxes = torch.cat([corners, corners + sizes], dim=1)
    mine, theirs = box_iou(boxes, boxes), tv_box_iou(boxes, boxes)
    print("IoU matrix of 5 random boxes / 5 个随机框的 IoU 矩阵：")
    for row in mine.tolist():
        print("    " + " ".join(f"{v:5.2f}" for v in row))
    difference = (mine - theirs).abs().max().item()
    print(f"max difference from torchvision.ops.box_iou: {difference:.1e}")
    print(f"与 torchvision.ops.box_iou 的最大差异：{difference:.1e}")


def synthetic_detections() -> tuple[torch.Tensor, torch.Tensor]:
    """Noisy copies of three objects, as a detector would propose them, each with a score."""
    generator = torch.Generator().manual_seed(1)
    objects = torch.tensor([[5.0, 4.0, 25.0, 16.0], [30.0, 2.0, 44.0, 18.0], [48.0, 6.0, 70.0, 17.0]])
    copies = objects.repeat_interleave(4, dim=0)
    boxes = copies + torch.randn(copies.shape, generator=generator) * 0.8
    scores = torch.rand(len(boxes), generator=generator) * 0.5 + 0.5
    return boxes, scores


def part_nms(boxes: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
    heading("Non-maximum suppression", "非极大值抑制")
    print(f"{len(boxes)} detections around 3 objects / 3 个物体周围共有 {len(boxes)} 个检测结果")
    kept = greedy_nms(boxes, scores, 0.5)
    for threshold in (0.1, 0.3, 0.5, 0.7, 0.9):
        mine, theirs = greedy_nms(boxes, scores, threshold), tv_nms(boxes, scores, threshold)
        same = torch.equal(mine, theirs)
        print(f"  threshold {threshold:.1f}: kept {len(mine):2d} boxes, same as torchvision.ops.nms: {same}")
        print(f"  阈值 {threshold:.1f}：保留 {len(mine):2d} 个框，与 torchvision.ops.nms 一致：{same}")
    print("kept at 0.5 (index, score) / 阈值 0.5 时保留的框（下标，得分）："
          + ", ".join(f"({i}, {scores[i].item():.2f})" for i in kept.tolist()))
    return kept


def draw(boxes: torch.Tensor, width: int = 74, height: int = 21) -> None:
    """Draw the outlines of xyxy boxes on a character grid, one column and one row per unit."""
    grid = [[" "] * width for _ in range(height)]
    for x1, y1, x2, y2 in boxes.round().int().tolist():
        x1, x2 = max(0, x1), min(width - 1, x2)
        y1, y2 = max(0, y1), min(height - 1, y2)
        for x in range(x1, x2 + 1):
            grid[y1][x] = grid[y2][x] = "-"
        for y in range(y1, y2 + 1):
            grid[y][x1] = grid[y][x2] = "|"
        for x, y in ((x1, y1), (x2, y1), (x1, y2), (x2, y2)):
            grid[y][x] = "+"
    for row in grid:
        print("  " + "".join(row).rstrip())


def part_drawing(boxes: torch.Tensor, kept: torch.Tensor) -> None:
    heading("Before and after NMS", "NMS 前后对比")
    print("all detections / 全部检测结果：")
    draw(boxes)
    print("after NMS at 0.5 / 阈值 0.5 的 NMS 之后：")
    draw(boxes[kept])


def main() -> None:
    torch.set_num_threads(min(2, torch.get_num_threads()))
    part_formats()
    part_iou()
    boxes, scores = synthetic_detections()
    kept = part_nms(boxes, scores)
    part_drawing(boxes, kept)


if __name__ == "__main__":
    main()
