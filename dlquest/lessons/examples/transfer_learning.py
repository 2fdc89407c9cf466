"""Example for the lesson "transfer-learning" / 迁移学习：特征提取与微调.

Run it with `dlquest run transfer-learning` (or `python dlquest/lessons/examples/transfer_learning.py`).
It never downloads anything, uses fixed seeds and finishes in a few seconds on a laptop CPU.

1. Looks for ImageNet weights of torchvision's ResNet-18 in the local torch hub cache. When they are there,
   it loads them, freezes the backbone and replaces the head; when they are not, it says so and goes on.
2. Pre-trains a small CNN of its own on the digits 0–4 (sklearn's 8×8 digits): this is "the pre-trained
   model" for the rest of the example.
3. Transfers it to the digits 5–9 with only PER_CLASS labelled images per class, and compares training from
   scratch, feature extraction (frozen backbone, new head) and fine-tuning (everything trains, with a
   smaller learning rate for the backbone), plus gradual unfreezing.
"""

from __future__ import annotations

import copy
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from termplot import heading, plot_curves

torch.set_num_threads(1)  # small tensors: one thread is faster and the timings are steadier
PER_CLASS = 2  # labelled images per class of the new task (try 5 or 20)


def is_batch_norm(module):
    return isinstance(module, nn.modules.batchnorm._BatchNorm)


def freeze_backbone(model):
    """requires_grad False everywhere but the head, and the backbone's BatchNorm layers in eval mode."""
    head = {id(p) for p in model.fc.parameters()}
    for p in model.parameters():
        p.requires_grad_(id(p) in head)
    for m in model.modules():
        if is_batch_norm(m):
            m.eval()


def set_train_mode(model):
    """model.train(), but BatchNorm layers whose parameters are all frozen stay in eval mode."""
    model.train()
    for m in model.modules():
        params = list(m.parameters())
        if is_batch_norm(m) and params and not any(p.requires_grad for p in params):
            m.eval()


def count(model):
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters())


# --------------------------------------------------------------------------------------------
# 1. Pre-trained torchvision weights, if they are in the local cache
# --------------------------------------------------------------------------------------------


def part_torchvision() -> None:
    heading("Pre-trained weights in the local torch hub cache?", "本地 torch hub 缓存里有预训练权重吗？")
    folder = Path(torch.hub.get_dir()) / "checkpoints"
    found = sorted(folder.glob("resnet18-*.pth")) if folder.is_dir() else []
    print(f"looking in / 查找目录：{folder}")
    try:
        import torchvision
    except ImportError:
        torchvision = None
    if not found or torchvision is None:
        reason = "torchvision is not installed" if torchvision is None else "no resnet18-*.pth file there"
        print(f"CASE: no ImageNet weights ({reason}); nothing is downloaded. The rest of this example uses a")
        print("      model pre-trained by the course itself, on digits 0–4.")
        print(f"情况：没有 ImageNet 权重（{'未安装 torchvision' if torchvision is None else '目录中没有 resnet18-*.pth'}），"
              "本示例不会下载任何东西。下面使用课程自己在数字 0–4 上预训练的模型。")
        return
    print(f"CASE: found {found[0].name}: torchvision's ResNet-18 with ImageNet weights.")
    print(f"情况：找到了 {found[0].name}，即带 ImageNet 权重的 torchvision ResNet-18。")
    model = torchvision.models.resnet18()
    model.load_state_dict(torch.load(found[0], map_location="cpu", weights_only=True))
    print(f"old head / 原分类头：{model.fc}")
    freeze_backbone(model)
    model.fc = nn.Linear(model.fc.in_features, 5)
    trainable, total = count(model)
    print(f"new head / 新分类头：{model.fc};  trainable {trainable:,} of {total:,} parameters / 可训练参数")
    model.eval()
    with torch.no_grad():
        print(f"output for one 224×224 image / 一张图片的输出形状：{tuple(model(torch.zeros(1, 3, 224, 224)).shape)}")
    print("(The digits below are 8×8 and grey: the ImageNet model is shown, not trained, to keep this fast.)")
    print("（下面的数字图片是 8×8 灰度图；为了保持示例快速，这里只展示 ImageNet 模型，不训练它。）")


# --------------------------------------------------------------------------------------------
# 2. A model pre-trained by the course: a small CNN on the digits 0–4
# --------------------------------------------------------------------------------------------


class SmallCNN(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU())
        self.layer1 = nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.layer2 = nn.Sequential(nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                                    nn.MaxPool2d(2), nn.Flatten())  # 32 channels × 2 × 2 = 128 features
        self.fc = nn.Linear(128, num_classes)

    def forward(self, x):
        return self.fc(self.layer2(self.layer1(self.stem(x))))


def load_data():
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    y = torch.tensor(digits.target)
    return x, y


def fit(model, groups, x, y, epochs, x_test=None, y_test=None, batch=10, seed=0):
    """Train with Adam on the given parameter groups; return the test accuracy after each epoch."""
    optimizer = torch.optim.Adam(groups)
    generator = torch.Generator().manual_seed(seed)
    history = []
    for _ in range(epochs):
        set_train_mode(model)
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if x_test is not None:
            history.append(accuracy(model, x_test, y_test))
    return history


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def part_pretrain(x, y):
    heading("Pre-training a small CNN on the digits 0–4", "在数字 0–4 上预训练一个小型 CNN")
    source = y < 5
    xs, ys = x[source], y[source]
    split = torch.randperm(len(xs), generator=torch.Generator().manual_seed(1))
    train_idx, test_idx = split[:700], split[700:]
    torch.manual_seed(0)
    model = SmallCNN(5)
    fit(model, model.parameters(), xs[train_idx], ys[train_idx], epochs=4, batch=32)
    print(f"source task: {len(train_idx)} training images of 0–4 / 源任务：{len(train_idx)} 张训练图片")
    print(f"accuracy on held-out 0–4 / 在留出的 0–4 上的准确率：{accuracy(model, xs[test_idx], ys[test_idx]):.3f}")
    return model


# --------------------------------------------------------------------------------------------
# 3. Transfer to the digits 5–9 with few labels
# --------------------------------------------------------------------------------------------


def part_transfer(pretrained, x, y):
    heading(f"Transfer to the digits 5–9 with {PER_CLASS} labels per class",
            f"迁移到数字 5–9：每类只有 {PER_CLASS} 个标注样本")
    target = y >= 5
    xt, yt = x[target], y[target] - 5
    generator = torch.Generator().manual_seed(2)
    train_idx = torch.cat([torch.nonzero(yt == c).flatten()[torch.randperm(int((yt == c).sum()),
                                                                           generator=generator)[:PER_CLASS]]
                           for c in range(5)])
    test_mask = torch.ones(len(yt), dtype=torch.bool)
    test_mask[train_idx] = False
    x_train, y_train, x_test, y_test = xt[train_idx], yt[train_idx], xt[test_mask], yt[test_mask]
    print(f"{len(x_train)} labelled training images, {len(x_test)} test images / "
          f"{len(x_train)} 张带标签训练图片，{len(x_test)} 张测试图片")
    epochs = 12
    curves = {}

    torch.manual_seed(3)
    scratch = SmallCNN(5)
    curves["from scratch"] = fit(scratch, [{"params": list(scratch.parameters()), "lr": 1e-2}],
                                 x_train, y_train, epochs, x_test, y_test)

    torch.manual_seed(3)
    extractor = copy.deepcopy(pretrained)
    freeze_backbone(extractor)
    extractor.fc = nn.Linear(128, 5)  # a new head for the new classes
    trainable, total = count(extractor)
    print(f"feature extraction trains {trainable} of {total} parameters / 特征提取只训练 {trainable}/{total} 个参数")
    head_only = [{"params": [p for p in extractor.parameters() if p.requires_grad], "lr": 1e-2}]
    curves["feature extraction"] = fit(extractor, head_only, x_train, y_train, epochs, x_test, y_test)

    torch.manual_seed(3)
    tuned = copy.deepcopy(pretrained)
    tuned.fc = nn.Linear(128, 5)
    head = {id(p) for p in tuned.fc.parameters()}
    groups = [{"params": list(tuned.fc.parameters()), "lr": 1e-2},
              {"params": [p for p in tuned.parameters() if id(p) not in head], "lr": 1e-3}]
    curves["fine-tuning"] = fit(tuned, groups, x_train, y_train, epochs, x_test, y_test)

    # Gradual unfreezing: the head first, then layer2, then everything, each stage a few epochs.
    torch.manual_seed(3)
    gradual = copy.deepcopy(pretrained)
    freeze_backbone(gradual)
    gradual.fc = nn.Linear(128, 5)
    history = []
    for stage, names in enumerate([[], ["layer2"], ["layer1", "stem"]]):
        for name in names:
            getattr(gradual, name).requires_grad_(True)
        head = {id(p) for p in gradual.fc.parameters()}
        groups = [{"params": list(gradual.fc.parameters()), "lr": 1e-2}]
        backbone = [p for p in gradual.parameters() if p.requires_grad and id(p) not in head]
        if backbone:
            groups.append({"params": backbone, "lr": 1e-3})
        history += fit(gradual, groups, x_train, y_train, epochs // 3, x_test, y_test, seed=stage)
    curves["gradual unfreezing"] = history

    early = 2
    print(f"{'':<20}{'after ' + str(early) + ' epochs':>16}{'after ' + str(epochs) + ' epochs':>17}"
          f"   / {early} 轮后、{epochs} 轮后的测试准确率")
    for name, accs in curves.items():
        print(f"{name:<20}{accs[early - 1]:>16.3f}{accs[-1]:>17.3f}")
    plot_curves("test accuracy on 5–9 per epoch / 每轮在 5–9 上的测试准确率", range(1, epochs + 1), curves)
    best_early = max(curves, key=lambda name: curves[name][early - 1])
    best_end = max(curves, key=lambda name: curves[name][-1])
    print(f"best after {early} epochs: {best_early}; best at the end: {best_end}.")
    print(f"{early} 轮后最好的是 {best_early}；训练结束时最好的是 {best_end}。")
    print("With this few labels the features learned on 0–4 (strokes, curves, loops) are worth a lot. Try")
    print("PER_CLASS = 5 or 20 at the top of this file: the gap shrinks, because digits are an easy task and a")
    print("small CNN trained from scratch catches up once it has enough labels.")
    print("标签这么少时，在 0–4 上学到的特征（笔画、弧线、圆圈）非常有价值。把文件开头的 PER_CLASS 改成 5 或 20 试试："
          "差距会缩小，因为识别数字并不难，标签足够多时从零训练的小 CNN 也能追上来。")


def main() -> None:
    part_torchvision()
    x, y = load_data()
    pretrained = part_pretrain(x, y)
    part_transfer(pretrained, x, y)


if __name__ == "__main__":
    main()
