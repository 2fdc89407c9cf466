"""Exercise `multi_head_attention`: multi-head attention written by hand, equal to nn.MultiheadAttention.

Implement the class and the function below. The grader loads its own weights into your module and checks
exactly this contract.

``MultiHeadAttention(embed_dim, num_heads)`` — an ``nn.Module``; ``embed_dim`` is divisible by ``num_heads``:
- Store ``self.num_heads`` and ``self.head_dim = embed_dim // num_heads``, and four ``nn.Linear(embed_dim,
  embed_dim)`` layers with bias: ``self.q_proj``, ``self.k_proj``, ``self.v_proj`` and ``self.out_proj`` (no
  other parameters; no dropout).
- ``forward(query, key, value, key_padding_mask=None, attn_mask=None)``: ``query`` (batch, L, embed_dim);
  ``key`` and ``value`` (batch, S, embed_dim) (for self-attention all three are the same tensor).
  1. Project: Q = q_proj(query), K = k_proj(key), V = v_proj(value).
  2. Split the heads: (batch, L, embed_dim) → (batch, L, num_heads, head_dim) → (batch, num_heads, L, head_dim);
     head h owns the features ``h*head_dim … (h+1)*head_dim - 1`` of the projection. Same for K and V.
  3. Per head: weights = softmax(Q Kᵀ / √head_dim) over the keys (masked as below), head output = weights V.
  4. Merge: (batch, num_heads, L, head_dim) → (batch, L, num_heads, head_dim) → (batch, L, embed_dim),
     then apply ``out_proj``.
  Return ``(output, avg_weights)``: output (batch, L, embed_dim); avg_weights (batch, L, S) = the attention
  weights averaged over the heads.
- Masks follow **nn.MultiheadAttention's convention: True means "NOT allowed"** (the opposite of
  ``F.scaled_dot_product_attention``, where True means "may attend"):
  ``key_padding_mask`` (batch, S) boolean, True where a key is padding and must be ignored;
  ``attn_mask`` (L, S) boolean, True where query i may NOT attend to key j. Either may be None; a key is
  masked when either mask says so. Masked scores become −inf before the softmax (weight exactly 0). The
  grader never masks a whole row.
- Same module as ``nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)`` (no dropout) with
  ``in_proj_weight = cat([q_proj.weight, k_proj.weight, v_proj.weight])`` (rows in the order q, k, v),
  ``in_proj_bias`` = the three biases in the same order, and ``out_proj`` the same: the grader compares your
  output with ``mha(query, key, value, key_padding_mask=…, attn_mask=…, need_weights=True,
  average_attn_weights=True)``.
- Do not call ``nn.MultiheadAttention`` or ``F.multi_head_attention_forward`` (the grader notices).
  ``F.scaled_dot_product_attention`` does not return weights, so you will compute them yourself anyway.

``causal_mask(size)``: the (size, size) boolean ``attn_mask`` of a decoder in this convention: True above the
diagonal (query i may not look at a later key j > i), False on and below it.

Check your work with:  dlquest check multi_head_attention
"""

import math

import torch
import torch.nn as nn


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        # TODO: super().__init__(), num_heads, head_dim, and the four projections.
        raise NotImplementedError("MultiHeadAttention.__init__")

    def forward(self, query, key, value, key_padding_mask=None, attn_mask=None):
        # TODO: project, split the heads, attend per head (masks: True = NOT allowed), merge, out_proj.
        raise NotImplementedError("MultiHeadAttention.forward")


def causal_mask(size):
    # TODO: True strictly above the diagonal.
    raise NotImplementedError("causal_mask")
