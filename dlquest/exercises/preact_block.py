"""Exercise `preact_block`: the pre-activation residual block (He et al. 2016, "Identity mappings") (PyTorch).

Implement the class below. The grader checks exactly this contract. It loads state_dicts into your block,
so the attribute names and shapes matter. Every ``nn.Conv2d`` has ``bias=False``.

``PreActBlock(in_channels, out_channels, stride=1)``:
- ``bn1 = nn.BatchNorm2d(in_channels)``      (it normalises the block's *input*, before any conv)
- ``conv1``: 3x3, in_channels -> out_channels, stride ``stride``, padding 1
- ``bn2 = nn.BatchNorm2d(out_channels)``
- ``conv2``: 3x3, out_channels -> out_channels, stride 1, padding 1
- ``shortcut``:
  - if ``stride != 1`` or ``in_channels != out_channels`` (the shape changes): a projection
    ``nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False))`` — one 1x1 conv
    and NO batch norm; its state_dict key is ``shortcut.0.weight``;
  - otherwise a module without parameters (``nn.Sequential()`` or ``nn.Identity()``).

``forward(x)``, with ``a = relu(bn1(x))`` the pre-activated input:
      a    = relu(bn1(x))
      skip = shortcut(a)  if the shape changes (the projection sees the pre-activated a),
             x            otherwise (the identity path carries the raw input x, untouched)
      out  = conv2(relu(bn2(conv1(a))))
      return out + skip                      # no ReLU after the addition

Check your work with:  dlquest check preact_block
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class PreActBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        # TODO: bn1, conv1, bn2, conv2 and shortcut, as the docstring lists them.
        raise NotImplementedError("PreActBlock.__init__")

    def forward(self, x):
        # TODO: pre-activate, choose the skip tensor, two BN-ReLU-conv steps, add (no ReLU at the end).
        raise NotImplementedError("PreActBlock.forward")
