"""Reference solution for `gru_cell`: reset and update gates over [h, x], candidate over [r ⊙ h, x]."""

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
        hx = torch.cat([h, x], dim=1)
        r = torch.sigmoid(self.W_r(hx))
        z = torch.sigmoid(self.W_z(hx))
        h_tilde = torch.tanh(self.W_h(torch.cat([r * h, x], dim=1)))
        return (1 - z) * h + z * h_tilde
