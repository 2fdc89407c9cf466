"""Example for the lesson "seq2seq-attention" / 序列到序列模型与注意力.

Run it with `dlquest run seq2seq-attention` (or `python dlquest/lessons/examples/seq2seq_attention.py`).
It needs no network access, uses fixed seeds and finishes in a few seconds on a laptop CPU.

1. Attention by hand: additive and scaled dot-product scores for one query, with a mask.
2. A tiny GRU encoder-decoder with additive attention learns to reverse digit strings, trained twice:
   with teacher forcing (ratio 1) and free-running (ratio 0). Loss curves and greedy-decoding accuracy.
3. The trained model's attention weights as a terminal heat map: reversing shows up as an anti-diagonal.
"""

from __future__ import annotations

import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from termplot import heading, heat_map, plot_curves

torch.set_num_threads(1)

DIGITS, SOS = 10, 10  # tokens 0-9 are digits, 10 is <sos>
LENGTH = 5


# --------------------------------------------------------------------------------------------
# 1. Attention by hand
# --------------------------------------------------------------------------------------------


def part_attention_by_hand() -> None:
    heading("Attention by hand", "手算注意力")
    torch.manual_seed(0)
    keys = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.5]])  # 4 keys, d_k = 2
    values = torch.tensor([[10.0], [20.0], [30.0], [40.0]])
    query = torch.tensor([1.0, 0.2])

    scores = keys @ query / math.sqrt(2)
    weights = torch.softmax(scores, dim=0)
    print("scaled dot-product scores q·k/√d_k:", [round(s, 3) for s in scores.tolist()])
    print("weights (softmax)                 :", [round(w, 3) for w in weights.tolist()], "sum =",
          round(weights.sum().item(), 3))
    print("output = Σ weight · value          :", round((weights @ values).item(), 3))

    mask = torch.tensor([True, True, True, False])  # True = may attend; the last key is padding
    masked = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=0)
    print("with the last key masked          :", [round(w, 3) for w in masked.tolist()])

    W_q, W_k, v = torch.randn(3, 2), torch.randn(3, 2), torch.randn(3)
    additive = torch.tanh(query @ W_q.T + keys @ W_k.T) @ v
    print("additive scores vᵀtanh(W_q q + W_k k):", [round(s, 3) for s in additive.tolist()])
    print("additive weights                  :", [round(w, 3) for w in torch.softmax(additive, 0).tolist()])


# --------------------------------------------------------------------------------------------
# 2. A seq2seq model with attention that reverses digit strings
# --------------------------------------------------------------------------------------------


class Encoder(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.embedding = nn.Embedding(DIGITS, 16)
        self.rnn = nn.GRU(16, hidden, batch_first=True)

    def forward(self, src):
        return self.rnn(self.embedding(src))  # outputs (B, S, H), hidden (1, B, H)


class AttentionDecoder(nn.Module):
    """One step: additive attention over the encoder outputs, then a GRU step and a linear read-out."""

    def __init__(self, hidden=32):
        super().__init__()
        self.embedding = nn.Embedding(DIGITS + 1, 16)
        self.W_q = nn.Linear(hidden, hidden, bias=False)
        self.W_k = nn.Linear(hidden, hidden, bias=False)
        self.v = nn.Linear(hidden, 1, bias=False)
        self.rnn = nn.GRU(16 + hidden, hidden, batch_first=True)
        self.fc = nn.Linear(2 * hidden, DIGITS)

    def forward(self, token, hidden, enc_outputs):
        query = hidden[-1]  # (B, H)
        scores = self.v(torch.tanh(self.W_q(query).unsqueeze(1) + self.W_k(enc_outputs))).squeeze(2)  # (B, S)
        weights = torch.softmax(scores, dim=1)
        context = (weights.unsqueeze(2) * enc_outputs).sum(dim=1)  # (B, H)
        rnn_in = torch.cat([self.embedding(token), context], dim=1).unsqueeze(1)
        output, hidden = self.rnn(rnn_in, hidden)
        logits = self.fc(torch.cat([output.squeeze(1), context], dim=1))
        return logits, hidden, weights


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder, self.decoder = Encoder(), AttentionDecoder()

    def forward(self, src, tgt, teacher_forcing_ratio, generator=None):
        enc_outputs, hidden = self.encoder(src)
        token, logits_all, attention = tgt[:, 0], [], []
        for t in range(1, tgt.shape[1]):
            logits, hidden, weights = self.decoder(token, hidden, enc_outputs)
            logits_all.append(logits)
            attention.append(weights)
            teacher = torch.rand(1, generator=generator).item() < teacher_forcing_ratio
            token = tgt[:, t] if teacher else logits.argmax(dim=1)
        return torch.stack(logits_all, dim=1), torch.stack(attention, dim=1)  # (B, T, V), (B, T, S)


def make_batch(n, generator):
    src = torch.randint(0, DIGITS, (n, LENGTH), generator=generator)
    tgt = torch.cat([torch.full((n, 1), SOS), src.flip(1)], dim=1)
    return src, tgt


def train(ratio, steps=200, batch=64):
    torch.manual_seed(1)  # the same initial weights for every ratio
    model = Seq2Seq()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    data, coins = torch.Generator().manual_seed(2), torch.Generator().manual_seed(3)
    losses = []
    for _ in range(steps):
        src, tgt = make_batch(batch, data)
        logits, _ = model(src, tgt, ratio, coins)
        loss = F.cross_entropy(logits.reshape(-1, DIGITS), tgt[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model, losses


@torch.no_grad()
def greedy_accuracy(model, n=500):
    src, tgt = make_batch(n, torch.Generator().manual_seed(99))
    logits, _ = model(src, tgt, teacher_forcing_ratio=0.0)  # at test time there is no ground truth to feed
    predicted = logits.argmax(dim=2)
    tokens = (predicted == tgt[:, 1:]).float().mean().item()
    sequences = (predicted == tgt[:, 1:]).all(dim=1).float().mean().item()
    return tokens, sequences


def moving_average(values, window=10):
    return [sum(values[max(0, i - window + 1): i + 1]) / len(values[max(0, i - window + 1): i + 1])
            for i in range(len(values))]


def part_training():
    heading("Teacher forcing vs free running: reversing digits", "教师强制与自由运行：反转数字串")
    models, curves = {}, {}
    print(f"{'ratio':>5}  {'mean loss, steps 1-50':>21}  {'final loss':>10}  {'greedy: tokens':>14}  "
          f"{'whole sequences':>15}  time")
    for ratio in (1.0, 0.0):
        start = time.perf_counter()
        model, losses = train(ratio)
        tokens, sequences = greedy_accuracy(model)
        models[ratio] = model
        curves[f"ratio {ratio}"] = moving_average(losses)
        print(f"{ratio:5.1f}  {sum(losses[:50]) / 50:21.3f}  {curves[f'ratio {ratio}'][-1]:10.3f}  "
              f"{tokens:14.1%}  {sequences:15.1%}  {time.perf_counter() - start:.1f} s")
    plot_curves("training loss (moving average of 10 steps)", range(1, len(losses) + 1), curves)
    print("The training losses are not measured alike: with ratio 1 every step sees the true previous digit,")
    print("with ratio 0 it sees the model's own guess, often wrong early on. The fair comparison is the")
    print("greedy accuracy, where every model feeds itself, as it must at test time. A model trained only")
    print("with teacher forcing never practised recovering from its own mistakes (exposure bias).")
    return models[1.0]


def part_heat_map(model) -> None:
    heading("Where the decoder looks", "解码器在看哪里")
    src = torch.tensor([[3, 1, 4, 1, 5]])
    tgt = torch.cat([torch.tensor([[SOS]]), src.flip(1)], dim=1)
    with torch.no_grad():
        logits, attention = model(src, tgt, teacher_forcing_ratio=0.0)
    print("input :", " ".join(map(str, src[0].tolist())))
    print("output:", " ".join(map(str, logits.argmax(2)[0].tolist())))
    heat_map(attention[0], "attention weights: one row per output step, one column (2 chars) per input digit")
    print("Dark cells (@, %, #) are large weights. Output step t (from 1) should look at input position")
    print(f"{LENGTH} - t (from 0): an anti-diagonal, wherever the model has learned the task.")
    print("weights of output step 1:", [round(w, 2) for w in attention[0, 0].tolist()])


def main() -> None:
    part_attention_by_hand()
    model = part_training()
    part_heat_map(model)


if __name__ == "__main__":
    main()
