"""Exercise `lstm_cell`: one step of an LSTM, gates and cell state written out (PyTorch).

Implement ``LSTMCell.forward``. The grader checks exactly this contract:

``LSTMCell(input_size, hidden_size)`` — already written for you, do not change it. It holds four layers,
each ``nn.Linear(input_size + hidden_size, hidden_size)`` with a bias, applied to the concatenation
``[x, h]`` (x first, then h, along the feature dimension), in this order:

- ``self.W_f`` forget gate, ``self.W_i`` input gate, ``self.W_C`` candidate cell state, ``self.W_o`` output gate.

The grader loads a ``state_dict`` with exactly these names (``W_f.weight``, ``W_f.bias``, … ``W_o.bias``).
In each weight, columns ``0 … input_size-1`` multiply x and the remaining ``hidden_size`` columns multiply h.

The neighbouring exercise ``gru_cell`` concatenates the other way round, ``[h, x]``. That is on purpose:
papers and libraries use both orders, and both describe the same model with the columns of each weight
swapped. Read the order from the contract you are given; never assume it.

``forward(x, state)``:

- ``x`` has shape (batch, input_size); ``state`` is a pair ``(h, c)``, each of shape (batch, hidden_size).
- With ``v = torch.cat([x, h], dim=1)`` and σ the logistic sigmoid:
      f  = σ(W_f v + b_f)            forget gate
      i  = σ(W_i v + b_i)            input gate
      C̃  = tanh(W_C v + b_C)         candidate
      o  = σ(W_o v + b_o)            output gate
      c_new = f ⊙ c + i ⊙ C̃          (⊙: elementwise product)
      h_new = o ⊙ tanh(c_new)
- Return the pair ``(h_new, c_new)``, each of shape (batch, hidden_size), same dtype as ``x``.
- Gradients must flow to ``x``, ``h``, ``c`` and every parameter (no ``.detach()``, no NumPy), so that the
  cell can be called step after step over a sequence and trained through time.
- This equals ``torch.nn.LSTMCell`` when its weights are stacked in torch's gate order (i, f, g, o):
  ``weight_ih = cat([W_i, W_f, W_C, W_o] weights' x columns)``, ``weight_hh`` the same with the h columns,
  ``bias_ih`` the four biases in that order, ``bias_hh = 0``. Do not call ``nn.LSTMCell``, ``nn.LSTM`` or
  ``torch.lstm_cell`` yourself: the grader notices.

Check your work with:  dlquest check lstm_cell
"""

import torch
import torch.nn as nn


class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.W_f = nn.Linear(input_size + hidden_size, hidden_size)
        self.W_i = nn.Linear(input_size + hidden_size, hidden_size)
        self.W_C = nn.Linear(input_size + hidden_size, hidden_size)
        self.W_o = nn.Linear(input_size + hidden_size, hidden_size)

    def forward(self, x, state):
        # TODO: unpack (h, c), concatenate [x, h], compute the four gates, then the new cell and hidden state.
        raise NotImplementedError("LSTMCell.forward")
