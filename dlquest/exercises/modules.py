"""Exercise `modules`: a multilayer perceptron of any depth with nn.ModuleList (PyTorch).

Implement the class and the function below. The grader checks exactly this contract:

``MLP(sizes)`` — an ``nn.Module``; ``sizes`` is a list of at least two layer widths, e.g. ``[4, 16, 8, 3]``
(4 inputs, hidden layers of 16 and 8 units, 3 outputs).
- Call ``super().__init__()`` first, then store the layers in ``self.layers``, an ``nn.ModuleList`` that
  holds exactly ``len(sizes) - 1`` ``nn.Linear`` layers (with bias) and nothing else: layer ``i`` maps
  ``sizes[i]`` features to ``sizes[i + 1]``. The parameter names are therefore fixed:
  ``layers.0.weight``, ``layers.0.bias``, ``layers.1.weight``, … — the grader loads a ``state_dict`` with
  exactly these names and shapes into your model.
- ``forward(x)``: ``x`` has shape (batch, sizes[0]); apply the layers in order with a ReLU after every layer
  *except the last* (the output is raw scores, which may be negative). Return shape (batch, sizes[-1]).
  Use ``torch.relu`` or ``F.relu`` in ``forward`` rather than putting ``nn.ReLU`` modules into
  ``self.layers``.

``count_parameters(model)`` — for any ``nn.Module``: the total number of scalar values in its parameters
that are trainable (``requires_grad`` is True), as a Python int. Frozen parameters do not count.
For ``MLP([4, 16, 8, 3])``: (4·16 + 16) + (16·8 + 8) + (8·3 + 3) = 243.

Check your work with:  dlquest check modules
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, sizes):
        # TODO: super().__init__(), then self.layers = nn.ModuleList([...]) of nn.Linear(sizes[i], sizes[i + 1]).
        raise NotImplementedError("MLP.__init__")

    def forward(self, x):
        # TODO: every layer in order, a ReLU after all but the last.
        raise NotImplementedError("MLP.forward")


def count_parameters(model):
    # TODO: add up p.numel() over the parameters that require gradients.
    raise NotImplementedError("count_parameters")
