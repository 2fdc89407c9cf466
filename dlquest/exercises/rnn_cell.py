"""Exercise `rnn_cell`: one step of a simple (Elman) recurrent network, as an nn.Module (PyTorch).

Implement ``RNNCell.forward``. The grader checks exactly this contract:

``RNNCell(input_size, hidden_size)`` — already written for you, do not change it. It holds two layers,
both with a bias, and nothing else (the grader loads a ``state_dict`` with exactly these names):

- ``self.W_ih = nn.Linear(input_size, hidden_size)``   — weight (hidden, input), bias (hidden,)
- ``self.W_hh = nn.Linear(hidden_size, hidden_size)``  — weight (hidden, hidden), bias (hidden,)

``forward(x, h=None)``:

- ``x`` has shape (batch, input_size); ``h`` is the previous hidden state, shape (batch, hidden_size),
  or ``None``, which means a zero state (same dtype and device as ``x``).
- Return the new hidden state, shape (batch, hidden_size):
      h_new = tanh(W_ih x + b_ih + W_hh h + b_hh)
  that is ``torch.tanh(self.W_ih(x) + self.W_hh(h))``, with both biases.
- This equals ``torch.nn.RNNCell(input_size, hidden_size)`` (nonlinearity "tanh") whose parameters are
  ``weight_ih = W_ih.weight``, ``bias_ih = W_ih.bias``, ``weight_hh = W_hh.weight``, ``bias_hh = W_hh.bias``.
  You may not call ``nn.RNNCell``, ``nn.RNN`` or ``torch.rnn_tanh_cell`` themselves: the grader notices.
- Gradients must flow to ``x``, ``h`` and all four parameters (no ``.detach()``, no NumPy), so that
  calling the cell again and again over a sequence backpropagates through time. Keep the dtype of ``x``.

Check your work with:  dlquest check rnn_cell
"""

import torch
import torch.nn as nn


class RNNCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.W_ih = nn.Linear(input_size, hidden_size)
        self.W_hh = nn.Linear(hidden_size, hidden_size)

    def forward(self, x, h=None):
        # TODO: start from zeros when h is None, then h_new = tanh(W_ih(x) + W_hh(h)).
        raise NotImplementedError("RNNCell.forward")
