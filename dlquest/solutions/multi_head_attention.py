"""Reference solution for `multi_head_attention`."""

import math

import torch
import torch.nn as nn


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads):
        super().__init__()
        assert embed_dim % num_heads == 0, "embed_dim must be divisible by num_heads"
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.q_proj = nn.Linear(embed_dim, embed_dim)
        self.k_proj = nn.Linear(embed_dim, embed_dim)
        self.v_proj = nn.Linear(embed_dim, embed_dim)
        self.out_proj = nn.Linear(embed_dim, embed_dim)

    def _split(self, x):
        batch, length, _ = x.shape
        return x.reshape(batch, length, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(self, query, key, value, key_padding_mask=None, attn_mask=None):
        batch, length, embed_dim = query.shape
        q = self._split(self.q_proj(query))  # (batch, heads, L, head_dim)
        k = self._split(self.k_proj(key))  # (batch, heads, S, head_dim)
        v = self._split(self.v_proj(value))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)  # (batch, heads, L, S)
        blocked = torch.zeros(scores.shape, dtype=torch.bool, device=scores.device)
        if attn_mask is not None:
            blocked = blocked | attn_mask  # (L, S) broadcasts
        if key_padding_mask is not None:
            blocked = blocked | key_padding_mask[:, None, None, :]
        weights = torch.softmax(scores.masked_fill(blocked, float("-inf")), dim=-1)
        heads = weights @ v  # (batch, heads, L, head_dim)
        merged = heads.transpose(1, 2).reshape(batch, length, embed_dim)
        return self.out_proj(merged), weights.mean(dim=1)


def causal_mask(size):
    return torch.ones(size, size, dtype=torch.bool).triu(diagonal=1)
