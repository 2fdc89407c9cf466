"""Example for the lesson "multi-head-attention" / 多头注意力.

Run it with `dlquest run multi-head-attention` (or `python dlquest/lessons/examples/multi_head_attention.py`).
It needs no network access, uses fixed seeds and finishes in a few seconds on a laptop CPU.

1. Splitting into heads and merging them back, shape by shape.
2. A hand-written multi-head attention gives the same numbers as nn.MultiheadAttention.
3. Masks: a causal mask and a key padding mask, shown as heat maps of the attention weights.
4. The cost: the score matrix grows as n², measured in time and memory.
"""

from __future__ import annotations

import math
import time

import torch
import torch.nn as nn
from termplot import heading, heat_map, plot_curves

torch.set_num_threads(1)


def split_heads(x, num_heads):
    batch, length, embed = x.shape
    return x.reshape(batch, length, num_heads, embed // num_heads).transpose(1, 2)


def merge_heads(x):
    batch, heads, length, head_dim = x.shape
    return x.transpose(1, 2).reshape(batch, length, heads * head_dim)


def multi_head_attention(x, mha: nn.MultiheadAttention, key_padding_mask=None, attn_mask=None):
    """Self-attention with the weights of an nn.MultiheadAttention (masks: True = NOT allowed)."""
    heads = mha.num_heads
    W_q, W_k, W_v = mha.in_proj_weight.chunk(3)  # rows in the order q, k, v
    b_q, b_k, b_v = mha.in_proj_bias.chunk(3)
    q = split_heads(x @ W_q.T + b_q, heads)
    k = split_heads(x @ W_k.T + b_k, heads)
    v = split_heads(x @ W_v.T + b_v, heads)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (batch, heads, L, S)
    if attn_mask is not None:
        scores = scores.masked_fill(attn_mask, float("-inf"))
    if key_padding_mask is not None:
        scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    out = mha.out_proj(merge_heads(weights @ v))
    return out, weights


def part_shapes() -> None:
    heading("Splitting and merging heads", "拆分与合并注意力头")
    batch, length, embed, heads = 2, 5, 12, 3
    x = torch.randn(batch, length, embed)
    print(f"input                          {tuple(x.shape)}   (batch, L, embed_dim)")
    step = x.reshape(batch, length, heads, embed // heads)
    print(f"reshape                        {tuple(step.shape)}  (batch, L, heads, head_dim)")
    q = step.transpose(1, 2)
    print(f"transpose(1, 2)                {tuple(q.shape)}  (batch, heads, L, head_dim)")
    print(f"scores q @ kᵀ                  {tuple((q @ q.transpose(-2, -1)).shape)}  (batch, heads, L, L)")
    merged = merge_heads(q)
    print(f"merge: transpose back, reshape {tuple(merged.shape)}   (batch, L, embed_dim)")
    print("round trip exact:", torch.equal(merged, x))
    print("head 1 holds features 4..7 of every position:", torch.equal(q[:, 1], x[..., 4:8]))


def part_against_torch() -> None:
    heading("Same numbers as nn.MultiheadAttention", "与 nn.MultiheadAttention 结果一致")
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(16, 4, batch_first=True).eval()
    x = torch.randn(3, 7, 16)
    padding = torch.tensor([[False] * 7, [False] * 5 + [True] * 2, [False] * 3 + [True] * 4])
    causal = torch.ones(7, 7, dtype=torch.bool).triu(1)
    with torch.no_grad():
        for name, masks in [("no mask", {}), ("key padding", {"key_padding_mask": padding}),
                            ("causal + padding", {"key_padding_mask": padding, "attn_mask": causal})]:
            mine, my_weights = multi_head_attention(x, mha, **masks)
            theirs, their_weights = mha(x, x, x, need_weights=True, average_attn_weights=True, **masks)
            print(f"{name:17s} max |difference|: output {(mine - theirs).abs().max():.1e}, "
                  f"averaged weights {(my_weights.mean(1) - their_weights).abs().max():.1e}")
    print("Parameters:", {name: tuple(p.shape) for name, p in mha.named_parameters()})


def part_masks() -> None:
    heading("Masks: causal and key padding", "掩码：因果掩码与填充掩码")
    torch.manual_seed(1)
    mha = nn.MultiheadAttention(16, 2, batch_first=True).eval()
    x = torch.randn(1, 8, 16)
    causal = torch.ones(8, 8, dtype=torch.bool).triu(1)  # True above the diagonal = may NOT look ahead
    padding = torch.tensor([[False] * 6 + [True] * 2])  # the last two tokens are padding
    with torch.no_grad():
        _, plain = multi_head_attention(x, mha)
        _, masked = multi_head_attention(x, mha, key_padding_mask=padding, attn_mask=causal)
    heat_map(plain[0, 0], "head 0, no mask (rows: queries 0-7, columns: keys 0-7)")
    heat_map(masked[0, 0], "head 0, causal mask + the last two keys are padding: blank cells are exactly 0")
    heat_map(masked[0, 1], "head 1, same masks: another head, another pattern")
    print("row sums:", [round(s, 4) for s in masked[0, 0].sum(-1).tolist()])


def part_cost() -> None:
    heading("The cost grows as n²", "计算量随 n² 增长")
    torch.manual_seed(2)
    heads, head_dim = 4, 32
    sizes, times = [64, 128, 256, 512, 1024], []
    print(f"{'n':>5}  {'score matrix entries':>20}  {'float32 memory':>14}  {'time (ms)':>9}")
    for n in sizes:
        q, k, v = (torch.randn(1, heads, n, head_dim) for _ in range(3))
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(head_dim), dim=-1)
            (weights @ v).sum()
            best = min(best, time.perf_counter() - start)
        times.append(best * 1000)
        entries = heads * n * n
        print(f"{n:5d}  {entries:20,d}  {entries * 4 / 2**20:11.1f} MiB  {best * 1000:9.2f}")
    plot_curves("time of one attention (ms) against sequence length n", sizes, {"measured": times})
    print("Doubling n quadruples the score matrix: every query looks at every key. That is why long")
    print("documents are expensive, and why memory-saving kernels (FlashAttention) never store it whole.")


def main() -> None:
    part_shapes()
    part_against_torch()
    part_masks()
    part_cost()


if __name__ == "__main__":
    main()
