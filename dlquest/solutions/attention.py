"""Reference solution for `attention`."""

import math

import torch


def additive_attention_weights(query, keys, W_q, W_k, v, mask=None):
    projected_query = (query @ W_q.T).unsqueeze(1)  # (batch, 1, d_h)
    projected_keys = keys @ W_k.T  # (batch, n, d_h)
    scores = torch.tanh(projected_query + projected_keys) @ v  # (batch, n)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1)


def scaled_dot_product_attention(Q, K, V, mask=None):
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ V, weights
