"""Check for `transformer_block`: the grader's weights (names as in nn.TransformerEncoderLayer) are loaded into the
learner's block; in eval mode the output is compared in float64 with the reference and with torch's
nn.TransformerEncoderLayer(norm_first=True, batch_first=True, activation="relu") holding the same weights,
with and without masks (torch's convention: True = NOT allowed). Gradients are compared with dropout 0 in
training mode; with dropout > 0 training mode must differ from eval mode. Positional encodings in float32.
"""

import pytest
import torch

from dlquest.grader.checklib import assert_same, expect_same, scrub, to_device

# name: (d_model, num_heads, d_ff, batch, seq_len, key padding?, causal?)
CASES = {
    "small": (8, 2, 16, 2, 5, False, False),
    "three-heads": (12, 3, 20, 3, 4, False, False),
    "key-padding": (8, 4, 12, 3, 6, True, False),
    "causal": (8, 2, 16, 2, 5, False, True),
}


def torch_layer(d_model, heads, d_ff, dropout=0.0):
    return torch.nn.TransformerEncoderLayer(d_model, heads, d_ff, dropout, activation="relu", batch_first=True,
                                            norm_first=True, dtype=torch.float64)


def make_case(case, seed, dropout=0.2):
    d_model, heads, d_ff, batch, length, padded, causal = CASES[case]
    g = torch.Generator().manual_seed(seed + sum(map(ord, case)))
    state = {}
    for name, value in torch_layer(d_model, heads, d_ff).state_dict().items():
        noise = torch.randn(value.shape, generator=g, dtype=torch.float64)
        state[name] = 1.0 + 0.3 * noise if name.startswith("norm") and name.endswith("weight") else 0.5 * noise
    x = 2.0 * torch.randn(batch, length, d_model, generator=g, dtype=torch.float64) + 0.5
    padding = None
    if padded:
        lengths = torch.randint(1, length + 1, (batch,), generator=g)
        lengths[0] = max(1, length - 2)
        padding = torch.arange(length)[None, :] >= lengths[:, None]
    attn_mask = torch.ones(length, length, dtype=torch.bool).triu(1) if causal else None
    return (d_model, heads, d_ff, dropout), state, x, attn_mask, padding


def loaded(module, device, sizes, state):
    block = module.TransformerEncoderBlock(*sizes).double()
    block.load_state_dict(state)
    return block.to(device)


def structure(module, sizes):
    block = module.TransformerEncoderBlock(*sizes)
    kinds = (torch.nn.TransformerEncoderLayer, torch.nn.TransformerEncoder)
    return {
        "built from nn.TransformerEncoderLayer": any(isinstance(m, kinds) for m in block.modules()),
        "submodules": {name: type(m).__name__ for name, m in block.named_children()},
        "dropout probabilities": {name: m.p for name, m in block.named_children()
                                  if isinstance(m, torch.nn.Dropout)},
        "state_dict": {name: list(t.shape) for name, t in block.state_dict().items()},
    }


def evaluate(module, device, sizes, state, x, attn_mask, padding):
    block = loaded(module, device, sizes, state).eval()
    x, attn_mask, padding = to_device(device, x, attn_mask, padding)
    return block(x, attn_mask=attn_mask, key_padding_mask=padding)


def train_without_dropout(module, device, sizes, state, x, attn_mask, padding):
    block = loaded(module, device, sizes[:3] + (0.0,), state).train()
    x = x.detach().clone().to(device).requires_grad_(True)
    out = block(x, attn_mask=to_device(device, attn_mask), key_padding_mask=to_device(device, padding))
    upstream = torch.randn(out.shape, generator=torch.Generator().manual_seed(6), dtype=out.dtype).to(device)
    (out * upstream).sum().backward()
    grads = {name: (p.grad if p.grad is not None else "no gradient") for name, p in block.named_parameters()}
    return {"output": out.detach(), "x gradient": x.grad if x.grad is not None else "no gradient",
            "parameter gradients": grads}


def dropout_in_training(module, device, sizes, state, x, attn_mask, padding):
    block = loaded(module, device, sizes[:3] + (0.5,), state)
    x = to_device(device, x)
    torch.manual_seed(0)
    with torch.no_grad():
        first, second = block.train()(x), block(x)
        evaluated = block.eval()(x)
    return {"training output differs from eval output": not torch.equal(first, evaluated),
            "two training calls differ": not torch.equal(first, second)}


def positional(module, max_len, d_model):
    return module.sinusoidal_positional_encoding(max_len, d_model)


def test_structure_and_parameter_names(learner, reference):
    expect_same(learner, reference, structure, (12, 3, 20, 0.25), what="TransformerEncoderBlock(12, 3, 20, 0.25)")


@pytest.mark.parametrize("case", list(CASES))
def test_eval_output_with_given_weights(learner, reference, device, seed, case):
    expect_same(learner, reference, evaluate, device, *make_case(case, seed), what="block(x) in eval mode")


@pytest.mark.parametrize("case", ["three-heads", "key-padding", "causal"])
def test_equals_nn_transformer_encoder_layer(learner, device, seed, case):
    sizes, state, x, attn_mask, padding = make_case(case, seed)
    got = learner.run(evaluate, device, sizes, state, x, attn_mask, padding, device=device)
    layer = torch_layer(*sizes)
    layer.load_state_dict(state)
    expected = layer.eval()(x, src_mask=attn_mask, src_key_padding_mask=padding).detach()
    try:
        notes = assert_same(got, expected, what="block(x), compared with nn.TransformerEncoderLayer(norm_first=True)")
    finally:
        scrub(expected)
    learner.note(*notes)


@pytest.mark.parametrize("case", ["small", "key-padding"])
def test_training_mode_output_and_gradients(learner, reference, device, seed, case):
    expect_same(learner, reference, train_without_dropout, device, *make_case(case, seed),
                what="training mode with dropout 0")


def test_dropout_is_active_in_training_mode(learner, reference, device, seed):
    expect_same(learner, reference, dropout_in_training, device, *make_case("small", seed), what="dropout")


@pytest.mark.parametrize("max_len, d_model", [(50, 16), (7, 4), (1, 2)])
def test_sinusoidal_positional_encoding(learner, reference, max_len, d_model):
    expect_same(learner, reference, positional, max_len, d_model,
                what=f"sinusoidal_positional_encoding({max_len}, {d_model})", check_dtype=True)
