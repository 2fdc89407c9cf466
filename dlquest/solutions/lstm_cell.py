"""Reference solution for `lstm_cell`: the four gates over [x, h], then c_new and h_new."""

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
        h, c = state
        v = torch.cat([x, h], dim=1)
        f = torch.sigmoid(self.W_f(v))
        i = torch.sigmoid(self.W_i(v))
        c_tilde = torch.tanh(self.W_C(v))
        o = torch.sigmoid(self.W_o(v))
        c_new = f * c + i * c_tilde
        h_new = o * torch.tanh(c_new)
        return h_new, c_new
