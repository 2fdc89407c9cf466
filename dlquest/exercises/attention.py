"""Exercise `attention`: additive (Bahdanau) attention weights and scaled dot-product attention (PyTorch).

Implement the two functions below with tensor operations. The grader checks exactly this contract.

Masks (both functions): ``mask`` is ``None`` or a boolean tensor where **True means "may attend"** and False
means "masked out" — the convention of ``torch.nn.functional.scaled_dot_product_attention``. A masked
position gets a score of −inf before the softmax, so its weight is exactly 0 and every row of weights still
sums to 1. The grader never masks a whole row.

``additive_attention_weights(query, keys, W_q, W_k, v, mask=None)`` — Bahdanau's score for one query per
sequence against that sequence's keys:
- ``query`` (batch, d_q); ``keys`` (batch, n, d_k); ``W_q`` (d_h, d_q); ``W_k`` (d_h, d_k); ``v`` (d_h,).
  The matrices are stored like ``nn.Linear`` weights: W_q q means ``query @ W_q.T``.
- score[b, j] = vᵀ tanh(W_q query[b] + W_k keys[b, j])  (no biases).
- ``mask``: None or shape (batch, n). Return weights = softmax over j of the (masked) scores, shape (batch, n).

``scaled_dot_product_attention(Q, K, V, mask=None)``:
- ``Q`` (..., n_q, d_k); ``K`` (..., n_k, d_k); ``V`` (..., n_k, d_v); the leading dimensions (batch,
  heads, …) are the same for all three.
- scores = Q Kᵀ / √d_k, shape (..., n_q, n_k), with d_k = Q.shape[-1];
  ``mask`` (None or boolean, broadcastable to the scores' shape, e.g. (n_q, n_k) or (batch, 1, n_k)).
- weights = softmax(scores) over the last dimension (over the keys, for each query).
- Return ``(output, weights)`` with output = weights @ V, shape (..., n_q, d_v). The output equals
  ``F.scaled_dot_product_attention(Q, K, V, attn_mask=mask)``.
- Do not call ``F.scaled_dot_product_attention`` (the grader notices): write the formula.

Both functions keep the dtype and device of their inputs, and gradients flow back to every input
(no ``.detach()``, no NumPy, no in-place writes into tensors that need gradients).

Check your work with:  dlquest check attention
"""

import math

import torch


def additive_attention_weights(query, keys, W_q, W_k, v, mask=None):
    # TODO: project the query (batch, d_h) and the keys (batch, n, d_h), add with broadcasting, tanh,
    #  dot with v, mask, softmax over the keys.
    raise NotImplementedError("additive_attention_weights")


def scaled_dot_product_attention(Q, K, V, mask=None):
    # TODO: scores = Q @ K^T / sqrt(d_k), mask with -inf where mask is False, softmax, weights @ V.
    raise NotImplementedError("scaled_dot_product_attention")
