"""Exercise `vgg_blocks`: VGG feature stacks built from a configuration list, and a small VGG classifier.

1. ``make_vgg_features(config, in_channels=3, batch_norm=False)`` -> ``nn.Sequential``
   ``config`` is a list such as ``[64, 64, "M", 128, "M"]``. Walk it from left to right, appending layers to
   ONE flat ``nn.Sequential`` (no nested blocks):
   - a number ``v``: ``nn.Conv2d(channels, v, kernel_size=3, padding=1)`` (stride 1, with bias), where
     ``channels`` is ``in_channels`` for the first convolution and the previous convolution's ``v`` after
     that; then, only if ``batch_norm`` is true, ``nn.BatchNorm2d(v)``; then ``nn.ReLU()``
     (``inplace=True`` is allowed). So each number adds 2 layers, or 3 with batch norm, in the order
     Conv2d, [BatchNorm2d,] ReLU. The convolution keeps its bias even with batch norm.
   - ``"M"``: ``nn.MaxPool2d(kernel_size=2, stride=2)``, which halves height and width (rounding down).
   The layers are numbered 0, 1, 2, … in that order, so the state_dict keys are ``"0.weight"``,
   ``"0.bias"``, … exactly as in torchvision's VGG ``features``. The 3x3 convolutions with padding 1 keep the
   height and width; only the pools shrink them.

2. ``class TinyVGG(nn.Module)`` with ``__init__(self, config, num_classes, in_channels=3, batch_norm=False)``:
   - ``self.features = make_vgg_features(config, in_channels, batch_norm)``
   - ``self.pool = nn.AdaptiveAvgPool2d(1)``: global average pooling, one value per channel
   - ``self.classifier = nn.Linear(C, num_classes)`` where C is the LAST NUMBER in ``config`` (the channels
     that come out of ``features``; the config may end with "M").
   ``forward(x)``: ``features`` -> ``pool`` -> flatten to (N, C) -> ``classifier``; returns the logits
   (N, num_classes), no softmax. Any input height and width at least 2**(number of "M"s) works.

The grader checks the list of layer types, the state_dict names and shapes (buffers of batch norm included),
the parameter count, and the outputs and gradients with the reference's weights loaded into your model
(in training mode and in evaluation mode).

Check your work with:  dlquest check vgg_blocks
"""

import torch
import torch.nn as nn


def make_vgg_features(config, in_channels=3, batch_norm=False):
    # TODO: one list of layers; for a number add Conv2d(3x3, padding 1) [+ BatchNorm2d] + ReLU,
    # for "M" add MaxPool2d(2, 2); return nn.Sequential(*layers).
    raise NotImplementedError("make_vgg_features")


class TinyVGG(nn.Module):
    def __init__(self, config, num_classes, in_channels=3, batch_norm=False):
        super().__init__()
        # TODO: self.features, self.pool (global average pooling) and self.classifier.
        raise NotImplementedError("TinyVGG.__init__")

    def forward(self, x):
        # TODO: features -> pool -> flatten -> classifier.
        raise NotImplementedError("TinyVGG.forward")
