"""Check for `rnn_cell`: h_new = tanh(W_ih x + b_ih + W_hh h + b_hh), with the weights the grader loads.

The grader builds a state_dict itself (names fixed by the stub: W_ih.weight, W_ih.bias, W_hh.weight,
W_hh.bias) and loads it into the learner's cell, so nothing depends on initialisation. Values and gradients
are compared in float64: for one step, for a zero start state, and unrolled over a sequence (backpropagation
through time). One test compares with torch.nn.RNNCell holding the same weights.
"""

import pytest
import torch

from dlquest.grader.checklib import RECURRENT_OPS, Rule, assert_same, expect_same, to_device

# Every built-in recurrent operator: a GRU cell with its gates pinned computes an RNN cell exactly, so each
# cell exercise forbids them all; and torch's Python LSTM (torch.ao's quantizable one) too.
RULE = Rule("a built-in recurrent layer (nn.RNNCell, nn.LSTMCell, nn.GRUCell, nn.RNN, nn.LSTM, nn.GRU, "
            "torch.*_cell)", ops=[RECURRENT_OPS], python=["torch.ao.nn.quantizable.modules.rnn"])

# name: (batch, input_size, hidden_size)
CASES = {
    "basic": (3, 4, 5),
    "batch-of-one": (1, 3, 2),
    "square": (2, 4, 4),
}


def make_state(input_size, hidden_size, seed, dtype=torch.float64):
    generator = torch.Generator().manual_seed(seed + 31 * input_size + hidden_size)
    return {
        "W_ih.weight": torch.randn(hidden_size, input_size, generator=generator, dtype=dtype) * 0.6,
        "W_ih.bias": torch.randn(hidden_size, generator=generator, dtype=dtype) * 0.5,
        "W_hh.weight": torch.randn(hidden_size, hidden_size, generator=generator, dtype=dtype) * 0.6,
        "W_hh.bias": torch.randn(hidden_size, generator=generator, dtype=dtype) * 0.5,
    }


def make_inputs(case, seed, steps=None, dtype=torch.float64):
    batch, input_size, hidden_size = CASES[case]
    generator = torch.Generator().manual_seed(seed + sum(map(ord, case)))
    shape = (batch, input_size) if steps is None else (steps, batch, input_size)
    x = torch.randn(shape, generator=generator, dtype=dtype)
    h = torch.randn(batch, hidden_size, generator=generator, dtype=dtype) * 0.8
    upstream = torch.randn((batch, hidden_size) if steps is None else (steps, batch, hidden_size),
                           generator=generator, dtype=dtype)
    return make_state(input_size, hidden_size, seed, dtype), x, h, upstream


def loaded(module, device, state):
    hidden_size, input_size = state["W_ih.weight"].shape
    cell = module.RNNCell(input_size, hidden_size).to(state["W_ih.weight"].dtype)
    cell.load_state_dict(state)
    return cell.to(device)


def step(module, device, state, x, h, upstream):
    cell = loaded(module, device, state)
    x, h = to_device(device, x, h)
    return cell(x, h)


def step_from_none(module, device, state, x, h, upstream):
    cell = loaded(module, device, state)
    return cell(to_device(device, x), None)


def grads(leaves, cell):
    out = {name: leaf.grad for name, leaf in leaves.items()}
    out.update({name: p.grad for name, p in cell.named_parameters()})
    return {name: (g if g is not None else "no gradient") for name, g in out.items()}


def step_gradients(module, device, state, x, h, upstream):
    cell = loaded(module, device, state)
    x, h, upstream = to_device(device, x, h, upstream)
    x, h = x.detach().requires_grad_(True), h.detach().requires_grad_(True)
    (cell(x, h) * upstream).sum().backward()
    return grads({"x": x, "h": h}, cell)


def unrolled(module, device, state, xs, h0, upstream):
    """Call the cell once per time step, feeding each new state back in; values and gradients."""
    cell = loaded(module, device, state)
    xs, h0, upstream = to_device(device, xs, h0, upstream)
    xs, h0 = xs.detach().requires_grad_(True), h0.detach().requires_grad_(True)
    h, states = h0, []
    for t in range(xs.shape[0]):
        h = cell(xs[t], h)
        states.append(h)
    states = torch.stack(states)
    (states * upstream).sum().backward()
    return {"states": states.detach(), **grads({"xs": xs, "h0": h0}, cell)}


def guarded_step(module, state, x, h):
    cell = loaded(module, "cpu", state)
    return cell(x, h)  # under the RULE, as every test


@pytest.mark.parametrize("case", list(CASES))
def test_one_step(learner, reference, device, seed, case):
    expect_same(learner, reference, step, device, *make_inputs(case, seed), what="h_new = cell(x, h)")


def test_none_means_a_zero_state(learner, reference, device, seed):
    expect_same(learner, reference, step_from_none, device, *make_inputs("basic", seed),
                what="h_new = cell(x, None)")


@pytest.mark.parametrize("case", ["basic", "square"])
def test_one_step_gradients(learner, reference, device, seed, case):
    expect_same(learner, reference, step_gradients, device, *make_inputs(case, seed), what="gradient")


@pytest.mark.parametrize("case", ["basic", "batch-of-one"])
def test_sequence_backpropagates_through_time(learner, reference, device, seed, case):
    expect_same(learner, reference, unrolled, device, *make_inputs(case, seed, steps=6),
                what="states and gradients over 6 steps")


def test_keeps_float32(learner, reference, device, seed):
    expect_same(learner, reference, step, device, *make_inputs("basic", seed, dtype=torch.float32),
                what="float32 h_new", check_dtype=True)


def test_equals_torch_rnn_cell(learner, seed):
    state, x, h, _ = make_inputs("basic", seed)
    got = learner.run(guarded_step, state, x, h)
    hidden_size, input_size = state["W_ih.weight"].shape
    torch_cell = torch.nn.RNNCell(input_size, hidden_size, nonlinearity="tanh").double()
    torch_cell.load_state_dict({"weight_ih": state["W_ih.weight"], "bias_ih": state["W_ih.bias"],
                                "weight_hh": state["W_hh.weight"], "bias_hh": state["W_hh.bias"]})
    with torch.no_grad():
        expected = torch_cell(x, h)
    assert_same(got, expected, what="cell(x, h) against nn.RNNCell with the same weights")
