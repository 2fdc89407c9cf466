"""Example for the lesson "recurrent-networks" / 循环神经网络：循环、展开与梯度消失.

Run it with `dlquest run recurrent-networks` (or `python dlquest/lessons/examples/recurrent_networks.py`).
Offline, deterministic, a few seconds on a laptop CPU.

1. The recurrence h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh) unrolled by hand equals nn.RNN.
2. The shapes nn.RNN returns (batch_first, output and h_n, two layers).
3. Sequence classification from the last time step: an RNN learns whether a sequence's sum is positive.
4. Vanishing gradients: the norm of the Jacobian ∂h_T/∂h_t against t, for an RNN and for an LSTM,
   plotted on a log scale.
"""

from __future__ import annotations

import math

import torch
from termplot import heading, plot_curves
from torch import nn


def part_unrolled() -> None:
    heading("The recurrence, unrolled by hand", "手动展开循环")
    torch.manual_seed(0)
    rnn = nn.RNN(input_size=3, hidden_size=4, batch_first=True)
    x = torch.randn(2, 5, 3)  # (batch, time, features)
    W_ih, W_hh = rnn.weight_ih_l0, rnn.weight_hh_l0
    b_ih, b_hh = rnn.bias_ih_l0, rnn.bias_hh_l0
    h = torch.zeros(2, 4)  # h_0
    states = []
    with torch.no_grad():
        for t in range(x.shape[1]):  # the same weights at every step
            h = torch.tanh(x[:, t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
            states.append(h)
        by_hand = torch.stack(states, dim=1)
        output, h_n = rnn(x)
    print(f"W_ih {tuple(W_ih.shape)}, W_hh {tuple(W_hh.shape)}, b_ih {tuple(b_ih.shape)}, b_hh {tuple(b_hh.shape)}")
    print(f"max |by hand - nn.RNN output| = {(by_hand - output).abs().max().item():.2e}")
    print(f"last step equals h_n / 最后一步等于 h_n: {torch.allclose(output[:, -1], h_n[0])}")
    print("h_1 of sequence 0 / 序列 0 的 h_1:", [round(v, 3) for v in by_hand[0, 0].tolist()])


def part_shapes() -> None:
    heading("Shapes: nn.RNN with batch_first=True", "形状：batch_first=True 的 nn.RNN")
    torch.manual_seed(0)
    rnn = nn.RNN(input_size=10, hidden_size=20, num_layers=2, batch_first=True)
    x = torch.randn(3, 5, 10)  # 3 sequences, 5 steps, 10 features
    h0 = torch.zeros(2, 3, 20)  # (num_layers, batch, hidden): NOT batch first
    output, h_n = rnn(x, h0)
    print(f"input  x      {tuple(x.shape)}   (batch, time, input)")
    print(f"output        {tuple(output.shape)}   (batch, time, hidden): top layer, every step")
    print(f"h_n           {tuple(h_n.shape)}   (layers, batch, hidden): every layer, last step")
    print(f"output[:, -1] == h_n[-1]: {torch.allclose(output[:, -1], h_n[-1])}")
    params = sum(p.numel() for p in rnn.parameters())
    print(f"parameters / 参数量: {params} = (10*20 + 20*20 + 2*20) + (20*20 + 20*20 + 2*20)")


class RNNClassifier(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        output, _ = self.rnn(x)  # zero initial state by default
        return self.fc(output[:, -1])  # the step that has seen the whole sequence


def make_sum_task(n, steps, generator):
    x = torch.randn(n, steps, 1, generator=generator)
    y = (x.sum(dim=(1, 2)) > 0).long()
    return x, y


def part_classifier() -> None:
    heading("Sequence classification from the last step", "用最后一个时间步做序列分类")
    generator = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    x_train, y_train = make_sum_task(512, 10, generator)
    x_test, y_test = make_sum_task(256, 10, generator)
    model = RNNClassifier(1, 16, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    print("task: is the sum of 10 random numbers positive? / 任务：10 个随机数之和是否为正？")
    for epoch in range(1, 21):
        for i in range(0, len(x_train), 64):
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[i:i + 64]), y_train[i:i + 64])
            loss.backward()
            optimizer.step()
        if epoch in (1, 5, 10, 20):
            with torch.no_grad():
                accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
            print(f"  epoch {epoch:2d}  loss {loss.item():.3f}  test accuracy / 测试准确率 {accuracy:.3f}")


def jacobian_norms(cell, state, xs):
    """‖∂h_T/∂s_t‖ (Frobenius norm of the Jacobian) for t = 0 … T-1, where s_t is the state after step t."""
    states = []
    for t in range(xs.shape[0]):
        state = cell(xs[t], state)
        states.append(state)
    h_T = states[-1][0]
    flat = [s for state in states for s in state]  # every tensor of every state, still in the graph
    squared = [0.0] * len(states)
    for k in range(h_T.shape[1]):  # one backward pass per component of h_T gives row k of every Jacobian
        grads = torch.autograd.grad(h_T[0, k], flat, retain_graph=True, allow_unused=True)
        per_state = len(flat) // len(states)
        for t in range(len(states)):
            for g in grads[t * per_state:(t + 1) * per_state]:
                if g is not None:
                    squared[t] += g.pow(2).sum().item()
    return [v ** 0.5 for v in squared]


def part_vanishing() -> None:
    heading("Vanishing gradients through time", "随时间反向传播中的梯度消失")
    T, hidden = 40, 16
    torch.manual_seed(0)
    xs = torch.randn(T, 1, 4)

    rnn = nn.RNNCell(4, hidden)
    lstm = nn.LSTMCell(4, hidden)
    lstm_open = nn.LSTMCell(4, hidden)
    lstm_open.load_state_dict(lstm.state_dict())
    with torch.no_grad():  # torch's gate order is (i, f, g, o): rows hidden..2*hidden are the forget gate
        lstm_open.bias_ih[hidden:2 * hidden] += 3.0

    def rnn_step(x, state):  # the RNN's state is h alone; the LSTM's is the pair (h, c)
        return (rnn(x, state[0]),)

    zeros = torch.zeros(1, hidden)
    curves = {}
    for name, cell, state in [("RNN", rnn_step, (zeros,)), ("LSTM", lstm, (zeros, zeros)),
                              ("LSTM, forget bias +3", lstm_open, (zeros, zeros))]:
        curves[name] = jacobian_norms(cell, state, xs)
    print("log10 of ‖∂h_T/∂(state at step t)‖, T = 40; for the LSTM the state is (h_t, c_t)")
    print("纵轴为 log10 ‖∂h_T/∂(第 t 步的状态)‖，T = 40；LSTM 的状态是 (h_t, c_t)")
    plot_curves("log10 ||dh_T / ds_t||", list(range(T)),
                {name: [math.log10(max(v, 1e-30)) for v in norms] for name, norms in curves.items()})
    for t in (0, 10, 20, 30, 39):
        row = "  ".join(f"{name}: {curves[name][t]:.1e}" for name in curves)
        print(f"  t = {t:2d}   {row}")
    print("Each step back multiplies by W_hhᵀ·diag(1 − h²) in the RNN: the norm shrinks geometrically.")
    print("The LSTM's cell path multiplies by the forget gate f: with f close to 1 the signal survives.")
    print("RNN 每往回一步都要乘以 W_hhᵀ·diag(1 − h²)，范数按几何级数衰减；")
    print("LSTM 的细胞状态通路只乘以遗忘门 f，f 接近 1 时信号就能保留下来。")


def main() -> None:
    torch.set_num_threads(1)  # tiny tensors: one thread is faster than several competing ones
    part_unrolled()
    part_shapes()
    part_classifier()
    part_vanishing()


if __name__ == "__main__":
    main()
