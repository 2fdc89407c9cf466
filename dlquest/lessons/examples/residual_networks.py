"""Example for the lesson "residual-networks" / 残差网络.

Run it with `dlquest run residual-networks` (or `python dlquest/lessons/examples/residual_networks.py`).
It needs no network access, uses fixed seeds and finishes in a few seconds on a laptop CPU.

1. Basic and bottleneck blocks: output shapes, and what each costs in parameters.
2. Whole ResNets for 32x32 images: parameter counts of resnet18/34/50, stage by stage, and wider variants.
3. The identity path at work: the gradient that reaches the input of a deep plain chain and of a deep
   residual chain.
4. Degradation: a shallow plain stack, a deep plain stack and a deep residual stack trained on two spirals,
   with their training loss plotted in the terminal.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from termplot import heading, plot_curves

torch.set_num_threads(1)


# --------------------------------------------------------------------------------------------
# Residual blocks and a CIFAR-style ResNet (3x3 stem, no max-pool)
# --------------------------------------------------------------------------------------------


def projection(in_channels, out_channels, stride):
    """The shortcut: nothing when the shape is kept, else a strided 1x1 conv followed by batch norm."""
    if stride == 1 and in_channels == out_channels:
        return nn.Sequential()
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                         nn.BatchNorm2d(out_channels))


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = projection(in_channels, out_channels, stride)

    def forward(self, x):
        residual = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(residual + self.shortcut(x))  # F(x) + x, then the ReLU


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        wide = out_channels * self.expansion
        self.conv1 = nn.Conv2d(in_channels, out_channels, 1, bias=False)  # squeeze
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.conv3 = nn.Conv2d(out_channels, wide, 1, bias=False)  # expand
        self.bn3 = nn.BatchNorm2d(wide)
        self.shortcut = projection(in_channels, wide, stride)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        return F.relu(self.bn3(self.conv3(out)) + self.shortcut(x))


def resnet(block, counts, num_classes=10, width=1.0):
    """A ResNet as nn.Sequential; `width` multiplies every stage's channels (a wide ResNet for width > 1)."""
    stem = int(64 * width)
    modules = [nn.Conv2d(3, stem, 3, padding=1, bias=False), nn.BatchNorm2d(stem), nn.ReLU()]
    channels = stem
    for base, stride, count in zip((64, 128, 256, 512), (1, 2, 2, 2), counts):
        for i in range(count):
            modules.append(block(channels, int(base * width), stride if i == 0 else 1))
            channels = int(base * width) * block.expansion
    modules += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, num_classes)]
    return nn.Sequential(*modules)


def count(module):
    return sum(p.numel() for p in module.parameters())


def part_blocks() -> None:
    heading("Basic and bottleneck blocks", "基本块与瓶颈块")
    torch.manual_seed(0)
    x = torch.randn(2, 64, 32, 32)
    for name, block in [("BasicBlock(64, 64)", BasicBlock(64, 64)),
                        ("BasicBlock(64, 128, stride=2)", BasicBlock(64, 128, stride=2)),
                        ("Bottleneck(64, 64)", Bottleneck(64, 64)),
                        ("Bottleneck(64, 32, stride=2)", Bottleneck(64, 32, stride=2))]:
        shortcut = "identity" if count(block.shortcut) == 0 else "1x1 conv + BN"
        print(f"  {name:<30} {str(tuple(x.shape)):<16} -> {str(tuple(block(x).shape)):<18} shortcut: {shortcut}")
    print()
    print("  Parameters of one block that maps 256 channels to 256 channels (BN included):")
    print(f"    two 3x3 convs (basic, 256 wide)           {count(BasicBlock(256, 256)):>10,}")
    print(f"    1x1 -> 3x3 -> 1x1 (bottleneck, 64 inside) {count(Bottleneck(256, 64)):>10,}")
    print("  The bottleneck does its 3x3 work on 64 channels only: about 17 times fewer parameters.")


def part_whole_networks() -> None:
    heading("Whole ResNets for 32x32 images", "适用于 32x32 图像的完整 ResNet")
    with torch.device("meta"):  # shapes only: no memory, no random initialisation
        models = {
            "resnet18": resnet(BasicBlock, [2, 2, 2, 2]),
            "resnet34": resnet(BasicBlock, [3, 4, 6, 3]),
            "resnet50": resnet(Bottleneck, [3, 4, 6, 3]),
        }
        print(f"  {'model':<10}{'stem':>10}{'stage 1':>12}{'stage 2':>12}{'stage 3':>12}{'stage 4':>12}"
              f"{'fc':>9}{'total':>13}")
        for name, model in models.items():
            blocks = [m for m in model if isinstance(m, (BasicBlock, Bottleneck))]
            per_stage, start = [], 0
            for n in ([2, 2, 2, 2] if name == "resnet18" else [3, 4, 6, 3]):
                per_stage.append(sum(count(b) for b in blocks[start:start + n]))
                start += n
            stem = count(model[0]) + count(model[1])
            print(f"  {name:<10}{stem:>10,}" + "".join(f"{p:>12,}" for p in per_stage)
                  + f"{count(model[-1]):>9,}{count(model):>13,}")
        print()
        print("  Width multiplier k (every stage k times wider): parameters grow like k².")
        for k in (0.5, 1.0, 2.0):
            print(f"    resnet18, k = {k:<4} {count(resnet(BasicBlock, [2, 2, 2, 2], width=k)):>12,}")


# --------------------------------------------------------------------------------------------
# Plain versus residual stacks: gradients and training
# --------------------------------------------------------------------------------------------


class Stack(nn.Module):
    """`depth` layers Linear -> BatchNorm, each followed by a ReLU; with `residual`, h = relu(h + F(h))."""

    def __init__(self, depth, residual, width=16):
        super().__init__()
        self.inp = nn.Linear(2, width)
        self.linears = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.norms = nn.ModuleList(nn.BatchNorm1d(width) for _ in range(depth))
        self.out = nn.Linear(width, 2)
        self.residual = residual

    def forward(self, x):
        h = F.relu(self.inp(x))
        for linear, norm in zip(self.linears, self.norms):
            f = norm(linear(h))
            h = F.relu(h + f) if self.residual else F.relu(f)
        return self.out(h)


def two_spirals(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    t = torch.rand(n, generator=g) * 3 * math.pi + 0.5
    label = torch.randint(0, 2, (n,), generator=g)
    angle = t + label * math.pi
    points = torch.stack([t * torch.cos(angle), t * torch.sin(angle)], dim=1) / 5
    return points + 0.05 * torch.randn(n, 2, generator=g), label


def part_gradients() -> None:
    heading("The identity path carries the gradient", "恒等路径传递梯度")
    print("  A chain of layers f(h) = tanh(W h), 16 units, weights small enough that each layer shrinks a")
    print("  gradient by about half. Norm of ∂(sum of outputs)/∂(input); a chain that does nothing gives 4.0:")
    torch.manual_seed(0)
    width = 16
    for depth in (3, 10, 30):
        weights = [torch.randn(width, width) * (0.5 / math.sqrt(width)) for _ in range(depth)]
        norms = []
        for residual in (False, True):
            x = torch.randn(width, requires_grad=True)
            h = x
            for W in weights:
                f = torch.tanh(W @ h)
                h = h + f if residual else f  # y = F(x) + x  versus  y = F(x)
            (grad,) = torch.autograd.grad(h.sum(), x)
            norms.append(grad.norm().item())
        print(f"    depth {depth:>2}:   plain y = F(x): {norms[0]:9.2e}     residual y = F(x) + x: {norms[1]:6.2f}")
    print("  Each residual layer's Jacobian is I + ∂F/∂x: the product over the layers keeps the I terms,")
    print("  so the gradient cannot fade away; the plain chain multiplies the small factors only.")


def train(model, X, y, steps=150):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        accuracy = (model(X).argmax(dim=1) == y).float().mean().item()
    return losses, accuracy


def part_training(X, y) -> None:
    heading("Degradation: plain vs residual", "退化问题：普通网络与残差网络")
    curves = {}
    for name, depth, residual in [("plain, 3 layers", 3, False), ("plain, 20 layers", 20, False),
                                  ("residual, 20 layers", 20, True)]:
        torch.manual_seed(0)
        losses, accuracy = train(Stack(depth, residual), X, y)
        curves[name] = [math.log10(max(v, 1e-4)) for v in losses]
        print(f"  {name:<20} training loss {losses[0]:.3f} -> {losses[-1]:.4f}   training accuracy {accuracy:.1%}")
    plot_curves("log10(training loss) per step: two spirals, 256 points", range(1, 151), curves)
    print("  The deep plain stack fits its own training data worse than the shallow one: that is")
    print("  degradation, not overfitting. The residual stack of the same depth trains like the shallow one.")


def main() -> None:
    part_blocks()
    part_whole_networks()
    part_gradients()
    part_training(*two_spirals(256))


if __name__ == "__main__":
    main()
