"""Example for the lesson "image-classification" / 图像分类实战.

Run it with `dlquest run image-classification` (or `python dlquest/lessons/examples/image_classification.py`).
It never downloads anything, uses fixed seeds and finishes in about ten seconds on two CPU cores.

1. The data: scikit-learn's handwritten digits (8x8, shipped with the library), split into train /
   validation / test, one digit drawn as a heat map, and the same digit upsampled to 16x16.
2. The model: a small CNN with batch normalisation; the shape after every layer, the parameter count.
3. Training with a validation pass after every epoch: loss and accuracy curves in the terminal.
4. The test set: accuracy, the confusion matrix as numbers and as a heat map, the most confused pair.
5. CIFAR-10 with torchvision: the real data set when it is on disk (`download=False`), otherwise
   torchvision's FakeData with the same shapes (random pixels: expect chance accuracy, about 10%).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from termplot import heading, heat_map, plot_curves
from torch import nn

torch.manual_seed(0)
torch.set_num_threads(1)  # the layers are tiny: one thread is faster than several fighting over them


# --------------------------------------------------------------------------------------------
# 1. The data
# --------------------------------------------------------------------------------------------


def load_splits():
    """Digits as (N, 1, 8, 8) float tensors in [0, 1]: 60% train, 20% validation, 20% test, stratified."""
    X, y = load_digits(return_X_y=True)
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.25, stratify=y_rest,
                                                      random_state=0)

    def images(a):
        return torch.tensor(a / 16.0, dtype=torch.float32).reshape(-1, 1, 8, 8)

    def labels(a):
        return torch.tensor(a, dtype=torch.int64)

    return ((images(X_train), labels(y_train)), (images(X_val), labels(y_val)), (images(X_test), labels(y_test)))


def part_data(splits) -> None:
    heading("The handwritten digits", "手写数字数据集")
    (X_train, y_train), (X_val, _), (X_test, _) = splits
    print(f"train / 训练集 {tuple(X_train.shape)}, validation / 验证集 {tuple(X_val.shape)}, "
          f"test / 测试集 {tuple(X_test.shape)}")
    print(f"pixel range / 像素范围: [{X_train.min():.1f}, {X_train.max():.1f}], "
          f"labels per class in train / 训练集每类样本数: {torch.bincount(y_train).tolist()}")
    digit = X_train[0, 0]
    heat_map(digit, f"the first training image, label {int(y_train[0])} (8x8) / 第一张训练图像，标签 {int(y_train[0])}")
    bigger = F.interpolate(X_train[:1], scale_factor=2, mode="bilinear", align_corners=False)[0, 0]
    heat_map(bigger, f"the same image upsampled to {tuple(bigger.shape)} / 同一张图像上采样到 16x16")


# --------------------------------------------------------------------------------------------
# 2. The model
# --------------------------------------------------------------------------------------------


def build_model() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 4 * 4, 10),
    )


def part_model(model: nn.Module) -> None:
    heading("A small CNN with batch normalisation", "带批归一化的小型 CNN")
    x = torch.zeros(2, 1, 8, 8)
    print(f"{'input':<34} {tuple(x.shape)}")
    model.eval()
    with torch.no_grad():
        for layer in model:
            x = layer(x)
            print(f"{repr(layer)[:34]:<34} {tuple(x.shape)}")
    total = sum(p.numel() for p in model.parameters())
    print(f"parameters / 参数总数: {total}")


# --------------------------------------------------------------------------------------------
# 3. Training with validation
# --------------------------------------------------------------------------------------------


def evaluate(model, X, y, loss_fn):
    model.eval()
    with torch.no_grad():
        scores = model(X)
    return loss_fn(scores, y).item(), (scores.argmax(1) == y).float().mean().item(), scores.argmax(1)


def train(model, splits, epochs=10, batch_size=64):
    (X_train, y_train), (X_val, y_val), _ = splits
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    history = {"train loss": [], "val loss": [], "train acc": [], "val acc": []}
    for epoch in range(1, epochs + 1):
        model.train()
        total, correct = 0.0, 0
        order = torch.randperm(len(X_train))
        for start in range(0, len(X_train), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            scores = model(X_train[batch])
            loss = loss_fn(scores, y_train[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
            correct += (scores.argmax(1) == y_train[batch]).sum().item()
        val_loss, val_acc, _ = evaluate(model, X_val, y_val, loss_fn)
        history["train loss"].append(total / len(X_train))
        history["train acc"].append(correct / len(X_train))
        history["val loss"].append(val_loss)
        history["val acc"].append(val_acc)
        print(f"epoch {epoch:2d}: train loss {history['train loss'][-1]:.3f} acc {history['train acc'][-1]:.3f} | "
              f"val loss {val_loss:.3f} acc {val_acc:.3f}")
    return history


def part_training(model, splits):
    heading("Training, with a validation pass after every epoch", "训练：每轮结束后在验证集上评估")
    start = time.perf_counter()
    history = train(model, splits)
    print(f"training took / 训练耗时 {time.perf_counter() - start:.1f} s")
    epochs = range(1, len(history["train loss"]) + 1)
    plot_curves("loss per epoch / 每轮损失", epochs, {"train": history["train loss"], "val": history["val loss"]})
    plot_curves("accuracy per epoch / 每轮准确率", epochs, {"train": history["train acc"], "val": history["val acc"]})


# --------------------------------------------------------------------------------------------
# 4. The test set and the confusion matrix
# --------------------------------------------------------------------------------------------


def confusion_matrix(y_true, y_pred, num_classes=10):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    matrix.index_put_((y_true, y_pred), torch.ones_like(y_true), accumulate=True)
    return matrix  # rows: true class, columns: predicted class


def part_test(model, splits):
    heading("Test accuracy and the confusion matrix", "测试准确率与混淆矩阵")
    X_test, y_test = splits[2]
    loss, accuracy, predicted = evaluate(model, X_test, y_test, nn.CrossEntropyLoss())
    print(f"test loss / 测试损失 {loss:.3f}, test accuracy / 测试准确率 {accuracy:.3f} "
          f"({int((predicted == y_test).sum())} of {len(y_test)})")
    matrix = confusion_matrix(y_test, predicted)
    print("rows: true digit, columns: predicted digit / 行：真实数字，列：预测数字")
    print("      " + " ".join(f"{c:3d}" for c in range(10)))
    for true_class, row in enumerate(matrix.tolist()):
        print(f"  {true_class:2d}  " + " ".join(f"{v:3d}" for v in row))
    # Shade the log of the counts so that the few mistakes stay visible next to the large diagonal.
    heat_map(torch.log1p(matrix.float()), "the same matrix, shaded by log(1 + count) / 同一矩阵的热力图（按 log(1+计数) 着色）")
    off_diagonal = matrix.clone()
    off_diagonal.fill_diagonal_(0)
    if off_diagonal.sum() > 0:
        true_class, wrong_class = divmod(int(off_diagonal.argmax()), 10)
        print(f"most frequent mistake / 最常见的错误: {true_class} read as {wrong_class} "
              f"({int(off_diagonal.max())} times / 次)")
    per_class = (matrix.diag().float() / matrix.sum(1).float()).tolist()
    print("recall per digit / 每个数字的召回率: " + ", ".join(f"{c}:{r:.2f}" for c, r in enumerate(per_class)))


# --------------------------------------------------------------------------------------------
# 5. CIFAR-10: the real data set if it is on disk, FakeData otherwise
# --------------------------------------------------------------------------------------------

CIFAR_CLASSES = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


def cifar10(root: Path):
    """(train, test, is_real): torchvision's CIFAR10 when its files are under `root`, else FakeData."""
    import torchvision
    from torchvision.transforms import v2

    train_transform = v2.Compose([v2.ToImage(), v2.RandomCrop(32, padding=4), v2.RandomHorizontalFlip(),
                                  v2.ToDtype(torch.float32, scale=True), v2.Normalize(CIFAR_MEAN, CIFAR_STD)])
    test_transform = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True),
                                 v2.Normalize(CIFAR_MEAN, CIFAR_STD)])
    try:
        train_set = torchvision.datasets.CIFAR10(root, train=True, download=False, transform=train_transform)
        test_set = torchvision.datasets.CIFAR10(root, train=False, download=False, transform=test_transform)
        return train_set, test_set, True
    except RuntimeError:  # "Dataset not found or corrupted": nothing is downloaded here
        print(f"CIFAR-10 not found at {root}; using FakeData — accuracy will be chance")
        print(f"未在 {root} 找到 CIFAR-10，改用 FakeData（随机图像）：准确率只会是随机水平（约 10%）")
        train_set = torchvision.datasets.FakeData(size=50_000, image_size=(3, 32, 32), num_classes=10,
                                                  transform=train_transform, random_offset=0)
        test_set = torchvision.datasets.FakeData(size=10_000, image_size=(3, 32, 32), num_classes=10,
                                                 transform=test_transform, random_offset=50_000)
        return train_set, test_set, False


def part_cifar10():
    heading("CIFAR-10 with torchvision", "用 torchvision 读取 CIFAR-10")
    root = Path(os.environ.get("DLQUEST_CIFAR10", "./data")).expanduser().resolve()
    train_set, test_set, is_real = cifar10(root)
    image, label = train_set[0]
    print(f"train / 训练集 {len(train_set)} images, test / 测试集 {len(test_set)} images, 10 classes: "
          f"{', '.join(CIFAR_CLASSES)}")
    print(f"one transformed sample / 一个变换后的样本: {tuple(image.shape)} {image.dtype}, label {label} "
          f"({CIFAR_CLASSES[label]}), mean {image.mean():.2f}, std {image.std():.2f}")
    # A quick run on small subsets, to show the pipeline end to end (a real run trains for many epochs).
    generator = torch.Generator().manual_seed(0)
    train_subset = torch.utils.data.Subset(train_set, torch.randperm(len(train_set), generator=generator)[:320].tolist())
    test_subset = torch.utils.data.Subset(test_set, list(range(200)))
    train_loader = torch.utils.data.DataLoader(train_subset, batch_size=64, shuffle=True, generator=generator)
    test_loader = torch.utils.data.DataLoader(test_subset, batch_size=128)
    model = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),   # 16 x 16
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),  # 8 x 8
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    for epoch in range(1, 3):
        model.train()
        for images, labels in train_loader:
            optimizer.zero_grad()
            F.cross_entropy(model(images), labels).backward()
            optimizer.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for images, labels in test_loader:
                correct += (model(images).argmax(1) == labels).sum().item()
        print(f"epoch {epoch}: accuracy on 200 test images / 200 张测试图像上的准确率 {correct / 200:.3f}")
    if not is_real:
        print("FakeData has random pixels and random labels: about 0.10 is all any model can reach.")
        print("FakeData 的像素和标签都是随机的：任何模型都只能达到约 0.10。")


def main() -> None:
    splits = load_splits()
    part_data(splits)
    model = build_model()
    part_model(model)
    part_training(model, splits)
    part_test(model, splits)
    part_cifar10()


if __name__ == "__main__":
    main()
