"""Exercise `sequence_classifier`: classify whole sequences with an LSTM and its last time step (PyTorch).

Implement the class below. The grader checks exactly this contract:

``SequenceClassifier(input_size, hidden_size, num_layers, num_classes)`` — an ``nn.Module``:

- Call ``super().__init__()`` first, then create exactly two submodules and nothing else with parameters:
  - ``self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)``
    (one direction, with biases, no dropout);
  - ``self.fc = nn.Linear(hidden_size, num_classes)``.
  The parameter names are therefore fixed (``lstm.weight_ih_l0``, ``lstm.weight_hh_l0``, ``lstm.bias_ih_l0``,
  ``lstm.bias_hh_l0``, … for every layer, ``fc.weight``, ``fc.bias``): the grader loads a ``state_dict``
  with exactly these names into your model.

``forward(x)``:

- ``x`` has shape (batch, time, input_size) — batch first.
- Run the LSTM from a zero initial state (the default when no state is passed). It returns
  ``output`` of shape (batch, time, hidden_size) — the top layer's hidden state at every step — and
  ``(h_n, c_n)``, each of shape (num_layers, batch, hidden_size).
- Classify from the top layer's hidden state at the *last* time step, ``output[:, -1]`` (the same numbers as
  ``h_n[-1]``): ``logits = self.fc(output[:, -1])``, shape (batch, num_classes). Return the raw logits (no
  softmax).

Check your work with:  dlquest check sequence_classifier
"""

import torch
import torch.nn as nn


class SequenceClassifier(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers, num_classes):
        # TODO: super().__init__(), then self.lstm (batch_first=True) and self.fc.
        raise NotImplementedError("SequenceClassifier.__init__")

    def forward(self, x):
        # TODO: run the LSTM, take the last time step of its output, and map it to class scores.
        raise NotImplementedError("SequenceClassifier.forward")
