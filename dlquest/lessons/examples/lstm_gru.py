"""Example for the lesson "lstm-gru" / LSTM 与 GRU：门控、细胞状态与对比.

Run it with `dlquest run lstm-gru` (or `python dlquest/lessons/examples/lstm_gru.py`).
Offline, deterministic apart from the timings, a few seconds on a laptop CPU.

1. One LSTM step written out (f, i, C̃, o) equals nn.LSTMCell once the weights are split in torch's order.
2. Shapes of a stacked and of a bidirectional nn.LSTM.
3. RNN, LSTM and GRU compared: parameter counts (formula and measured) and time per forward pass.
4. The textbook GRU versus nn.GRUCell: where the reset gate acts and which way the update gate points.
"""

from __future__ import annotations

import time

import torch
from termplot import heading, plot_curves
from torch import nn


def part_lstm_step() -> None:
    heading("One LSTM step by hand", "手算一步 LSTM")
    torch.manual_seed(0)
    n_in, n_h = 3, 4
    cell = nn.LSTMCell(n_in, n_h)
    x, h, c = torch.randn(2, n_in), torch.randn(2, n_h), torch.randn(2, n_h)
    with torch.no_grad():
        gates = x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh
        i, f, g, o = gates.chunk(4, dim=1)  # torch stacks the gates as (i, f, g, o)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c_new = f * c + i * g  # keep part of the old memory, write part of the candidate
        h_new = o * torch.tanh(c_new)  # expose part of the squashed memory
        h_torch, c_torch = cell(x, (h, c))
    print(f"weight_ih {tuple(cell.weight_ih.shape)} = (4*hidden, input), weight_hh {tuple(cell.weight_hh.shape)}")
    print(f"forget gate f[0] / 遗忘门: {[round(v, 3) for v in f[0].tolist()]}")
    print(f"input gate  i[0] / 输入门: {[round(v, 3) for v in i[0].tolist()]}")
    print(f"output gate o[0] / 输出门: {[round(v, 3) for v in o[0].tolist()]}")
    print(f"max |h by hand - nn.LSTMCell| = {(h_new - h_torch).abs().max().item():.1e}, "
          f"max |c by hand - nn.LSTMCell| = {(c_new - c_torch).abs().max().item():.1e}")


def part_shapes() -> None:
    heading("Stacked and bidirectional LSTMs", "多层与双向 LSTM")
    torch.manual_seed(0)
    x = torch.randn(3, 5, 10)  # (batch, time, input)
    for bidirectional in (False, True):
        lstm = nn.LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=bidirectional)
        output, (h_n, c_n) = lstm(x)
        label = "bidirectional / 双向" if bidirectional else "one direction / 单向"
        print(f"{label}: output {tuple(output.shape)}, h_n {tuple(h_n.shape)}, c_n {tuple(c_n.shape)}")
    # With two directions, h_n is (layers*2, batch, hidden): the last two rows are the top layer's
    # forward and backward final states. The forward one is output[:, -1, :20]; the backward one,
    # having read the sequence from the end, is output[:, 0, 20:].
    print(f"top forward state  == output[:, -1, :20]: {torch.allclose(h_n[-2], output[:, -1, :20])}")
    print(f"top backward state == output[:, 0, 20:]:  {torch.allclose(h_n[-1], output[:, 0, 20:])}")


def count(model) -> int:
    return sum(p.numel() for p in model.parameters())


def time_forward(model, x, repeats=7) -> float:
    """The fastest of a few forward passes, in milliseconds (the minimum is the least disturbed one)."""
    best = float("inf")
    with torch.no_grad():
        model(x)  # warm-up
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            best = min(best, time.perf_counter() - start)
    return best * 1000


def part_compare() -> None:
    heading("RNN, LSTM and GRU: parameters and speed", "RNN、LSTM 与 GRU：参数量与速度")
    torch.manual_seed(0)
    n_in, n_h, layers = 32, 64, 2
    kinds = {"RNN": (nn.RNN, 1), "LSTM": (nn.LSTM, 4), "GRU": (nn.GRU, 3)}
    models = {name: cls(n_in, n_h, layers, batch_first=True) for name, (cls, _) in kinds.items()}
    print(f"input {n_in}, hidden {n_h}, {layers} layers; per layer: gates * (hidden*(in + hidden) + 2*hidden)")
    for name, (_, gates) in kinds.items():
        formula = sum(gates * (n_h * ((n_in if layer == 0 else n_h) + n_h) + 2 * n_h) for layer in range(layers))
        print(f"  {name:4s}  {gates} block(s) of weights  parameters {count(models[name]):6d}  (formula {formula})")
    lengths = [10, 20, 40, 80]
    timings = {name: [] for name in models}
    for steps in lengths:
        x = torch.randn(16, steps, n_in)
        for name, model in models.items():
            timings[name].append(time_forward(model, x))
    plot_curves("forward time (ms) against sequence length", lengths, timings)
    for name in models:
        row = ", ".join(f"{t:.2f}" for t in timings[name])
        print(f"  {name:4s}  ms for lengths {lengths}: {row}")
    print("Time grows linearly with length: the steps must run one after another.")
    print("Per step a GRU does 3/4 of an LSTM's arithmetic; how much faster it runs depends on the machine.")
    print("耗时随序列长度线性增长：各时间步只能依次计算。")
    print("每一步 GRU 的计算量是 LSTM 的 3/4；实际快多少取决于硬件和实现。")


def textbook_gru(W_r, W_z, W_h, x, h):
    """The outline's GRU: gates over [h, x], reset before the product, z weighting the candidate."""
    hx = torch.cat([h, x], dim=1)
    r = torch.sigmoid(W_r(hx))
    z = torch.sigmoid(W_z(hx))
    h_tilde = torch.tanh(W_h(torch.cat([r * h, x], dim=1)))
    return (1 - z) * h + z * h_tilde


def part_gru_forms() -> None:
    heading("Textbook GRU versus nn.GRUCell", "教科书中的 GRU 与 nn.GRUCell")
    torch.manual_seed(0)
    n_in, n_h = 3, 4
    W_r, W_z, W_h = (nn.Linear(n_h + n_in, n_h).double() for _ in range(3))
    x, h = torch.randn(5, n_in, dtype=torch.float64), torch.randn(5, n_h, dtype=torch.float64)

    def mapped_torch_cell():
        # Split each weight into its h columns and x columns; negate the update gate, because
        # σ(−a) = 1 − σ(a) turns torch's "z keeps h" into the textbook's "z takes the candidate".
        cell = nn.GRUCell(n_in, n_h).double()
        zeros = torch.zeros(3 * n_h, dtype=torch.float64)
        cell.load_state_dict({
            "weight_ih": torch.cat([W_r.weight[:, n_h:], -W_z.weight[:, n_h:], W_h.weight[:, n_h:]]),
            "weight_hh": torch.cat([W_r.weight[:, :n_h], -W_z.weight[:, :n_h], W_h.weight[:, :n_h]]),
            "bias_ih": torch.cat([W_r.bias, -W_z.bias, W_h.bias]),
            "bias_hh": zeros,
        })
        return cell

    with torch.no_grad():
        cell = mapped_torch_cell()
        gap = (textbook_gru(W_r, W_z, W_h, x, h) - cell(x, h)).abs().max().item()
        print(f"mapped weights, ordinary reset gate: max difference {gap:.3f}")
        print("  torch: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   textbook: tanh(W_h [r ⊙ h, x] + b_h)")
        W_r.weight.zero_()
        W_r.bias.fill_(40.0)  # r = σ(40) = 1: the reset gate no longer matters
        cell = mapped_torch_cell()
        gap = (textbook_gru(W_r, W_z, W_h, x, h) - cell(x, h)).abs().max().item()
        print(f"mapped weights, reset gate forced to 1:  max difference {gap:.1e}")
    print("The two forms are different models; both train well. Only r's position cannot be mapped.")
    print("两种形式是不同的模型，训练效果相当；只有重置门的位置无法通过换权重互相转换。")


def main() -> None:
    torch.set_num_threads(1)  # small tensors: one thread is faster, and the timings are steadier
    part_lstm_step()
    part_shapes()
    part_compare()
    part_gru_forms()


if __name__ == "__main__":
    main()
