"""Exercise `resnet`: residual blocks and a whole ResNet for 32x32 images (PyTorch).

Implement the classes and functions below. The grader checks exactly this contract. It loads state_dicts
into your modules, so the attribute names, the layer shapes and the order inside ``shortcut`` matter.
Every ``nn.Conv2d`` has ``bias=False``; a 3x3 conv uses ``padding=1``, a 1x1 conv ``padding=0``.

``BasicBlock(in_channels, out_channels, stride=1)`` — class attribute ``expansion = 1``.
- ``conv1``: 3x3, in_channels -> out_channels, stride ``stride``;   ``bn1 = nn.BatchNorm2d(out_channels)``
- ``conv2``: 3x3, out_channels -> out_channels, stride 1;            ``bn2 = nn.BatchNorm2d(out_channels)``
- ``forward(x)``:
      out = relu(bn1(conv1(x)))
      out = bn2(conv2(out))                  # no ReLU here
      return relu(out + shortcut(x))         # the only ReLU after the addition

``Bottleneck(in_channels, out_channels, stride=1)`` — class attribute ``expansion = 4``; the block outputs
``out_channels * 4`` channels.
- ``conv1``: 1x1, in_channels -> out_channels, stride 1;             ``bn1 = nn.BatchNorm2d(out_channels)``
- ``conv2``: 3x3, out_channels -> out_channels, stride ``stride`` (the 3x3 conv carries the stride);
                                                                     ``bn2 = nn.BatchNorm2d(out_channels)``
- ``conv3``: 1x1, out_channels -> out_channels * 4, stride 1;        ``bn3 = nn.BatchNorm2d(out_channels * 4)``
- ``forward(x)``:
      out = relu(bn1(conv1(x)))
      out = relu(bn2(conv2(out)))
      out = bn3(conv3(out))                  # no ReLU here
      return relu(out + shortcut(x))

``shortcut`` (both blocks), with ``C = out_channels * expansion``:
- if ``stride != 1`` or ``in_channels != C``: ``nn.Sequential(nn.Conv2d(in_channels, C, 1, stride=stride,
  bias=False), nn.BatchNorm2d(C))`` — its state_dict keys are ``shortcut.0.weight`` and ``shortcut.1.*``;
- otherwise a module without parameters that returns its input unchanged (``nn.Sequential()`` or
  ``nn.Identity()``).

``ResNet(block, num_blocks, num_classes=10)`` — ``block`` is BasicBlock or Bottleneck, ``num_blocks`` four ints.
- stem: ``conv1`` 3x3, 3 -> 64, stride 1 (inputs are 32x32, so no 7x7 conv and no max-pool);
  ``bn1 = nn.BatchNorm2d(64)``.
- ``layer1`` … ``layer4``: each an ``nn.Sequential`` of ``num_blocks[i]`` blocks with ``out_channels``
  64, 128, 256, 512 and stride 1, 2, 2, 2. Only the first block of a layer gets the layer's stride, the
  others stride 1. The first block of ``layer1`` takes 64 channels in; every later block takes what the block
  before it puts out (``out_channels * block.expansion``).
- ``avgpool = nn.AdaptiveAvgPool2d((1, 1))``; ``fc = nn.Linear(512 * block.expansion, num_classes)`` (with bias).
- ``forward(x)``: x has shape (N, 3, H, W);
      out = relu(bn1(conv1(x))) -> layer1 -> layer2 -> layer3 -> layer4 -> avgpool -> flatten to
      (N, 512 * expansion) -> fc.   Returns (N, num_classes).

``resnet18(num_classes=10)``, ``resnet34(num_classes=10)``, ``resnet50(num_classes=10)``: ResNet with
BasicBlock [2, 2, 2, 2], BasicBlock [3, 4, 6, 3] and Bottleneck [3, 4, 6, 3]. With 10 classes they have
11,173,962, 21,282,122 and 23,520,842 parameters.

Check your work with:  dlquest check resnet
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        # TODO: conv1, bn1, conv2, bn2 and shortcut, as the docstring lists them.
        raise NotImplementedError("BasicBlock.__init__")

    def forward(self, x):
        # TODO: two conv-BN steps, add the shortcut, then the final ReLU.
        raise NotImplementedError("BasicBlock.forward")


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        # TODO: conv1 (1x1), conv2 (3x3, the stride), conv3 (1x1, out_channels * 4), bn1..bn3 and shortcut.
        raise NotImplementedError("Bottleneck.__init__")

    def forward(self, x):
        # TODO: three conv-BN steps (ReLU after the first two), add the shortcut, then the final ReLU.
        raise NotImplementedError("Bottleneck.forward")


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10):
        super().__init__()
        # TODO: the stem (conv1, bn1), layer1..layer4, avgpool and fc.
        raise NotImplementedError("ResNet.__init__")

    def forward(self, x):
        # TODO: stem, the four layers, global average pooling, flatten, fc.
        raise NotImplementedError("ResNet.forward")


def resnet18(num_classes=10):
    # TODO: ResNet(BasicBlock, [2, 2, 2, 2], num_classes)
    raise NotImplementedError("resnet18")


def resnet34(num_classes=10):
    # TODO: ResNet(BasicBlock, [3, 4, 6, 3], num_classes)
    raise NotImplementedError("resnet34")


def resnet50(num_classes=10):
    # TODO: ResNet(Bottleneck, [3, 4, 6, 3], num_classes)
    raise NotImplementedError("resnet50")
