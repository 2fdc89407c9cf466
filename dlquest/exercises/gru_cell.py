"""Exercise `gru_cell`: one step of a GRU, in the textbook form over the concatenation [h, x] (PyTorch).

Implement ``GRUCell.forward``. The grader checks exactly this contract:

``GRUCell(input_size, hidden_size)`` — already written for you, do not change it. It holds three layers,
each ``nn.Linear(hidden_size + input_size, hidden_size)`` with a bias, applied to a concatenation with the
*hidden part first*: ``[h, x]`` (``torch.cat([h, x], dim=1)``). In each weight, columns
``0 … hidden_size-1`` multiply the hidden part and the remaining ``input_size`` columns multiply x.
The neighbouring exercise ``lstm_cell`` puts x first, ``[x, h]``. That is on purpose: papers and libraries
use both orders, and both describe the same model with the columns of each weight swapped. Read the order
from the contract you are given; never assume it.

- ``self.W_r`` reset gate, ``self.W_z`` update gate, ``self.W_h`` candidate state.

The grader loads a ``state_dict`` with exactly these names (``W_r.weight``, ``W_r.bias``, … ``W_h.bias``).

``forward(x, h)``:

- ``x`` has shape (batch, input_size), ``h`` has shape (batch, hidden_size). With σ the logistic sigmoid
  and ⊙ the elementwise product:
      r  = σ(W_r [h, x] + b_r)              reset gate
      z  = σ(W_z [h, x] + b_z)              update gate
      h̃  = tanh(W_h [r ⊙ h, x] + b_h)       candidate: the reset gate scales h *before* the matrix product
      h_new = (1 − z) ⊙ h + z ⊙ h̃            z near 1 takes the candidate, z near 0 keeps the old state
- Return ``h_new``, shape (batch, hidden_size), same dtype as ``x``.
- Gradients must flow to ``x``, ``h`` and every parameter (no ``.detach()``, no NumPy), so that the cell can
  be called step after step over a sequence and trained through time.
- This is *not* ``torch.nn.GRUCell``: torch applies r after its hidden matrix product
  (n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))) and returns (1 − z) ⊙ n + z ⊙ h, the roles of z swapped.
  Follow the formulas above, not torch's. Do not call ``nn.GRUCell``, ``nn.GRU`` or ``torch.gru_cell``.

Check your work with:  dlquest check gru_cell
"""

import torch
import torch.nn as nn


class GRUCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.W_r = nn.Linear(hidden_size + input_size, hidden_size)
        self.W_z = nn.Linear(hidden_size + input_size, hidden_size)
        self.W_h = nn.Linear(hidden_size + input_size, hidden_size)

    def forward(self, x, h):
        # TODO: gates over [h, x]; candidate over [r * h, x]; then mix the old state and the candidate with z.
        raise NotImplementedError("GRUCell.forward")
