"""Check for `gru_cell`: r, z over [h, x]; h̃ = tanh(W_h [r⊙h, x] + b_h); h_new = (1 − z)⊙h + z⊙h̃.

The grader builds a state_dict itself (names fixed by the stub: W_r, W_z, W_h, each .weight and .bias) and
loads it into the learner's cell. Values and gradients are compared in float64: for one step, unrolled over a
sequence, and in cases that single out each gate (z pinned to 0 or 1, r pinned to 0) so that a mistake in one
formula shows as a clear difference.
"""

import pytest
import torch

from dlquest.grader.checklib import RECURRENT_OPS, Rule, expect_same, to_device

# Every built-in recurrent operator: a GRU cell with its gates pinned computes an RNN cell exactly, so each
# cell exercise forbids them all; and torch's Python LSTM (torch.ao's quantizable one) too.
RULE = Rule("a built-in recurrent layer (nn.RNNCell, nn.LSTMCell, nn.GRUCell, nn.RNN, nn.LSTM, nn.GRU, "
            "torch.*_cell)", ops=[RECURRENT_OPS], python=["torch.ao.nn.quantizable.modules.rnn"])

GATES = ("W_r", "W_z", "W_h")

# name: (batch, input_size, hidden_size)
CASES = {
    "basic": (3, 4, 5),
    "batch-of-one": (1, 3, 2),
    "square": (2, 4, 4),
}


def make_state(input_size, hidden_size, seed, dtype=torch.float64):
    generator = torch.Generator().manual_seed(seed + 41 * input_size + hidden_size)
    state = {}
    for gate in GATES:
        state[f"{gate}.weight"] = torch.randn(hidden_size, hidden_size + input_size, generator=generator,
                                              dtype=dtype) * 0.7
        state[f"{gate}.bias"] = torch.randn(hidden_size, generator=generator, dtype=dtype) * 0.5
    return state


def make_inputs(case, seed, steps=None, dtype=torch.float64):
    batch, input_size, hidden_size = CASES[case]
    generator = torch.Generator().manual_seed(seed + sum(map(ord, case)))
    shape = (batch, input_size) if steps is None else (steps, batch, input_size)
    x = torch.randn(shape, generator=generator, dtype=dtype)
    h = torch.randn(batch, hidden_size, generator=generator, dtype=dtype) * 0.8
    upstream = torch.randn((batch, hidden_size) if steps is None else (steps, batch, hidden_size),
                           generator=generator, dtype=dtype)
    return make_state(input_size, hidden_size, seed, dtype), x, h, upstream


def pinned(state, gate, bias):
    """The same weights, with one gate driven to 0 or 1: its weights zeroed and a large bias."""
    state = dict(state)
    state[f"{gate}.weight"] = torch.zeros_like(state[f"{gate}.weight"])
    state[f"{gate}.bias"] = torch.full_like(state[f"{gate}.bias"], bias)
    return state


def loaded(module, device, state):
    hidden_size, total = state["W_r.weight"].shape
    cell = module.GRUCell(total - hidden_size, hidden_size).to(state["W_r.weight"].dtype)
    cell.load_state_dict(state)
    return cell.to(device)


def step(module, device, state, x, h, upstream):
    cell = loaded(module, device, state)
    x, h = to_device(device, x, h)
    return cell(x, h)


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


def guarded_step(module, state, x, h, upstream):
    cell = loaded(module, "cpu", state)
    return cell(x, h)  # under the RULE, as every test


@pytest.mark.parametrize("case", list(CASES))
def test_one_step(learner, reference, device, seed, case):
    expect_same(learner, reference, step, device, *make_inputs(case, seed), what="h_new = cell(x, h)")


def test_update_gate_closed_keeps_the_old_state(learner, reference, device, seed):
    # z = σ(-40) ≈ 0: h_new must be h itself.
    state, x, h, upstream = make_inputs("basic", seed)
    expect_same(learner, reference, step, device, pinned(state, "W_z", -40.0), x, h, upstream,
                what="h_new with the update gate z ≈ 0 (it should equal h)")


def test_update_gate_open_takes_the_candidate(learner, reference, device, seed):
    # z = σ(40) ≈ 1: h_new must be the candidate h̃.
    state, x, h, upstream = make_inputs("basic", seed)
    expect_same(learner, reference, step, device, pinned(state, "W_z", 40.0), x, h, upstream,
                what="h_new with the update gate z ≈ 1 (it should equal the candidate h̃)")


def test_reset_gate_closed_hides_the_old_state(learner, reference, device, seed):
    # r ≈ 0 and z ≈ 1: h_new = tanh(W_h [0, x] + b_h), which depends on x only.
    state, x, h, upstream = make_inputs("basic", seed)
    state = pinned(pinned(state, "W_r", -40.0), "W_z", 40.0)
    expect_same(learner, reference, step, device, state, x, h, upstream,
                what="h_new with r ≈ 0 and z ≈ 1 (it should be tanh(W_h [0, x] + b_h))")


@pytest.mark.parametrize("case", ["basic", "square"])
def test_one_step_gradients(learner, reference, device, seed, case):
    expect_same(learner, reference, step_gradients, device, *make_inputs(case, seed), what="gradient")


@pytest.mark.parametrize("case", ["basic", "batch-of-one"])
def test_sequence(learner, reference, device, seed, case):
    expect_same(learner, reference, unrolled, device, *make_inputs(case, seed, steps=5),
                what="states and gradients over 5 steps")


def test_keeps_float32(learner, reference, device, seed):
    expect_same(learner, reference, step, device, *make_inputs("basic", seed, dtype=torch.float32),
                what="float32 h_new", check_dtype=True)


def test_does_not_call_a_builtin_gru(learner, reference, seed):
    expect_same(learner, reference, guarded_step, *make_inputs("basic", seed), what="h_new")
