"""Example for the lesson "data-augmentation" / 数据增强.

Run it with `dlquest run data-augmentation` (or `python dlquest/lessons/examples/data_augmentation.py`).
It works offline (scikit-learn's handwritten digits), uses fixed seeds and finishes in about ten seconds.

1. torchvision's transforms (the v2 API) applied to one digit, shown side by side as heat maps.
2. Composing a training pipeline and a test pipeline; seeding makes random transforms repeatable.
3. A custom transform: a callable class (Cutout, which blanks a random square) inside v2.Compose.
4. Mixup: λ ~ Beta(α, α) for three values of α, two digits blended, and the mixed loss, which equals the
   cross-entropy against the blended one-hot target.
5. When augmentation helps: the same CNN trained on only 150 digits, without augmentation, with random
   affine transforms, and with mixup, all measured on the same held-out digits.
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
import torchvision
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from termplot import heading, heat_rows, plot_curves
from torch import nn
from torchvision.transforms import v2

torch.manual_seed(0)
torch.set_num_threads(1)  # tiny tensors: one thread is faster than several fighting over them


def digits():
    X, y = load_digits(return_X_y=True)
    return torch.tensor(X / 16.0, dtype=torch.float32).reshape(-1, 1, 8, 8), torch.tensor(y)


def side_by_side(images, titles, per_row=3, gap="   ") -> None:
    """Several (1, H, W) images as heat maps on the same lines, each under its title, `per_row` at a time."""
    for first in range(0, len(images), per_row):
        panels = [heat_rows(img[0].clamp(0, 1)) for img in images[first:first + per_row]]
        width = len(panels[0][0])
        print(gap.join(t[:width].ljust(width) for t in titles[first:first + per_row]))
        for row in zip(*panels):
            print(gap.join(row))


# --------------------------------------------------------------------------------------------
# 1. Single transforms
# --------------------------------------------------------------------------------------------


def part_single_transforms(X, y) -> None:
    heading(f"torchvision {torchvision.__version__.split('+')[0]}: single transforms", "torchvision 的单个变换")
    print("transforms.v2 is available / 可以使用 transforms.v2:", hasattr(torchvision.transforms, "v2"))
    img = v2.Resize(12, antialias=True)(X[3])  # 8x8 -> 12x12 so that the changes are easier to see
    print(f"digit {int(y[3])}, upsampled to {tuple(img.shape)} / 数字 {int(y[3])}，上采样到 12x12")
    torch.manual_seed(1)
    examples = {
        "original": img,
        "rotate 25": v2.RandomRotation(degrees=(25, 25))(img),
        "shift": v2.RandomAffine(degrees=0, translate=(0.2, 0.2))(img),
        "crop+resize": v2.RandomResizedCrop(12, scale=(0.5, 0.8), antialias=True)(img),
        "h-flip": v2.RandomHorizontalFlip(p=1.0)(img),
    }
    side_by_side(list(examples.values()), list(examples))
    print("A flipped digit is no longer a valid digit: pick transforms that keep the label true.")
    print("水平翻转后的数字已经不是合法的数字了：只选不会改变标签含义的变换。")
    bright = v2.ColorJitter(brightness=(1.5, 1.5))(img)
    print(f"ColorJitter(brightness=1.5): mean {img.mean():.3f} -> {bright.mean():.3f} (values clipped to 1)")


# --------------------------------------------------------------------------------------------
# 2. Composing
# --------------------------------------------------------------------------------------------

MEAN, STD = (0.3,), (0.4,)


def part_compose(X) -> None:
    heading("Composing a training and a test pipeline", "组合训练与测试流水线")
    train_tf = v2.Compose([
        v2.RandomAffine(degrees=10, translate=(0.125, 0.125), scale=(0.9, 1.1)),
        v2.Normalize(MEAN, STD),
    ])
    test_tf = v2.Compose([v2.Normalize(MEAN, STD)])  # no randomness at test time
    print("train:", train_tf)
    print("test: ", test_tf)
    torch.manual_seed(7)
    first = train_tf(X[0])
    torch.manual_seed(7)
    again = train_tf(X[0])
    print(f"same seed, same result / 相同种子，相同结果: {torch.equal(first, again)}")
    print(f"test pipeline is deterministic / 测试流水线是确定的: {torch.equal(test_tf(X[0]), test_tf(X[0]))}")
    print(f"after Normalize: mean {test_tf(X[:200]).mean():.3f}, std {test_tf(X[:200]).std():.3f}")


# --------------------------------------------------------------------------------------------
# 3. A custom transform
# --------------------------------------------------------------------------------------------


class Cutout:
    """Blank one random size x size square of every image (set it to `value`). A plain callable class:
    __init__ keeps the settings, __call__ takes an image tensor (C, H, W) and returns a new one."""

    def __init__(self, size, value=0.0, generator=None):
        self.size, self.value, self.generator = size, value, generator

    def __call__(self, img):
        h, w = img.shape[-2:]
        top = int(torch.randint(0, h - self.size + 1, (1,), generator=self.generator))
        left = int(torch.randint(0, w - self.size + 1, (1,), generator=self.generator))
        out = img.clone()  # never change the caller's tensor
        out[..., top:top + self.size, left:left + self.size] = self.value
        return out

    def __repr__(self):
        return f"Cutout(size={self.size}, value={self.value})"


def part_custom(X) -> None:
    heading("A custom transform: a callable class", "自定义变换：可调用的类")
    generator = torch.Generator().manual_seed(0)
    pipeline = v2.Compose([v2.Resize(12, antialias=True), Cutout(6, generator=generator)])
    print(pipeline)
    originals = [v2.Resize(12, antialias=True)(X[i]) for i in range(3)]
    side_by_side(originals + [pipeline(X[i]) for i in range(3)], ["orig"] * 3 + ["cutout"] * 3)


# --------------------------------------------------------------------------------------------
# 4. Mixup
# --------------------------------------------------------------------------------------------


def part_mixup(X, y) -> None:
    heading("Mixup: λ ~ Beta(α, α)", "Mixup：λ 服从 Beta(α, α)")
    bins = torch.linspace(0, 1, 21)
    centres = ((bins[:-1] + bins[1:]) / 2).tolist()
    curves = {}
    torch.manual_seed(0)
    for alpha in (0.2, 1.0, 2.0):
        samples = torch.distributions.Beta(alpha, alpha).sample((20_000,))
        counts = torch.histc(samples, bins=20, min=0, max=1)
        curves[f"alpha={alpha}"] = (counts / counts.sum()).tolist()
        print(f"α = {alpha}: mean λ {samples.mean():.3f}, share of λ < 0.1 or > 0.9 / λ 落在两端的比例 "
              f"{((samples < 0.1) | (samples > 0.9)).float().mean():.2f}")
    plot_curves("share of λ per bin / 每个区间内 λ 的比例", centres, curves)

    i, j, lam = 0, 1, 0.7
    mixed = lam * X[i] + (1 - lam) * X[j]
    print(f"x̃ = {lam}·x_i + {1 - lam:.1f}·x_j with labels {int(y[i])} and {int(y[j])}")
    side_by_side([v2.Resize(12, antialias=True)(t) for t in (X[i], X[j], mixed)],
                 [f"x_i ({int(y[i])})", f"x_j ({int(y[j])})", "mixed"])

    scores = torch.tensor([[2.0, 1.0, -1.0]])
    y_i, y_j = torch.tensor([0]), torch.tensor([1])
    mixed_loss = lam * F.cross_entropy(scores, y_i) + (1 - lam) * F.cross_entropy(scores, y_j)
    soft_target = lam * F.one_hot(y_i, 3).float() + (1 - lam) * F.one_hot(y_j, 3).float()
    print(f"λ·L(ŷ, y_i) + (1−λ)·L(ŷ, y_j) = {mixed_loss.item():.4f}")
    target_text = ", ".join(f"{v:.1f}" for v in soft_target[0].tolist())
    print(f"L(ŷ, soft target [{target_text}]) = {F.cross_entropy(scores, soft_target).item():.4f}")


# --------------------------------------------------------------------------------------------
# 5. When augmentation helps
# --------------------------------------------------------------------------------------------


def small_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 4 * 4, 10),
    )


def train_small(X, y, X_test, y_test, mode, epochs=30, alpha=0.4):
    torch.manual_seed(0)
    model = small_cnn()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    augment = v2.RandomAffine(degrees=10, translate=(0.125, 0.125), scale=(0.9, 1.1))
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(X))
        for start in range(0, len(X), 32):
            batch = order[start:start + 32]
            xb, yb = X[batch], y[batch]
            if mode == "affine":
                xb = torch.stack([augment(img) for img in xb])  # a new random transform for every image
            if mode == "mixup":
                lam = float(torch.distributions.Beta(alpha, alpha).sample())
                perm = torch.randperm(len(batch))
                scores = model(lam * xb + (1 - lam) * xb[perm])
                loss = lam * F.cross_entropy(scores, yb) + (1 - lam) * F.cross_entropy(scores, yb[perm])
            else:
                loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        return (model(X_test).argmax(1) == y_test).float().mean().item()


def part_when_it_helps(X, y) -> None:
    heading("When augmentation helps: 150 training digits", "数据增强何时有用：只有 150 张训练图像")
    X_train, X_test, y_train, y_test = train_test_split(X, y, train_size=150, stratify=y, random_state=0)
    print(f"train {len(X_train)} images, test {len(X_test)} images, 30 epochs each / 每种设置训练 30 轮")
    for mode, label in (("none", "no augmentation / 不增强"), ("affine", "random affine / 随机仿射"),
                        ("mixup", "mixup (α = 0.4)")):
        start = time.perf_counter()
        accuracy = train_small(X_train, y_train, X_test, y_test, mode)
        print(f"  {label:<28} test accuracy / 测试准确率 {accuracy:.3f}   ({time.perf_counter() - start:.1f} s)")
    print("Small data + label-preserving transforms: a clear gain. Mixup's blended images are harder to fit:")
    print("it usually needs longer training before it pays off.")
    print("数据少、变换又不改变标签时，增强的收益很明显；mixup 的混合图像更难拟合，通常要训练更久才见效。")


def main() -> None:
    X, y = digits()
    part_single_transforms(X, y)
    part_compose(X)
    part_custom(X)
    part_mixup(X, y)
    part_when_it_helps(X, y)


if __name__ == "__main__":
    main()
