"""Example for the lesson "transformer-block" / Transformer 编码器块.

Run it with `dlquest run transformer-block` (or `python dlquest/lessons/examples/transformer_block.py`).
It needs no network access, uses fixed seeds and finishes in a few seconds on a laptop CPU.

1. Sinusoidal positional encodings as a heat map, and why they encode relative distance.
2. A hand-written pre-norm encoder block equals nn.TransformerEncoderLayer(norm_first=True).
3. Pre-norm vs post-norm: the scale of the residual stream through a deep stack.
4. A tiny Transformer encoder learns to reverse digit strings — only with positional encodings.
"""

from __future__ import annotations

import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from termplot import heading, heat_map, plot_curves

torch.set_num_threads(1)


def sinusoidal_positional_encoding(max_len, d_model):
    position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
    angle = position / 10000 ** (torch.arange(0, d_model, 2, dtype=torch.float32) / d_model)
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe


class PreNormBlock(nn.Module):
    """x = x + Dropout(SelfAttn(LN1(x))); x = x + Dropout(FFN(LN2(x))); FFN = Linear → ReLU → Linear."""

    def __init__(self, d_model, heads, d_ff, dropout=0.1):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d_model, heads, dropout=dropout, batch_first=True)
        self.linear1, self.linear2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.dropout, self.dropout1, self.dropout2 = nn.Dropout(dropout), nn.Dropout(dropout), nn.Dropout(dropout)

    def forward(self, x, key_padding_mask=None):
        h = self.norm1(x)
        x = x + self.dropout1(self.self_attn(h, h, h, key_padding_mask=key_padding_mask, need_weights=False)[0])
        return x + self.dropout2(self.linear2(self.dropout(F.relu(self.linear1(self.norm2(x))))))


def part_positional() -> None:
    heading("Sinusoidal positional encodings", "正弦位置编码")
    pe = sinusoidal_positional_encoding(24, 16)
    heat_map(pe, "PE for positions 0-23 (rows) and dimensions 0-15 (columns): fast waves left, slow right")
    print("pe[1, :4] =", [round(v, 3) for v in pe[1, :4].tolist()], " (sin 1, cos 1, sin 0.1, cos 0.1)")
    pe = sinusoidal_positional_encoding(64, 32)
    dots = pe @ pe.T
    print("PE(p)·PE(p+k) depends on the distance k, not on p:")
    for k in (0, 1, 4, 16):
        print(f"  k = {k:2d}:", [round(dots[p, p + k].item(), 2) for p in (0, 10, 30)])


def part_equals_torch() -> None:
    heading("A pre-norm block equals nn.TransformerEncoderLayer", "预归一化块与 nn.TransformerEncoderLayer 一致")
    torch.manual_seed(0)
    mine = PreNormBlock(16, 4, 32).eval()
    theirs = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.1, batch_first=True, norm_first=True).eval()
    theirs.load_state_dict(mine.state_dict())  # same attribute names, so the state_dict fits as it is
    x = torch.randn(2, 6, 16)
    padding = torch.tensor([[False] * 6, [False] * 4 + [True] * 2])
    for masks in ({}, {"key_padding_mask": padding}):
        difference = (mine(x, **masks) - theirs(x, src_key_padding_mask=masks.get("key_padding_mask"))).abs().max()
        print(f"max |difference| {'with' if masks else 'without'} a padding mask: {difference:.1e}")
    print("parameters:", sum(p.numel() for p in mine.parameters()),
          "= attention 4·16·16 + 4·16, FFN 16·32 + 32 + 32·16 + 16, two LayerNorms 2·2·16")


@torch.no_grad()
def residual_scale(norm_first, depth=12):
    """The standard deviation of the residual stream x after each layer of a freshly initialised stack."""
    torch.manual_seed(3)
    layers = [nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True, norm_first=norm_first)
              for _ in range(depth)]
    x = torch.randn(8, 10, 32)
    scales = []
    for layer in layers:
        x = layer.eval()(x)
        scales.append(x.std().item())
    return scales


def part_pre_vs_post() -> None:
    heading("Pre-norm vs post-norm: the residual stream", "预归一化与后归一化：残差流")
    pre, post = residual_scale(True), residual_scale(False)
    print(f"{'after layer':>11}  {'pre-norm std(x)':>15}  {'post-norm std(x)':>16}")
    for i, (a, b) in enumerate(zip(pre, post), start=1):
        print(f"{i:11d}  {a:15.2f}  {b:16.2f}")
    print("Post-norm normalises the sum after every layer, so x always has std 1 and the residual path")
    print("passes through a LayerNorm at every layer. Pre-norm leaves the residual path untouched: each")
    print("layer only adds to x (its std grows slowly), gradients reach every layer directly, and deep")
    print("stacks can train without the learning-rate warm-up post-norm usually needs (Xiong et al., 2020).")
    print("A pre-norm stack therefore ends with one final LayerNorm before the output layer.")


class TinyEncoder(nn.Module):
    def __init__(self, use_positions, vocab=10, length=8, d_model=32):  # one block is enough here
        super().__init__()
        self.embedding = nn.Embedding(vocab, d_model)
        self.register_buffer("pe", sinusoidal_positional_encoding(length, d_model) if use_positions
                             else torch.zeros(length, d_model))
        self.blocks = nn.ModuleList([PreNormBlock(d_model, 4, 64, dropout=0.0)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab)

    def forward(self, tokens):
        x = self.embedding(tokens) + self.pe  # (batch, 8, d_model) + (8, d_model)
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))


def part_reversal() -> None:
    heading("Reversing digits needs positions", "反转数字串离不开位置信息")
    curves = {}
    for use_positions in (True, False):
        torch.manual_seed(4)
        model = TinyEncoder(use_positions)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        data = torch.Generator().manual_seed(5)
        losses, start = [], time.perf_counter()
        for _ in range(200):
            x = torch.randint(0, 10, (64, 8), generator=data)
            loss = F.cross_entropy(model(x).reshape(-1, 10), x.flip(1).reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        x = torch.randint(0, 10, (500, 8), generator=torch.Generator().manual_seed(6))
        with torch.no_grad():
            accuracy = (model(x).argmax(-1) == x.flip(1)).float().mean().item()
        label = "with positional encoding" if use_positions else "without"
        curves[label] = losses
        print(f"{label:25s} final loss {losses[-1]:.3f}, token accuracy {accuracy:.1%} "
              f"({time.perf_counter() - start:.1f} s)")
    plot_curves("training loss", range(1, 201), curves)
    print("Without positions, self-attention treats the input as a bag of tokens: it cannot tell the first")
    print("digit from the last, so it cannot reverse them (beyond guessing digits that occur in the input).")


def main() -> None:
    part_positional()
    part_equals_torch()
    part_pre_vs_post()
    part_reversal()


if __name__ == "__main__":
    main()
