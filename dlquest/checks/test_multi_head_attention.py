"""Check for `multi_head_attention`: the grader's weights are loaded into the learner's module (q_proj, k_proj,
v_proj, out_proj), and output and head-averaged weights are compared in float64 with the reference and with
torch's nn.MultiheadAttention(batch_first=True) holding the same weights (in_proj rows in the order q, k, v).
Masks use torch's convention: True = NOT allowed. No mask ever covers a whole row.
"""

import pytest
import torch

from dlquest.grader.checklib import Rule, assert_same, expect_same, scrub, to_device

# torch's multi-head attention: the fused operators and the Python ones (F.scaled_dot_product_attention stays
# allowed: the contract forbids only these).
RULE = Rule("nn.MultiheadAttention / F.multi_head_attention_forward",
            ops=[r"aten::_(native|triton)_multi_head_attention", r"aten::_transformer_encoder_layer_fwd"],
            python=["torch.nn.functional.multi_head_attention_forward", "torch.nn.MultiheadAttention",
                    "torch.ao.nn.quantizable.modules.activation"])

# name: (embed_dim, num_heads, batch, L, S, key padding?, causal?)
CASES = {
    "self": (8, 2, 2, 5, 5, False, False),
    "three-heads": (12, 3, 3, 4, 4, False, False),
    "one-head": (6, 1, 2, 3, 3, False, False),
    "cross": (8, 4, 2, 3, 6, False, False),
    "key-padding": (8, 2, 3, 4, 6, True, False),
    "causal": (8, 2, 2, 5, 5, False, True),
    "causal-and-padding": (12, 3, 3, 5, 5, True, True),
}
PROJECTIONS = ["q_proj", "k_proj", "v_proj", "out_proj"]


def make_case(case, seed):
    embed_dim, heads, batch, L, S, padded, causal = CASES[case]
    g = torch.Generator().manual_seed(seed + sum(map(ord, case)))
    state = {}
    for name in PROJECTIONS:
        state[f"{name}.weight"] = 0.6 * torch.randn(embed_dim, embed_dim, generator=g, dtype=torch.float64)
        state[f"{name}.bias"] = 0.3 * torch.randn(embed_dim, generator=g, dtype=torch.float64)
    query = torch.randn(batch, L, embed_dim, generator=g, dtype=torch.float64)
    if L == S and not case.startswith("cross"):
        key = value = query
    else:
        key = torch.randn(batch, S, embed_dim, generator=g, dtype=torch.float64)
        value = torch.randn(batch, S, embed_dim, generator=g, dtype=torch.float64)
    padding = None
    if padded:  # True = padding; at least the first key of each sequence is real
        lengths = torch.randint(1, S + 1, (batch,), generator=g)
        lengths[0] = max(1, S - 2)
        padding = torch.arange(S)[None, :] >= lengths[:, None]
    attn_mask = torch.ones(L, S, dtype=torch.bool).triu(1) if causal else None
    return (embed_dim, heads), state, query, key, value, padding, attn_mask


def loaded(module, device, sizes, state):
    model = module.MultiHeadAttention(*sizes).double()
    model.load_state_dict(state)
    return model.to(device)


def names_and_shapes(module, sizes):
    model = module.MultiHeadAttention(*sizes)
    return {
        "num_heads": getattr(model, "num_heads", "missing"),
        "head_dim": getattr(model, "head_dim", "missing"),
        "parameters": {name: list(p.shape) for name, p in model.named_parameters()},
    }


def attend(module, device, sizes, state, query, key, value, padding, attn_mask):
    model = loaded(module, device, sizes, state)
    query, key, value, padding, attn_mask = to_device(device, query, key, value, padding, attn_mask)
    output, weights = model(query, key, value, key_padding_mask=padding, attn_mask=attn_mask)
    return {"output": output, "averaged weights": weights}


def gradients(module, device, sizes, state, query, key, value, padding, attn_mask):
    model = loaded(module, device, sizes, state)
    query = query.detach().clone().to(device).requires_grad_(True)
    output, weights = model(query, query, query, key_padding_mask=to_device(device, padding),
                            attn_mask=to_device(device, attn_mask))
    g = torch.Generator().manual_seed(4)
    loss = (output * torch.randn(output.shape, generator=g, dtype=output.dtype).to(device)).sum()
    loss = loss + (weights * torch.randn(weights.shape, generator=g, dtype=weights.dtype).to(device)).sum()
    loss.backward()
    grads = {name: (p.grad if p.grad is not None else "no gradient") for name, p in model.named_parameters()}
    grads["query"] = query.grad if query.grad is not None else "no gradient"
    return grads


def guarded(module, sizes, state, query, key, value, padding, attn_mask):
    return attend(module, "cpu", sizes, state, query, key, value, padding, attn_mask)  # under the RULE


def torch_mha(sizes, state, query, key, value, padding, attn_mask):
    mha = torch.nn.MultiheadAttention(*sizes, batch_first=True).double()
    mha.load_state_dict({
        "in_proj_weight": torch.cat([state["q_proj.weight"], state["k_proj.weight"], state["v_proj.weight"]]),
        "in_proj_bias": torch.cat([state["q_proj.bias"], state["k_proj.bias"], state["v_proj.bias"]]),
        "out_proj.weight": state["out_proj.weight"],
        "out_proj.bias": state["out_proj.bias"],
    })
    mha.eval()
    output, weights = mha(query, key, value, key_padding_mask=padding, attn_mask=attn_mask, need_weights=True,
                          average_attn_weights=True)
    return {"output": output.detach(), "averaged weights": weights.detach()}


def make_causal(module, size):
    return module.causal_mask(size)


def test_parameter_names_and_shapes(learner, reference):
    expect_same(learner, reference, names_and_shapes, (12, 3), what="MultiHeadAttention(12, 3)")


@pytest.mark.parametrize("case", ["self", "three-heads", "one-head", "cross"])
def test_attention_without_masks(learner, reference, device, seed, case):
    expect_same(learner, reference, attend, device, *make_case(case, seed), what="(output, weights)")


@pytest.mark.parametrize("case", ["key-padding", "causal", "causal-and-padding"])
def test_attention_with_masks(learner, reference, device, seed, case):
    expect_same(learner, reference, attend, device, *make_case(case, seed), what="(output, weights) with masks")


@pytest.mark.parametrize("case", ["three-heads", "cross", "causal-and-padding"])
def test_equals_nn_multihead_attention(learner, device, seed, case):
    args = make_case(case, seed)
    got = learner.run(attend, device, *args, device=device)
    expected = torch_mha(*args)
    try:
        notes = assert_same(got, expected, what="(output, weights), compared with nn.MultiheadAttention")
    finally:
        scrub(expected)
    learner.note(*notes)


@pytest.mark.parametrize("case", ["self", "causal-and-padding"])
def test_gradients(learner, reference, device, seed, case):
    expect_same(learner, reference, gradients, device, *make_case(case, seed), what="gradient")


@pytest.mark.parametrize("size", [1, 5])
def test_causal_mask(learner, reference, size):
    expect_same(learner, reference, make_causal, size, what=f"causal_mask({size})", check_dtype=True)


def test_does_not_call_torch_multi_head_attention(learner, reference, seed):
    expect_same(learner, reference, guarded, *make_case("causal", seed), what="(output, weights)")
