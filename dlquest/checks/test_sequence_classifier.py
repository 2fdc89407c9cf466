"""Check for `sequence_classifier`: an LSTM (batch first) and a linear layer on the last time step.

The grader builds a state_dict itself with the names the stub fixes (lstm.weight_ih_l0, …, fc.weight, fc.bias)
and loads it into the learner's model, so nothing depends on initialisation. Batch size and sequence length
always differ, so treating the batch as time shows. Values and gradients are compared in float64.
"""

import pytest
import torch

from dlquest.grader.checklib import expect_same, to_device

# name: (input_size, hidden_size, num_layers, num_classes, batch, time)
CASES = {
    "one-layer": (3, 5, 1, 4, 2, 6),
    "two-layers": (4, 6, 2, 3, 3, 5),
    "batch-of-one": (2, 4, 2, 2, 1, 7),
}


def sizes(case):
    return CASES[case][:4]


def make_state(case, seed, dtype=torch.float64):
    input_size, hidden_size, num_layers, num_classes, _, _ = CASES[case]
    generator = torch.Generator().manual_seed(seed + sum(map(ord, case)))
    state = {}
    for layer in range(num_layers):
        n_in = input_size if layer == 0 else hidden_size
        state[f"lstm.weight_ih_l{layer}"] = torch.randn(4 * hidden_size, n_in, generator=generator, dtype=dtype) * 0.6
        state[f"lstm.weight_hh_l{layer}"] = torch.randn(4 * hidden_size, hidden_size, generator=generator,
                                                         dtype=dtype) * 0.6
        state[f"lstm.bias_ih_l{layer}"] = torch.randn(4 * hidden_size, generator=generator, dtype=dtype) * 0.4
        state[f"lstm.bias_hh_l{layer}"] = torch.randn(4 * hidden_size, generator=generator, dtype=dtype) * 0.4
    state["fc.weight"] = torch.randn(num_classes, hidden_size, generator=generator, dtype=dtype)
    state["fc.bias"] = torch.randn(num_classes, generator=generator, dtype=dtype)
    return state


def make_inputs(case, seed, dtype=torch.float64):
    input_size, _, _, num_classes, batch, time = CASES[case]
    generator = torch.Generator().manual_seed(seed + 7 + sum(map(ord, case)))
    x = torch.randn(batch, time, input_size, generator=generator, dtype=dtype)
    upstream = torch.randn(batch, num_classes, generator=generator, dtype=dtype)
    return sizes(case), make_state(case, seed, dtype), x, upstream


def names_and_shapes(module, sizes):
    model = module.SequenceClassifier(*sizes)
    return {name: list(p.shape) for name, p in model.named_parameters()}


def loaded(module, device, sizes, state):
    model = module.SequenceClassifier(*sizes).to(state["fc.weight"].dtype)
    model.load_state_dict(state)
    return model.to(device)


def forward(module, device, sizes, state, x, upstream):
    model = loaded(module, device, sizes, state)
    return model(to_device(device, x))


def gradients(module, device, sizes, state, x, upstream):
    model = loaded(module, device, sizes, state)
    x, upstream = to_device(device, x, upstream)
    x = x.detach().requires_grad_(True)
    (model(x) * upstream).sum().backward()
    out = {"x": x.grad}
    out.update({name: p.grad for name, p in model.named_parameters()})
    return {name: (g if g is not None else "no gradient") for name, g in out.items()}


def only_the_last_step_counts(module, device, sizes, state, x, upstream):
    """Changing every step but the last must change the logits; the logits' shape stays (batch, classes)."""
    model = loaded(module, device, sizes, state)
    x = to_device(device, x)
    changed = x.clone()
    changed[:, :-1] = -changed[:, :-1]
    with torch.no_grad():
        return {"logits": model(x), "logits with earlier steps negated": model(changed)}


@pytest.mark.parametrize("case", list(CASES))
def test_parameter_names_and_shapes(learner, reference, case):
    expect_same(learner, reference, names_and_shapes, sizes(case), what="parameters of SequenceClassifier"
                f"{sizes(case)}")


@pytest.mark.parametrize("case", list(CASES))
def test_logits(learner, reference, device, seed, case):
    expect_same(learner, reference, forward, device, *make_inputs(case, seed), what="logits = model(x)")


@pytest.mark.parametrize("case", ["one-layer", "two-layers"])
def test_gradients(learner, reference, device, seed, case):
    expect_same(learner, reference, gradients, device, *make_inputs(case, seed), what="gradient")


def test_uses_the_whole_sequence(learner, reference, device, seed):
    expect_same(learner, reference, only_the_last_step_counts, device, *make_inputs("two-layers", seed),
                what="logits")
