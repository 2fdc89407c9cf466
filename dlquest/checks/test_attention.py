"""Check for `attention`: additive attention weights and scaled dot-product attention, in float64, with and
without boolean masks (True = may attend). Values and gradients are compared with the reference; the
scaled dot-product output is also compared with torch's own F.scaled_dot_product_attention, which the learner
may not call. Masks never cover a whole row.
"""

import pytest
import torch
import torch.nn.functional as F

from dlquest.grader.checklib import ATTENTION_OPS, Rule, assert_same, expect_same, scrub, to_device

# Every fused attention operator, and the Python ones that return attention weights (multi-head attention
# with identity projections is this exercise; flex_attention's eager path computes it too).
RULE = Rule("F.scaled_dot_product_attention (or another built-in attention)", ops=[ATTENTION_OPS],
            python=["torch.nn.functional.multi_head_attention_forward", "torch.nn.MultiheadAttention",
                    "torch.ao.nn.quantizable.modules.activation", "torch._higher_order_ops.flex_attention"])


def generator_for(seed, case):
    return torch.Generator().manual_seed(seed + sum(map(ord, case)))


def random_mask(shape, g):
    """A boolean mask (True = may attend) with at least one True in every row of the last dimension."""
    mask = torch.rand(shape, generator=g) < 0.6
    keep = torch.randint(0, shape[-1], shape[:-1], generator=g)
    return mask | torch.nn.functional.one_hot(keep, shape[-1]).bool()


# --- additive attention -----------------------------------------------------------------------------------
# name: (batch, n, d_q, d_k, d_h, masked)
ADDITIVE = {
    "plain": (3, 5, 4, 6, 7, False),
    "masked": (4, 6, 3, 5, 4, True),
    "one-key": (2, 1, 3, 3, 2, False),
}


def additive_inputs(case, seed):
    batch, n, d_q, d_k, d_h, masked = ADDITIVE[case]
    g = generator_for(seed, case)
    query = torch.randn(batch, d_q, generator=g, dtype=torch.float64)
    keys = torch.randn(batch, n, d_k, generator=g, dtype=torch.float64)
    W_q = torch.randn(d_h, d_q, generator=g, dtype=torch.float64)
    W_k = torch.randn(d_h, d_k, generator=g, dtype=torch.float64)
    v = torch.randn(d_h, generator=g, dtype=torch.float64)
    mask = random_mask((batch, n), g) if masked else None
    return query, keys, W_q, W_k, v, mask


def additive(module, device, query, keys, W_q, W_k, v, mask):
    return module.additive_attention_weights(*to_device(device, query, keys, W_q, W_k, v), mask=to_device(device, mask))


def additive_properties(module, device, query, keys, W_q, W_k, v, mask):
    weights = additive(module, device, query, keys, W_q, W_k, v, mask)
    mask = to_device(device, mask)
    return {"row sums": weights.sum(dim=-1), "weights where the mask is False": weights[~mask]}


def additive_gradients(module, device, query, keys, W_q, W_k, v, mask):
    leaves = {name: t.detach().clone().to(device).requires_grad_(True)
              for name, t in zip(["query", "keys", "W_q", "W_k", "v"], (query, keys, W_q, W_k, v))}
    weights = module.additive_attention_weights(*leaves.values(), mask=to_device(device, mask))
    upstream = torch.randn(weights.shape, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    (weights * upstream.to(device)).sum().backward()
    return {name: (leaf.grad if leaf.grad is not None else "no gradient") for name, leaf in leaves.items()}


@pytest.mark.parametrize("case", list(ADDITIVE))
def test_additive_weights(learner, reference, device, seed, case):
    expect_same(learner, reference, additive, device, *additive_inputs(case, seed),
                what="additive_attention_weights(...)")


def test_additive_rows_sum_to_one_and_masked_weights_are_zero(learner, reference, device, seed):
    expect_same(learner, reference, additive_properties, device, *additive_inputs("masked", seed),
                what="additive attention with a mask")


@pytest.mark.parametrize("case", ["plain", "masked"])
def test_additive_gradients(learner, reference, device, seed, case):
    expect_same(learner, reference, additive_gradients, device, *additive_inputs(case, seed), what="gradient")


# --- scaled dot-product attention -------------------------------------------------------------------------
# name: (leading dims, n_q, n_k, d_k, d_v, mask kind)
SDPA = {
    "plain": ((2,), 4, 4, 8, 8, None),
    "cross": ((3,), 2, 5, 4, 6, None),
    "heads": ((2, 3), 5, 5, 4, 4, None),
    "causal": ((2,), 5, 5, 6, 3, "causal"),
    "key-padding": ((3, 2), 3, 6, 4, 5, "padding"),
    "full-mask": ((2,), 4, 6, 3, 3, "full"),
}


def sdpa_inputs(case, seed, dtype=torch.float64):
    lead, n_q, n_k, d_k, d_v, kind = SDPA[case]
    g = generator_for(seed, case)
    Q = torch.randn(*lead, n_q, d_k, generator=g, dtype=dtype)
    K = torch.randn(*lead, n_k, d_k, generator=g, dtype=dtype)
    V = torch.randn(*lead, n_k, d_v, generator=g, dtype=dtype)
    if kind == "causal":
        mask = torch.ones(n_q, n_k, dtype=torch.bool).tril()
    elif kind == "padding":  # (batch, 1, 1, n_k): some keys of each sequence are padding
        lengths = torch.randint(1, n_k + 1, (lead[0],), generator=g)
        mask = (torch.arange(n_k) < lengths[:, None]).reshape(lead[0], *([1] * (len(lead) - 1)), 1, n_k)
    elif kind == "full":
        mask = random_mask((*lead, n_q, n_k), g)
    else:
        mask = None
    return Q, K, V, mask


def sdpa(module, device, Q, K, V, mask):
    output, weights = module.scaled_dot_product_attention(*to_device(device, Q, K, V), mask=to_device(device, mask))
    return {"output": output, "weights": weights}


def sdpa_output(module, device, Q, K, V, mask):
    return module.scaled_dot_product_attention(*to_device(device, Q, K, V), mask=to_device(device, mask))[0]


def sdpa_properties(module, device, Q, K, V, mask):
    _, weights = module.scaled_dot_product_attention(*to_device(device, Q, K, V), mask=to_device(device, mask))
    full = to_device(device, mask).expand(weights.shape)
    return {"row sums": weights.sum(dim=-1), "weights where the mask is False": weights[~full]}


def sdpa_gradients(module, device, Q, K, V, mask):
    leaves = {name: t.detach().clone().to(device).requires_grad_(True) for name, t in zip("QKV", (Q, K, V))}
    output, weights = module.scaled_dot_product_attention(*leaves.values(), mask=to_device(device, mask))
    g = torch.Generator().manual_seed(2)
    up_out = torch.randn(output.shape, generator=g, dtype=output.dtype).to(device)
    up_w = torch.randn(weights.shape, generator=g, dtype=weights.dtype).to(device)
    ((output * up_out).sum() + (weights * up_w).sum()).backward()
    return {name: (leaf.grad if leaf.grad is not None else "no gradient") for name, leaf in leaves.items()}


def guarded_sdpa(module, Q, K, V, mask):
    output, weights = module.scaled_dot_product_attention(Q, K, V, mask=mask)  # under the RULE
    return {"output": output, "weights": weights}


@pytest.mark.parametrize("case", list(SDPA))
def test_scaled_dot_product(learner, reference, device, seed, case):
    expect_same(learner, reference, sdpa, device, *sdpa_inputs(case, seed), what="(output, weights)")


@pytest.mark.parametrize("case", ["causal", "key-padding", "full-mask"])
def test_scaled_dot_product_output_equals_torch(learner, device, seed, case):
    Q, K, V, mask = sdpa_inputs(case, seed)
    got = learner.run(sdpa_output, device, Q, K, V, mask, device=device)
    expected = F.scaled_dot_product_attention(Q, K, V, attn_mask=mask)
    try:
        notes = assert_same(got, expected, what="output, compared with F.scaled_dot_product_attention")
    finally:
        scrub(expected)
    learner.note(*notes)


@pytest.mark.parametrize("case", ["causal", "full-mask"])
def test_scaled_dot_product_rows_sum_to_one_and_masked_weights_are_zero(learner, reference, device, seed, case):
    expect_same(learner, reference, sdpa_properties, device, *sdpa_inputs(case, seed), what="weights")


@pytest.mark.parametrize("case", ["cross", "key-padding"])
def test_scaled_dot_product_gradients(learner, reference, device, seed, case):
    expect_same(learner, reference, sdpa_gradients, device, *sdpa_inputs(case, seed), what="gradient")


def test_scaled_dot_product_keeps_float32(learner, reference, device, seed):
    expect_same(learner, reference, sdpa, device, *sdpa_inputs("heads", seed, torch.float32),
                what="float32 (output, weights)", check_dtype=True)


def test_does_not_call_torch_scaled_dot_product_attention(learner, reference, seed):
    expect_same(learner, reference, guarded_sdpa, *sdpa_inputs("causal", seed), what="(output, weights)")
