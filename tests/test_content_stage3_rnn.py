"""Stage 3, unit `recurrent-networks`: every exercise's check discriminates; the lessons are sound.

For each exercise: the untouched stub fails, the reference solution passes, typical wrong implementations
fail on the test aimed at their mistake with a meaningful feedback code, and correct implementations
written differently from the reference pass. Graded on the CPU through `grade_source` (tests/conftest.py).
The reference solutions are also compared with PyTorch's own cells directly.
"""

from __future__ import annotations

from textwrap import dedent

import pytest
import torch

from discrimination import Cases, Wrong, four_way_tests, load_solution, variant

# === rnn_cell ==============================================================================================
RNN = dedent('''
    import torch
    import torch.nn as nn


    class RNNCell(nn.Module):
        def __init__(self, input_size, hidden_size):
            super().__init__()
            self.input_size = input_size
            self.hidden_size = hidden_size
            self.W_ih = nn.Linear(input_size, hidden_size)
            self.W_hh = nn.Linear(hidden_size, hidden_size)

        def forward(self, x, h=None):
            if h is None:
                h = x.new_zeros(x.shape[0], self.hidden_size)
            return torch.tanh(self.W_ih(x) + self.W_hh(h))
''')

RNN_STEP = "test_one_step[cpu-basic]"
RNN_GRADS = "test_one_step_gradients[cpu-basic]"
RNN_BPTT = "test_sequence_backpropagates_through_time[cpu-basic]"

RNN_WRONG = {
    # The sigmoid instead of tanh: every value moves into (0, 1).
    "sigmoid_instead_of_tanh": Wrong(
        fails={RNN_STEP: "value_mismatch", "test_equals_torch_rnn_cell": "value_mismatch"},
        source=variant(RNN, ("torch.tanh(", "torch.sigmoid(")),
    ),
    # Only the input bias: W_hh's bias never enters (and gets no gradient).
    "hidden_bias_forgotten": Wrong(
        fails={RNN_STEP: "value_mismatch", RNN_GRADS: "value_mismatch"},
        source=variant(RNN, ("self.W_hh(h)", "h @ self.W_hh.weight.T")),
    ),
    # The state is detached: the values are right, but nothing flows back to earlier steps.
    "state_detached": Wrong(
        fails={RNN_GRADS: "type_mismatch", RNN_BPTT: "value_mismatch"},
        source=variant(RNN, ("self.W_hh(h)", "self.W_hh(h.detach())")),
    ),
    # No zero state for h=None: the cell crashes.
    "none_not_handled": Wrong(
        fails={"test_none_means_a_zero_state[cpu]": "exception"},
        only=True,
        source=variant(RNN, ("        if h is None:\n            h = x.new_zeros(x.shape[0], self.hidden_size)\n",
                             "")),
    ),
    # The nonlinearity applied to each term separately.
    "tanh_of_each_term": Wrong(
        fails={RNN_STEP: "value_mismatch"},
        source=variant(RNN, ("torch.tanh(self.W_ih(x) + self.W_hh(h))",
                             "torch.tanh(self.W_ih(x)) + torch.tanh(self.W_hh(h))")),
    ),
    # Hands the work to PyTorch's own cell: right numbers, but the grader notices. A forbidden operator raises
    # wherever it is called (the check's RULE), so every test that runs the cell fails with `forbidden`.
    "calls_torch_rnn_cell": Wrong(
        fails=dict.fromkeys([f"test_one_step[cpu-{case}]" for case in ("basic", "batch-of-one", "square")]
                            + ["test_none_means_a_zero_state[cpu]", "test_one_step_gradients[cpu-basic]",
                               "test_one_step_gradients[cpu-square]",
                               "test_sequence_backpropagates_through_time[cpu-basic]",
                               "test_sequence_backpropagates_through_time[cpu-batch-of-one]",
                               "test_keeps_float32[cpu]", "test_equals_torch_rnn_cell"], "forbidden"),
        only=True,
        source=variant(RNN, ("        return torch.tanh(self.W_ih(x) + self.W_hh(h))\n",
                             "        return torch.rnn_tanh_cell(x, h, self.W_ih.weight, self.W_hh.weight,\n"
                             "                                       self.W_ih.bias, self.W_hh.bias)\n")),
    ),
}

RNN_CORRECT = {
    # Matrix products written out, zeros with an explicit dtype and device, tanh from its definition.
    "explicit_matmuls": dedent('''
        import torch
        import torch.nn as nn


        class RNNCell(nn.Module):
            def __init__(self, input_size, hidden_size):
                super().__init__()
                self.input_size = input_size
                self.hidden_size = hidden_size
                self.W_ih = nn.Linear(input_size, hidden_size)
                self.W_hh = nn.Linear(hidden_size, hidden_size)

            def forward(self, x, h=None):
                if h is None:
                    h = torch.zeros(len(x), self.hidden_size, dtype=x.dtype, device=x.device)
                a = x @ self.W_ih.weight.t() + self.W_ih.bias + h @ self.W_hh.weight.t() + self.W_hh.bias
                return 2 * torch.sigmoid(2 * a) - 1
    '''),
}


def test_rnn_cell_solution_equals_torch_over_a_sequence(course):
    torch.manual_seed(0)
    mine = load_solution(course, "rnn_cell").RNNCell(3, 4).double()
    theirs = torch.nn.RNN(3, 4, batch_first=True).double()
    theirs.load_state_dict({"weight_ih_l0": mine.W_ih.weight, "bias_ih_l0": mine.W_ih.bias,
                            "weight_hh_l0": mine.W_hh.weight, "bias_hh_l0": mine.W_hh.bias})
    xs = torch.randn(2, 7, 3, dtype=torch.float64)
    h, states = None, []
    for t in range(7):
        h = mine(xs[:, t], h)
        states.append(h)
    output, h_n = theirs(xs)
    torch.testing.assert_close(torch.stack(states, dim=1), output)
    torch.testing.assert_close(h, h_n[0])


# === lstm_cell =============================================================================================
LSTM = dedent('''
    import torch
    import torch.nn as nn


    class LSTMCell(nn.Module):
        def __init__(self, input_size, hidden_size):
            super().__init__()
            self.input_size = input_size
            self.hidden_size = hidden_size
            self.W_f = nn.Linear(input_size + hidden_size, hidden_size)
            self.W_i = nn.Linear(input_size + hidden_size, hidden_size)
            self.W_C = nn.Linear(input_size + hidden_size, hidden_size)
            self.W_o = nn.Linear(input_size + hidden_size, hidden_size)

        def forward(self, x, state):
            h, c = state
            v = torch.cat([x, h], dim=1)
            f = torch.sigmoid(self.W_f(v))
            i = torch.sigmoid(self.W_i(v))
            c_tilde = torch.tanh(self.W_C(v))
            o = torch.sigmoid(self.W_o(v))
            c_new = f * c + i * c_tilde
            h_new = o * torch.tanh(c_new)
            return h_new, c_new
''')

LSTM_WRONG = {
    # [h, x] instead of [x, h]: the widths add up the same, but each weight column meets the wrong value.
    "concatenates_h_first": Wrong(
        fails={"test_one_step[cpu-basic]": "value_mismatch", "test_one_step[cpu-square]": "value_mismatch"},
        source=variant(LSTM, ("torch.cat([x, h], dim=1)", "torch.cat([h, x], dim=1)")),
    ),
    # h_new from the cell state without the tanh.
    "no_tanh_on_the_cell_state": Wrong(
        fails={"test_one_step[cpu-basic]": "value_mismatch", "test_equals_torch_lstm_cell": "value_mismatch"},
        source=variant(LSTM, ("h_new = o * torch.tanh(c_new)", "h_new = o * c_new")),
    ),
    # h_new from the candidate instead of the new cell state.
    "tanh_of_the_candidate": Wrong(
        fails={"test_one_step[cpu-basic]": "value_mismatch", "test_sequence[cpu-basic]": "value_mismatch"},
        source=variant(LSTM, ("h_new = o * torch.tanh(c_new)", "h_new = o * c_tilde")),
    ),
    # Forget and input gates swapped (W_f used as the input gate).
    "forget_and_input_swapped": Wrong(
        fails={"test_one_step[cpu-basic]": "value_mismatch", "test_equals_torch_lstm_cell": "value_mismatch"},
        source=variant(LSTM, ("f = torch.sigmoid(self.W_f(v))", "f = torch.sigmoid(self.W_i(v))"),
                       ("i = torch.sigmoid(self.W_i(v))", "i = torch.sigmoid(self.W_f(v))")),
    ),
    # The old cell state returned: the memory never changes.
    "returns_the_old_cell_state": Wrong(
        fails={"test_one_step[cpu-basic]": "value_mismatch"},
        source=variant(LSTM, ("return h_new, c_new", "return h_new, c")),
    ),
    # Calls torch.lstm_cell: right numbers, but the grader notices. A forbidden operator raises wherever it is
    # called (the check's RULE), so every test that runs the cell fails with `forbidden`.
    "calls_torch_lstm_cell": Wrong(
        fails=dict.fromkeys([f"test_one_step[cpu-{case}]" for case in ("basic", "batch-of-one", "square")]
                            + ["test_one_step_gradients[cpu-basic]", "test_one_step_gradients[cpu-square]",
                               "test_sequence[cpu-basic]", "test_sequence[cpu-batch-of-one]",
                               "test_keeps_float32[cpu]", "test_equals_torch_lstm_cell"], "forbidden"),
        only=True,
        source=variant(LSTM, ("        h_new = o * torch.tanh(c_new)\n        return h_new, c_new\n",
                              "        n = self.input_size\n"
                              "        order = [self.W_i, self.W_f, self.W_C, self.W_o]\n"
                              "        w_ih = torch.cat([g.weight[:, :n] for g in order])\n"
                              "        w_hh = torch.cat([g.weight[:, n:] for g in order])\n"
                              "        b = torch.cat([g.bias for g in order])\n"
                              "        zero = torch.zeros_like(b)\n"
                              "        return tuple(torch.lstm_cell(x, (h, c), w_ih, w_hh, b, zero))\n")),
    ),
}

LSTM_CORRECT = {
    # One matrix product for all four gates, split afterwards; the state passed as a list is fine too.
    "one_fused_product": dedent('''
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        class LSTMCell(nn.Module):
            def __init__(self, input_size, hidden_size):
                super().__init__()
                self.input_size = input_size
                self.hidden_size = hidden_size
                self.W_f = nn.Linear(input_size + hidden_size, hidden_size)
                self.W_i = nn.Linear(input_size + hidden_size, hidden_size)
                self.W_C = nn.Linear(input_size + hidden_size, hidden_size)
                self.W_o = nn.Linear(input_size + hidden_size, hidden_size)

            def forward(self, x, state):
                h_prev, c_prev = state[0], state[1]
                layers = (self.W_f, self.W_i, self.W_C, self.W_o)
                weight = torch.cat([layer.weight for layer in layers], dim=0)
                bias = torch.cat([layer.bias for layer in layers], dim=0)
                gates = F.linear(torch.hstack((x, h_prev)), weight, bias)
                f, i, g, o = gates.chunk(4, dim=1)
                c = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
                return torch.sigmoid(o) * torch.tanh(c), c
    '''),
}


def test_lstm_cell_solution_equals_torch_lstm_over_a_sequence(course):
    """nn.LSTM with the gate weights stacked as (i, f, g, o) and split into x and h columns."""
    torch.manual_seed(1)
    n_in, n_h = 3, 4
    mine = load_solution(course, "lstm_cell").LSTMCell(n_in, n_h).double()
    theirs = torch.nn.LSTM(n_in, n_h, batch_first=True).double()
    order = (mine.W_i, mine.W_f, mine.W_C, mine.W_o)
    theirs.load_state_dict({
        "weight_ih_l0": torch.cat([g.weight[:, :n_in] for g in order]),
        "weight_hh_l0": torch.cat([g.weight[:, n_in:] for g in order]),
        "bias_ih_l0": torch.cat([g.bias for g in order]),
        "bias_hh_l0": torch.zeros(4 * n_h, dtype=torch.float64),
    })
    xs = torch.randn(2, 6, n_in, dtype=torch.float64)
    h = c = torch.zeros(2, n_h, dtype=torch.float64)
    states = []
    for t in range(6):
        h, c = mine(xs[:, t], (h, c))
        states.append(h)
    output, (h_n, c_n) = theirs(xs)
    torch.testing.assert_close(torch.stack(states, dim=1), output)
    torch.testing.assert_close(c, c_n[0])


# === gru_cell ==============================================================================================
GRU = dedent('''
    import torch
    import torch.nn as nn


    class GRUCell(nn.Module):
        def __init__(self, input_size, hidden_size):
            super().__init__()
            self.input_size = input_size
            self.hidden_size = hidden_size
            self.W_r = nn.Linear(hidden_size + input_size, hidden_size)
            self.W_z = nn.Linear(hidden_size + input_size, hidden_size)
            self.W_h = nn.Linear(hidden_size + input_size, hidden_size)

        def forward(self, x, h):
            hx = torch.cat([h, x], dim=1)
            r = torch.sigmoid(self.W_r(hx))
            z = torch.sigmoid(self.W_z(hx))
            h_tilde = torch.tanh(self.W_h(torch.cat([r * h, x], dim=1)))
            return (1 - z) * h + z * h_tilde
''')

GRU_WRONG = {
    # torch.nn.GRUCell's convention: z keeps the old state instead of taking the candidate.
    "torch_convention_for_z": Wrong(
        fails={"test_one_step[cpu-basic]": "value_mismatch",
               "test_update_gate_closed_keeps_the_old_state[cpu]": "value_mismatch",
               "test_update_gate_open_takes_the_candidate[cpu]": "value_mismatch"},
        source=variant(GRU, ("return (1 - z) * h + z * h_tilde", "return (1 - z) * h_tilde + z * h")),
    ),
    # [x, h] instead of [h, x] (the outline's code does this): each weight column meets the wrong value.
    "concatenates_x_first": Wrong(
        fails={"test_one_step[cpu-basic]": "value_mismatch", "test_one_step[cpu-square]": "value_mismatch"},
        source=variant(GRU, ("hx = torch.cat([h, x], dim=1)", "hx = torch.cat([x, h], dim=1)"),
                       ("torch.cat([r * h, x], dim=1)", "torch.cat([x, r * h], dim=1)")),
    ),
    # The reset gate applied after the hidden matrix product, as torch does.
    "reset_after_the_product": Wrong(
        fails={"test_one_step[cpu-basic]": "value_mismatch", "test_sequence[cpu-basic]": "value_mismatch"},
        source=variant(GRU, ("h_tilde = torch.tanh(self.W_h(torch.cat([r * h, x], dim=1)))",
                             "H = self.hidden_size\n"
                             "        h_tilde = torch.tanh(r * (h @ self.W_h.weight[:, :H].T)"
                             " + x @ self.W_h.weight[:, H:].T + self.W_h.bias)")),
    ),
    # The reset gate forgotten: the old state always enters the candidate whole.
    "no_reset_gate": Wrong(
        fails={"test_reset_gate_closed_hides_the_old_state[cpu]": "value_mismatch"},
        source=variant(GRU, ("torch.cat([r * h, x], dim=1)", "torch.cat([h, x], dim=1)")),
    ),
    # Calls PyTorch's GRU cell (with whatever weights): the grader notices.
    "calls_torch_gru_cell": Wrong(
        fails={"test_does_not_call_a_builtin_gru": "forbidden"},
        source=variant(GRU, ("        return (1 - z) * h + z * h_tilde\n",
                             "        H = self.hidden_size\n"
                             "        w = torch.cat([self.W_r.weight, self.W_z.weight, self.W_h.weight])\n"
                             "        b = torch.cat([self.W_r.bias, self.W_z.bias, self.W_h.bias])\n"
                             "        return torch.gru_cell(x, h, w[:, H:], w[:, :H], b, torch.zeros_like(b))\n")),
    ),
}

GRU_CORRECT = {
    # The weights split into their h and x columns by hand; h + z ⊙ (h̃ − h) for the mix.
    "split_weights": dedent('''
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        class GRUCell(nn.Module):
            def __init__(self, input_size, hidden_size):
                super().__init__()
                self.input_size = input_size
                self.hidden_size = hidden_size
                self.W_r = nn.Linear(hidden_size + input_size, hidden_size)
                self.W_z = nn.Linear(hidden_size + input_size, hidden_size)
                self.W_h = nn.Linear(hidden_size + input_size, hidden_size)

            def _affine(self, layer, h_part, x):
                n = self.hidden_size
                return F.linear(h_part, layer.weight[:, :n]) + F.linear(x, layer.weight[:, n:], layer.bias)

            def forward(self, x, h):
                r = torch.sigmoid(self._affine(self.W_r, h, x))
                z = torch.sigmoid(self._affine(self.W_z, h, x))
                candidate = torch.tanh(self._affine(self.W_h, r * h, x))
                return h + z * (candidate - h)
    '''),
}


def test_gru_cell_solution_equals_torch_when_the_reset_gate_is_open(course):
    """With r ≡ 1 the two forms agree once torch's z is 1 − z (negated weights) and the columns are split."""
    torch.manual_seed(2)
    n_in, n_h = 3, 4
    mine = load_solution(course, "gru_cell").GRUCell(n_in, n_h).double()
    with torch.no_grad():
        mine.W_r.weight.zero_()
        mine.W_r.bias.fill_(60.0)
    theirs = torch.nn.GRUCell(n_in, n_h).double()
    zeros = torch.zeros(n_h, dtype=torch.float64)
    theirs.load_state_dict({
        "weight_ih": torch.cat([mine.W_r.weight[:, n_h:], -mine.W_z.weight[:, n_h:], mine.W_h.weight[:, n_h:]]),
        "weight_hh": torch.cat([mine.W_r.weight[:, :n_h], -mine.W_z.weight[:, :n_h], mine.W_h.weight[:, :n_h]]),
        "bias_ih": torch.cat([mine.W_r.bias, -mine.W_z.bias, mine.W_h.bias]),
        "bias_hh": torch.cat([zeros, zeros, zeros]),
    })
    x, h = torch.randn(5, n_in, dtype=torch.float64), torch.randn(5, n_h, dtype=torch.float64)
    torch.testing.assert_close(mine(x, h), theirs(x, h))


# === sequence_classifier ===================================================================================
CLASSIFIER = dedent('''
    import torch
    import torch.nn as nn


    class SequenceClassifier(nn.Module):
        def __init__(self, input_size, hidden_size, num_layers, num_classes):
            super().__init__()
            self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
            self.fc = nn.Linear(hidden_size, num_classes)

        def forward(self, x):
            output, (h_n, c_n) = self.lstm(x)
            return self.fc(output[:, -1])
''')

LOGITS = "test_logits[cpu-one-layer]"

CLASSIFIER_WRONG = {
    # The first time step: it has seen only one element of the sequence.
    "first_time_step": Wrong(
        fails={LOGITS: "value_mismatch", "test_gradients[cpu-one-layer]": "value_mismatch"},
        source=variant(CLASSIFIER, ("output[:, -1]", "output[:, 0]")),
    ),
    # batch_first forgotten: the LSTM reads the batch as time; the shapes happen to survive.
    "batch_first_forgotten": Wrong(
        fails={LOGITS: "value_mismatch"},
        source=variant(CLASSIFIER, (", batch_first=True)", ")")),
    ),
    # batch_first forgotten and h_n used: one row per time step instead of per sequence.
    "batch_first_forgotten_with_h_n": Wrong(
        fails={LOGITS: "shape_mismatch"},
        source=variant(CLASSIFIER, (", batch_first=True)", ")"), ("output[:, -1]", "h_n[-1]")),
    ),
    # The first layer's final state: right for one layer, wrong when layers are stacked.
    "h_n_of_the_first_layer": Wrong(
        fails={"test_logits[cpu-two-layers]": "value_mismatch"},
        source=variant(CLASSIFIER, ("output[:, -1]", "h_n[0]")),
    ),
    # Probabilities instead of raw logits.
    "softmax_on_the_logits": Wrong(
        fails={LOGITS: "value_mismatch"},
        source=variant(CLASSIFIER, ("return self.fc(output[:, -1])", "return self.fc(output[:, -1]).softmax(dim=1)")),
    ),
    # A bidirectional LSTM: twice the parameters, and a different layout.
    "bidirectional": Wrong(
        fails={"test_parameter_names_and_shapes[one-layer]": "keys_mismatch"},
        source=variant(CLASSIFIER, ("batch_first=True)", "batch_first=True, bidirectional=True)"),
                       ("nn.Linear(hidden_size, num_classes)", "nn.Linear(2 * hidden_size, num_classes)")),
    ),
}

CLASSIFIER_CORRECT = {
    # Zero states passed explicitly and the top layer of h_n used.
    "explicit_state_and_h_n": dedent('''
        import torch
        from torch import nn


        class SequenceClassifier(nn.Module):
            def __init__(self, input_size, hidden_size, num_layers, num_classes):
                super(SequenceClassifier, self).__init__()
                self.num_layers, self.hidden_size = num_layers, hidden_size
                self.lstm = nn.LSTM(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers,
                                    batch_first=True)
                self.fc = nn.Linear(hidden_size, num_classes)

            def forward(self, x):
                shape = (self.num_layers, x.size(0), self.hidden_size)
                h0 = torch.zeros(shape, dtype=x.dtype, device=x.device)
                c0 = torch.zeros_like(h0)
                _, (h_n, _) = self.lstm(x, (h0, c0))
                return self.fc(h_n[-1])
    '''),
}


# === the grading tests ====================================================================================
CASES = {
    "rnn_cell": Cases(RNN_WRONG, RNN_CORRECT),
    "lstm_cell": Cases(LSTM_WRONG, LSTM_CORRECT),
    "gru_cell": Cases(GRU_WRONG, GRU_CORRECT),
    "sequence_classifier": Cases(CLASSIFIER_WRONG, CLASSIFIER_CORRECT),
}
(test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
 test_other_correct_implementation_passes) = four_way_tests(CASES)


# === lessons and manifest ==================================================================================
RNN_LESSONS = ["recurrent-networks", "lstm-gru"]
RNN_EXERCISES = {"rnn_cell": "recurrent-networks", "lstm_cell": "lstm-gru", "gru_cell": "lstm-gru",
                 "sequence_classifier": "lstm-gru"}


@pytest.mark.parametrize("lesson", RNN_LESSONS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rnn_lesson_page_is_terminal_markdown(course, lesson, lang):
    import re

    text = course.path(course.lessons[lesson].pages[lang]).read_text(encoding="utf-8")
    assert text.startswith("# "), "a page starts with its title"
    assert len(re.findall(r"^## ", text, flags=re.M)) >= 4, "sections for the table of contents"
    assert "$" not in text and "\\frac" not in text, "no LaTeX: Unicode math or code spans"
    assert not re.search(r"<(div|span|img|br|p|table|sub|sup)\b", text), "no HTML"
    assert "![" not in text, "no images"
    assert text.count("```") % 2 == 0, "code fences are closed"


@pytest.mark.parametrize("lesson", RNN_LESSONS)
def test_rnn_lesson_pages_have_the_same_outline(course, lesson):
    import re

    pages = {lang: course.path(course.lessons[lesson].pages[lang]).read_text(encoding="utf-8")
             for lang in ("en", "zh")}
    counts = {lang: (len(re.findall(r"^## ", text, flags=re.M)), len(re.findall(r"^### ", text, flags=re.M)),
                     text.count("```")) for lang, text in pages.items()}
    assert counts["en"] == counts["zh"], counts


# Three hints in both languages and a lesson: tested for the whole course in tests/test_lessons.py.
@pytest.mark.parametrize("exercise_id", list(RNN_EXERCISES))
def test_rnn_exercise_is_taught_by_its_lesson(course, exercise_id):
    assert course.exercises[exercise_id].lesson == RNN_EXERCISES[exercise_id]
