"""Exercise `lenet5`: the LeNet-5 convolutional network for 28x28 grey-scale images (PyTorch).

Complete ``LeNet5(num_classes=10)``, an ``nn.Module``. The grader loads the reference model's weights into
yours (``load_state_dict``), so the layers must have exactly these attribute names and sizes:

    conv1 = nn.Conv2d(1, 6, kernel_size=5)       # (N, 1, 28, 28) -> (N, 6, 24, 24)
    conv2 = nn.Conv2d(6, 16, kernel_size=5)      # (N, 6, 12, 12) -> (N, 16, 8, 8)
    fc1   = nn.Linear(16 * 4 * 4, 120)           # 256 -> 120
    fc2   = nn.Linear(120, 84)
    fc3   = nn.Linear(84, num_classes)

(all with bias, no padding, stride 1; no other layers with parameters or buffers).
``forward(x)`` takes ``x`` of shape (N, 1, 28, 28) and returns raw class scores (logits) of shape
(N, num_classes), computing in this order:

    conv1 -> ReLU -> 2x2 max pooling (stride 2)      # (N, 6, 12, 12)
    conv2 -> ReLU -> 2x2 max pooling (stride 2)      # (N, 16, 4, 4)
    flatten each sample to 256 values, in PyTorch's (channel, row, column) order, e.g. x.flatten(1)
    fc1 -> ReLU -> fc2 -> ReLU -> fc3                # no ReLU and no softmax after fc3

The pooling may be a module (e.g. ``self.pool = nn.MaxPool2d(2, 2)``) or a call to ``F.max_pool2d``, and the
ReLU ``F.relu`` or ``nn.ReLU`` modules: they have no parameters, so either way the state_dict is the same.
It must work for any batch size N >= 1, and in float64 after ``model.double()``.

The grader checks: parameter names and shapes, the parameter count (44 426 for 10 classes), the output for
given weights, the gradients of every parameter, and that ``num_classes`` is honoured.

Check your work with:  dlquest check lenet5
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet5(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        # TODO: create conv1, conv2, fc1, fc2 and fc3 as described above.
        raise NotImplementedError("LeNet5.__init__")

    def forward(self, x):
        # TODO: two (conv -> ReLU -> max-pool) stages, flatten, then fc1 -> ReLU -> fc2 -> ReLU -> fc3.
        raise NotImplementedError("LeNet5.forward")
