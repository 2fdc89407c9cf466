"""Example for the lesson "cnn-architectures" / 经典 CNN 架构.

Run it with `dlquest run cnn-architectures` (or `python dlquest/lessons/examples/cnn_architectures.py`).
Works offline and downloads nothing: torchvision's models are built with weights=None, on PyTorch's "meta"
device (shapes only, no memory, no random initialisation), just to count parameters and trace shapes.

1. LeNet-5 for 28x28 inputs: the shape after every layer and the parameters of every layer.
2. AlexNet, VGG-16, ResNet-18 and ResNet-50: parameters, convolution layers, where the parameters sit.
3. Why stacks of 3x3 kernels: receptive field (drawn as a heat map) and parameters against one big kernel.
4. Residual connections: gradients at initialisation and training curves of a deep plain network
   and the same network with skip connections, on scikit-learn's bundled digits.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn.functional as F
from termplot import heading, heat_map, plot_curves
from torch import nn


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# --------------------------------------------------------------------------------------------
# 1. LeNet-5
# --------------------------------------------------------------------------------------------


def lenet5(num_classes: int = 10, side: int = 28) -> nn.Sequential:
    """LeNet-5 in its modern form (ReLU and max pooling) as one Sequential whose layers carry names, for
    square grey images of `side` pixels: 28 for MNIST, 32 as in the 1998 paper."""
    after = ((side - 4) // 2 - 4) // 2  # two 5x5 convolutions, each followed by 2x2 pooling
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 6, kernel_size=5)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(6, 16, kernel_size=5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(16 * after * after, 120)), ("relu3", nn.ReLU()),
        ("fc2", nn.Linear(120, 84)), ("relu4", nn.ReLU()),
        ("fc3", nn.Linear(84, num_classes)),
    ]))


def part_lenet() -> None:
    heading("LeNet-5 on a 28x28 image, layer by layer", "LeNet-5 逐层的形状与参数")
    model = lenet5()
    x = torch.zeros(1, 1, 28, 28)
    print(f"  {'layer':<18}{'output shape':<22}{'parameters':>10}")
    print(f"  {'input':<18}{str(tuple(x.shape)):<22}{0:>10}")
    for name, layer in model.named_children():  # run the layers one at a time to see every shape
        x = layer(x)
        print(f"  {name:<18}{str(tuple(x.shape)):<22}{count(layer):>10,}")
    print(f"  {'total / 合计':<38}{count(model):>10,}")
    fc1 = model.get_submodule("fc1")
    print(f"fc1 alone holds {count(fc1):,} of them: {fc1.in_features} inputs x {fc1.out_features} outputs"
          f" + {fc1.out_features} biases")
    print(f"其中 fc1 一层就占了 {count(fc1):,} 个：{fc1.in_features} 个输入 x {fc1.out_features} 个输出"
          f" + {fc1.out_features} 个偏置")
    original = lenet5(side=32)
    print(f"the paper's 32x32 inputs leave 5x5 maps, so fc1 takes {original.get_submodule('fc1').in_features}"
          f" inputs and the network has {count(original):,} parameters")
    print(f"论文原本的 32x32 输入最后得到 5x5 的特征图，fc1 有 {original.get_submodule('fc1').in_features} 个输入，"
          f"整个网络共 {count(original):,} 个参数")


# --------------------------------------------------------------------------------------------
# 2. The big four
# --------------------------------------------------------------------------------------------


def part_famous_models() -> None:
    heading("AlexNet, VGG-16 and ResNet: parameters", "AlexNet、VGG-16 与 ResNet 的参数量")
    from torchvision.models import alexnet, resnet18, resnet50, vgg16

    rows = []
    with torch.device("meta"):  # shapes only: nothing is allocated, initialised or downloaded
        for name, builder in (("AlexNet (2012)", alexnet), ("VGG-16 (2014)", vgg16),
                              ("ResNet-18 (2015)", resnet18), ("ResNet-50 (2015)", resnet50)):
            model = builder(weights=None)
            out = model(torch.zeros(1, 3, 224, 224))
            convs = sum(isinstance(m, nn.Conv2d) for m in model.modules())
            head = model.fc if hasattr(model, "fc") else model.classifier
            rows.append((name, count(model), convs, count(head), tuple(out.shape)))
    top = max(r[1] for r in rows)
    print(f"  {'model':<18}{'parameters':>13}{'conv layers':>13}{'in the head':>13}  bar")
    for name, total, convs, head, _ in rows:
        bar = "#" * max(1, round(40 * total / top))
        print(f"  {name:<18}{total:>13,}{convs:>13}{head / total:>12.0%}  {bar}")
    print("  output shape for a 224x224 image / 输出形状：", rows[0][4])
    print("VGG-16 keeps 89% of its weights in three fully connected layers; ResNet-50 has more layers")
    print("than VGG-16 but about a fifth of its parameters, thanks to global average pooling and 1x1 convs.")
    print("VGG-16 有 89% 的权重在三个全连接层里；ResNet-50 的层数比 VGG-16 多，参数却只有它的五分之一左右，")
    print("这要归功于全局平均池化和 1x1 卷积。")


# --------------------------------------------------------------------------------------------
# 3. Stacks of 3x3 kernels
# --------------------------------------------------------------------------------------------


def receptive_field(n_layers: int, size: int = 11) -> torch.Tensor:
    """Which input pixels influence the centre output of n stacked 3x3 convolutions (gradient != 0)."""
    x = torch.zeros(1, 1, size, size, requires_grad=True)
    h = x
    weight = torch.ones(1, 1, 3, 3)
    for _ in range(n_layers):
        h = F.conv2d(h, weight, padding=1)
    h[0, 0, size // 2, size // 2].backward()
    return x.grad[0, 0]


def part_small_kernels() -> None:
    heading("Why VGG stacks 3x3 convolutions", "为什么 VGG 堆叠 3x3 卷积")
    for n in (1, 2, 3):
        grad = receptive_field(n)
        side = int((grad[grad.shape[0] // 2] != 0).sum())
        print(f"  {n} stacked 3x3 layer(s) -> the centre output sees a {side}x{side} patch / 感受野 {side}x{side}")
    heat_map(receptive_field(3),
             "input pixels reaching one output after three 3x3 layers (brighter: more paths) / 三层 3x3 后的感受野：")
    c = 64
    print(f"  with {c} channels in and out (weights only) / 输入输出均为 {c} 通道时的权重个数：")
    for n, k in ((2, 5), (3, 7)):
        stacked = n * 3 * 3 * c * c
        single = k * k * c * c
        print(f"    {n} x (3x3): {stacked:>8,}   vs one {k}x{k}: {single:>8,}   "
              f"({stacked / single:.0%}, and {n} ReLUs instead of 1)")


# --------------------------------------------------------------------------------------------
# 4. Residual connections
# --------------------------------------------------------------------------------------------


class DeepNet(nn.Module):
    """A deep stack of equal-width layers, with or without skip connections h + f(h)."""

    def __init__(self, depth: int, residual: bool, width: int = 32):
        super().__init__()
        self.inp = nn.Linear(64, width)
        self.blocks = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.out = nn.Linear(width, 10)
        self.residual = residual

    def forward(self, x):
        h = self.inp(x)
        for block in self.blocks:
            f = block(F.relu(h))
            h = h + f if self.residual else f
        return self.out(F.relu(h))


def part_residual() -> None:
    heading("Residual connections: a 20-layer network with and without skips",
            "残差连接：20 层网络有无跳跃连接的对比")
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = torch.tensor(digits.data[:500], dtype=torch.float32) / 16.0
    y = torch.tensor(digits.target[:500])
    curves = {}
    for label, residual in (("plain / 普通", False), ("residual / 残差", True)):
        torch.manual_seed(0)
        net = DeepNet(depth=20, residual=residual)
        optimiser = torch.optim.Adam(net.parameters(), lr=3e-3)
        losses = []
        for step in range(60):
            loss = F.cross_entropy(net(X), y)
            optimiser.zero_grad()
            loss.backward()
            if step == 0:
                norms = [block.weight.grad.norm().item() for block in net.blocks]
                print(f"  {label}: gradient norm at initialisation, layer 1 {norms[0]:.1e}, "
                      f"layer 10 {norms[9]:.1e}, layer 20 {norms[19]:.1e}")
            optimiser.step()
            losses.append(loss.item())
        accuracy = (net(X).argmax(dim=1) == y).float().mean().item()
        print(f"  {label}: loss {losses[0]:.3f} -> {losses[-1]:.3f}, training accuracy {accuracy:.0%}")
        curves[label] = losses
    plot_curves("training loss (cross-entropy) / 训练损失", range(1, 61), curves)
    print("without skips the gradient shrinks layer after layer and the first layers hardly learn;")
    print("h + f(h) gives the gradient a direct path back (dy/dh = 1 + df/dh), so all 20 layers train.")
    print("没有跳跃连接时，梯度逐层衰减，前面的层几乎学不到东西；")
    print("h + f(h) 为梯度提供了一条直通的路径（dy/dh = 1 + df/dh），20 层都能得到训练。")


def main() -> None:
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)  # tiny gradients of the plain network would otherwise be slow denormals
    part_lenet()
    part_famous_models()
    part_small_kernels()
    part_residual()


if __name__ == "__main__":
    main()
