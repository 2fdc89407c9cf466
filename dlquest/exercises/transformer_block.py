"""Exercise `transformer_block`: a pre-norm Transformer encoder block and sinusoidal positional encodings.

Implement the class and the function below. The grader loads its own weights into your block and checks
exactly this contract.

``TransformerEncoderBlock(d_model, num_heads, d_ff, dropout=0.1)`` — an ``nn.Module`` whose attributes are
exactly these (the names are those of ``nn.TransformerEncoderLayer``, so its ``state_dict`` fits yours):
- ``self.self_attn = nn.MultiheadAttention(d_model, num_heads, dropout=dropout, batch_first=True)``
- ``self.linear1 = nn.Linear(d_model, d_ff)`` and ``self.linear2 = nn.Linear(d_ff, d_model)``
- ``self.norm1 = nn.LayerNorm(d_model)`` and ``self.norm2 = nn.LayerNorm(d_model)`` (eps 1e-5, the default)
- ``self.dropout``, ``self.dropout1``, ``self.dropout2``: three ``nn.Dropout(dropout)``.
Do not build it from ``nn.TransformerEncoderLayer`` or ``nn.TransformerEncoder`` (the grader checks).

``forward(x, attn_mask=None, key_padding_mask=None)``: ``x`` (batch, seq_len, d_model); the masks are passed
on to ``self.self_attn`` unchanged (its convention: boolean, True = NOT allowed / padding). Pre-norm:
    h = norm1(x)
    x = x + dropout1(self_attn(h, h, h, attn_mask=attn_mask, key_padding_mask=key_padding_mask)[0])
    x = x + dropout2(linear2(dropout(relu(linear1(norm2(x))))))
and return x, shape (batch, seq_len, d_model). The activation is ReLU. In ``eval()`` mode dropout does nothing
and the block equals ``nn.TransformerEncoderLayer(d_model, num_heads, d_ff, dropout, activation="relu",
batch_first=True, norm_first=True)`` with the same weights; in training mode the dropouts are active.

``sinusoidal_positional_encoding(max_len, d_model)``: ``d_model`` is even. Return a float32 tensor ``pe`` of
shape (max_len, d_model) with, for every position pos and every i in 0 … d_model/2 - 1,
    pe[pos, 2i]     = sin(pos / 10000^(2i / d_model))
    pe[pos, 2i + 1] = cos(pos / 10000^(2i / d_model))
(even columns sine, odd columns cosine, one frequency per pair of columns).

Check your work with:  dlquest check transformer_block
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class TransformerEncoderBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.1):
        # TODO: super().__init__(), then every attribute listed in the docstring.
        raise NotImplementedError("TransformerEncoderBlock.__init__")

    def forward(self, x, attn_mask=None, key_padding_mask=None):
        # TODO: two pre-norm residual sub-layers: self-attention, then the feed-forward network.
        raise NotImplementedError("TransformerEncoderBlock.forward")


def sinusoidal_positional_encoding(max_len, d_model):
    # TODO: positions (max_len, 1) times frequencies (d_model/2,), sine in even columns, cosine in odd ones.
    raise NotImplementedError("sinusoidal_positional_encoding")
