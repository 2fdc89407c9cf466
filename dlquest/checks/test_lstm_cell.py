"""Check for `lstm_cell`: gates over [x, h], c_new = f⊙c + i⊙C̃, h_new = o⊙tanh(c_new).

The grader builds a state_dict itself (names fixed by the stub: W_f, W_i, W_C, W_o, each .weight and .bias)
and loads it into the learner's cell. Values and gradients are compared in float64: for one step from random
states, and unrolled over a sequence. One test compares with torch.nn.LSTMCell holding the same weights,
stacked in torch's gate order (i, f, g, o).
"""

import pytest
import torch

from dlquest.grader.checklib import RECURRENT_OPS, Rule, assert_same, expect_same, to_device

# Every built-in recurrent operator: a GRU cell with its gates pinned computes an RNN cell exactly, so each
# cell exercise forbids them all; and torch's Python LSTM (torch.ao's quantizable one) too.
RULE = Rule("a built-in recurrent layer (nn.RNNCell, nn.LSTMCell, nn.GRUCell, nn.RNN, nn.LSTM, nn.GRU, "
            "torch.*_cell)", ops=[RECURRENT_OPS], python=["torch.ao.nn.quantizable.modules.rnn"])

GATES = ("W_f", "W_i", "W_C", "W_o")

# name: (batch, input_size, hidden_size)
CASES = {
    "basic": (3, 4, 5),
    "batch-of-one": (1, 3, 2),
    "square": (2, 4, 4),
}


def make_state(input_size, hidden_size, seed, dtype=torch.float64):
    generator = torch.Generator().manual_seed(seed + 37 * input_size + hidden_size)
    state = {}
    for gate in GATES:
        state[f"{gate}.weight"] = torch.randn(hidden_size, input_size + hidden_size, generator=generator,
                                              dtype=dtype) * 0.7
        state[f"{gate}.bias"] = torch.randn(hidden_size, generator=generator, dtype=dtype) * 0.5
    return state


def make_inputs(case, seed, steps=None, dtype=torch.float64):
    batch, input_size, hidden_size = CASES[case]
    generator = torch.Generator().manual_seed(seed + sum(map(ord, case)))
    shape = (batch, input_size) if steps is None else (steps, batch, input_size)
    x = torch.randn(shape, generator=generator, dtype=dtype)
    h = torch.randn(batch, hidden_size, generator=generator, dtype=dtype) * 0.8
    c = torch.randn(batch, hidden_size, generator=generator, dtype=dtype)
    upstream_shape = (2, batch, hidden_size) if steps is None else (steps + 1, batch, hidden_size)
    upstream = torch.randn(upstream_shape, generator=generator, dtype=dtype)
    return make_state(input_size, hidden_size, seed, dtype), x, h, c, upstream


def loaded(module, device, state):
    hidden_size, total = state["W_f.weight"].shape
    cell = module.LSTMCell(total - hidden_size, hidden_size).to(state["W_f.weight"].dtype)
    cell.load_state_dict(state)
    return cell.to(device)


def as_pair(result):
    """The learner's return value as a dict, so that a wrong structure shows as a clear difference."""
    if isinstance(result, (tuple, list)) and len(result) == 2:
        return {"h_new": result[0], "c_new": result[1]}
    return {"(h_new, c_new)": result}


def step(module, device, state, x, h, c, upstream):
    cell = loaded(module, device, state)
    x, h, c = to_device(device, x, h, c)
    return as_pair(cell(x, (h, c)))


def grads(leaves, cell):
    out = {name: leaf.grad for name, leaf in leaves.items()}
    out.update({name: p.grad for name, p in cell.named_parameters()})
    return {name: (g if g is not None else "no gradient") for name, g in out.items()}


def step_gradients(module, device, state, x, h, c, upstream):
    cell = loaded(module, device, state)
    x, h, c, upstream = to_device(device, x, h, c, upstream)
    x, h, c = (t.detach().requires_grad_(True) for t in (x, h, c))
    h_new, c_new = cell(x, (h, c))
    (h_new * upstream[0] + c_new * upstream[1]).sum().backward()
    return grads({"x": x, "h": h, "c": c}, cell)


def unrolled(module, device, state, xs, h0, c0, upstream):
    """Feed (h, c) back in at every step; all hidden states, the last cell state and every gradient."""
    cell = loaded(module, device, state)
    xs, h0, c0, upstream = to_device(device, xs, h0, c0, upstream)
    xs, h0, c0 = (t.detach().requires_grad_(True) for t in (xs, h0, c0))
    h, c, states = h0, c0, []
    for t in range(xs.shape[0]):
        h, c = cell(xs[t], (h, c))
        states.append(h)
    states = torch.stack(states)
    ((states * upstream[:-1]).sum() + (c * upstream[-1]).sum()).backward()
    return {"hidden states": states.detach(), "last cell state": c.detach(),
            **grads({"xs": xs, "h0": h0, "c0": c0}, cell)}


def guarded_step(module, state, x, h, c):
    cell = loaded(module, "cpu", state)
    return as_pair(cell(x, (h, c)))  # under the RULE, as every test


def torch_lstm_cell(state):
    """nn.LSTMCell with the same weights: torch stacks the gates as (i, f, g, o) and splits x and h columns."""
    hidden_size, total = state["W_f.weight"].shape
    input_size = total - hidden_size
    order = ("W_i", "W_f", "W_C", "W_o")
    cell = torch.nn.LSTMCell(input_size, hidden_size).double()
    cell.load_state_dict({
        "weight_ih": torch.cat([state[f"{g}.weight"][:, :input_size] for g in order]),
        "weight_hh": torch.cat([state[f"{g}.weight"][:, input_size:] for g in order]),
        "bias_ih": torch.cat([state[f"{g}.bias"] for g in order]),
        "bias_hh": torch.zeros(4 * hidden_size, dtype=torch.float64),
    })
    return cell


@pytest.mark.parametrize("case", list(CASES))
def test_one_step(learner, reference, device, seed, case):
    expect_same(learner, reference, step, device, *make_inputs(case, seed), what="cell(x, (h, c))")


@pytest.mark.parametrize("case", ["basic", "square"])
def test_one_step_gradients(learner, reference, device, seed, case):
    expect_same(learner, reference, step_gradients, device, *make_inputs(case, seed), what="gradient")


@pytest.mark.parametrize("case", ["basic", "batch-of-one"])
def test_sequence(learner, reference, device, seed, case):
    expect_same(learner, reference, unrolled, device, *make_inputs(case, seed, steps=5),
                what="states and gradients over 5 steps")


def test_keeps_float32(learner, reference, device, seed):
    expect_same(learner, reference, step, device, *make_inputs("basic", seed, dtype=torch.float32),
                what="float32 (h_new, c_new)", check_dtype=True)


def test_equals_torch_lstm_cell(learner, seed):
    state, x, h, c, _ = make_inputs("basic", seed)
    got = learner.run(guarded_step, state, x, h, c)
    with torch.no_grad():
        h_new, c_new = torch_lstm_cell(state)(x, (h, c))
    assert_same(got, {"h_new": h_new, "c_new": c_new},
                what="cell(x, (h, c)) against nn.LSTMCell with the same weights")
