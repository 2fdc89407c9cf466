"""Stage 3 unit `seq2seq-attention` and stage 4 unit `attention`: every exercise's check discriminates, the
references equal PyTorch, and the lessons' pages and examples are sound.

For each exercise: the untouched stub fails, the reference solution passes, typical wrong implementations
fail on the test aimed at their mistake with a meaningful feedback code, and correct implementations written
differently from the reference pass. Graded on the CPU through `grade_source` (tests/conftest.py). Most wrong
versions are a base implementation with one line changed (`variant`), so each shows exactly one mistake.
"""

from __future__ import annotations

import math
from textwrap import dedent

import pytest
import torch

from discrimination import Cases, Wrong, four_way_tests, load_solution, variant

# === seq2seq ==============================================================================================
SEQ2SEQ = dedent('''
    import torch
    import torch.nn as nn


    class Encoder(nn.Module):
        def __init__(self, vocab_size, emb_dim, hidden_size):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, emb_dim)
            self.rnn = nn.GRU(emb_dim, hidden_size, batch_first=True)

        def forward(self, src):
            return self.rnn(self.embedding(src))


    class Decoder(nn.Module):
        def __init__(self, vocab_size, emb_dim, hidden_size):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, emb_dim)
            self.rnn = nn.GRU(emb_dim, hidden_size, batch_first=True)
            self.fc = nn.Linear(hidden_size, vocab_size)

        def forward(self, token, hidden):
            output, hidden = self.rnn(self.embedding(token.unsqueeze(1)), hidden)
            return self.fc(output.squeeze(1)), hidden


    class Seq2Seq(nn.Module):
        def __init__(self, encoder, decoder):
            super().__init__()
            self.encoder = encoder
            self.decoder = decoder

        def forward(self, src, tgt, teacher_forcing_ratio=0.5, generator=None):
            batch, tgt_len = tgt.shape
            fc = self.decoder.fc
            outputs = torch.zeros(batch, tgt_len, fc.out_features, dtype=fc.weight.dtype, device=fc.weight.device)
            _, hidden = self.encoder(src)
            token = tgt[:, 0]
            for t in range(1, tgt_len):
                logits, hidden = self.decoder(token, hidden)
                outputs[:, t] = logits
                teacher = torch.rand(1, generator=generator).item() < teacher_forcing_ratio
                token = tgt[:, t] if teacher else logits.argmax(dim=1)
            return outputs
''')

S2S_RATIO_ONE = "test_ratio_one_feeds_the_ground_truth[cpu-small]"
S2S_RATIO_ZERO = "test_ratio_zero_feeds_its_own_predictions[cpu-small]"
S2S_HALF = "test_ratio_half_with_a_seeded_generator[cpu-0]"
S2S_FIRST = "test_output_shape_and_zero_first_step[cpu]"
S2S_DECODER = "test_decoder_step_with_given_weights[cpu-small]"
S2S_NAMES = "test_parameter_names_and_shapes"
TEACHER_LINE = "            token = tgt[:, t] if teacher else logits.argmax(dim=1)\n"

SEQ2SEQ_WRONG = {
    # The coin's test is the wrong way round: ratio 1 never uses the ground truth, ratio 0 always does.
    "coin_inverted": Wrong(
        fails={S2S_RATIO_ONE: "value_mismatch", S2S_RATIO_ZERO: "value_mismatch"},
        source=variant(SEQ2SEQ, ("item() < teacher_forcing_ratio", "item() >= teacher_forcing_ratio")),
    ),
    # Feeds the previous ground-truth token again (off by one): the decoder never sees tgt[:, t].
    "ground_truth_off_by_one": Wrong(
        fails={S2S_RATIO_ONE: "value_mismatch"},
        source=variant(SEQ2SEQ, (TEACHER_LINE, "            token = tgt[:, t - 1] if teacher else logits.argmax(dim=1)\n")),
    ),
    # Predictions stored one step early: outputs[:, 0] is not empty and the last step is.
    "outputs_shifted": Wrong(
        fails={S2S_FIRST: "value_mismatch", S2S_RATIO_ONE: "value_mismatch"},
        source=variant(SEQ2SEQ, ("outputs[:, t] = logits", "outputs[:, t - 1] = logits")),
    ),
    # The decoder starts from a zero state: the encoder (the context vector) is ignored.
    "decoder_ignores_the_encoder": Wrong(
        fails={S2S_RATIO_ONE: "value_mismatch", S2S_RATIO_ZERO: "value_mismatch"},
        source=variant(SEQ2SEQ, ("_, hidden = self.encoder(src)", "hidden = torch.zeros_like(self.encoder(src)[1])")),
    ),
    # A coin per sequence instead of one for the batch: right for ratios 1 and 0, not with a seeded generator.
    "coin_per_sequence": Wrong(
        fails={S2S_HALF: "value_mismatch"},
        source=variant(SEQ2SEQ, (
            "            teacher = torch.rand(1, generator=generator).item() < teacher_forcing_ratio\n"
            + TEACHER_LINE,
            "            teacher = torch.rand(batch, generator=generator) < teacher_forcing_ratio\n"
            "            token = torch.where(teacher.to(tgt.device), tgt[:, t], logits.argmax(dim=1))\n")),
    ),
    # Python's random module: ignores the generator, so ratio 0.5 is not reproducible. (It draws the same coins
    # on every run all the same: the grader seeds the global generators per test.)
    "python_random_coin": Wrong(
        fails={f"test_ratio_half_with_a_seeded_generator[cpu-{i}]": "value_mismatch" for i in range(3)},
        only=True,
        source=variant(SEQ2SEQ, ("torch.rand(1, generator=generator).item()", "__import__('random').random()")),
    ),
    # An LSTM where the stub asks for a GRU: the grader's weights do not fit.
    "lstm_instead_of_gru": Wrong(
        fails={S2S_NAMES: "value_differs", S2S_DECODER: "exception"},
        source=SEQ2SEQ.replace("nn.GRU", "nn.LSTM"),
    ),
}

SEQ2SEQ_CORRECT = {
    # The whole target embedded at once is not allowed (the inputs depend on predictions), but the outputs can
    # be collected in a list and stacked, the step can go through softmax, and the coin drawn as a 0-d tensor.
    "stacked_outputs": dedent('''
        import torch
        from torch import nn


        class Encoder(nn.Module):
            def __init__(self, vocab_size, emb_dim, hidden_size):
                super().__init__()
                self.embedding = nn.Embedding(vocab_size, emb_dim)
                self.rnn = nn.GRU(input_size=emb_dim, hidden_size=hidden_size, num_layers=1, batch_first=True)

            def forward(self, src):
                outputs, hidden = self.rnn(self.embedding(src))
                return outputs, hidden


        class Decoder(nn.Module):
            def __init__(self, vocab_size, emb_dim, hidden_size):
                super().__init__()
                self.embedding = nn.Embedding(vocab_size, emb_dim)
                self.rnn = nn.GRU(emb_dim, hidden_size, batch_first=True)
                self.fc = nn.Linear(hidden_size, vocab_size)

            def forward(self, token, hidden):
                embedded = self.embedding(token)[:, None, :]
                output, hidden = self.rnn(embedded, hidden)
                return self.fc(output[:, 0, :]), hidden


        class Seq2Seq(nn.Module):
            def __init__(self, encoder, decoder):
                super().__init__()
                self.encoder, self.decoder = encoder, decoder

            def forward(self, src, tgt, teacher_forcing_ratio=0.5, generator=None):
                hidden = self.encoder(src)[1]
                steps = []
                token = tgt[:, 0]
                for t in range(1, tgt.size(1)):
                    logits, hidden = self.decoder(token, hidden)
                    steps.append(logits)
                    coin = torch.rand((), generator=generator)
                    if float(coin) < teacher_forcing_ratio:
                        token = tgt[:, t]
                    else:
                        token = torch.softmax(logits, dim=-1).argmax(-1)
                first = torch.zeros_like(steps[0]) if steps else None
                if first is None:
                    vocab = self.decoder.fc.out_features
                    return self.decoder.fc.weight.new_zeros(tgt.size(0), tgt.size(1), vocab)
                return torch.stack([first] + steps, dim=1)
    '''),
}


def test_seq2seq_ratios_one_and_zero_differ_and_are_deterministic(course):
    solution = load_solution(course, "seq2seq")
    torch.manual_seed(0)
    model = solution.Seq2Seq(solution.Encoder(6, 4, 5), solution.Decoder(7, 4, 5))
    src, tgt = torch.randint(0, 6, (3, 4)), torch.randint(0, 7, (3, 6))
    teacher = [model(src, tgt, teacher_forcing_ratio=1.0) for _ in range(2)]
    free = [model(src, tgt, teacher_forcing_ratio=0.0) for _ in range(2)]
    assert torch.equal(*teacher) and torch.equal(*free)
    assert not torch.equal(teacher[0], free[0])
    assert torch.count_nonzero(teacher[0][:, 0]) == 0


# === attention ============================================================================================
ATTENTION = dedent('''
    import math

    import torch


    def additive_attention_weights(query, keys, W_q, W_k, v, mask=None):
        scores = torch.tanh((query @ W_q.T).unsqueeze(1) + keys @ W_k.T) @ v
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        return torch.softmax(scores, dim=-1)


    def scaled_dot_product_attention(Q, K, V, mask=None):
        scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return weights @ V, weights
''')

ADD_MASKED = "test_additive_weights[cpu-masked]"
ADD_PLAIN = "test_additive_weights[cpu-plain]"
ADD_PROPS = "test_additive_rows_sum_to_one_and_masked_weights_are_zero[cpu]"
SDPA_PLAIN = "test_scaled_dot_product[cpu-plain]"
SDPA_CAUSAL = "test_scaled_dot_product[cpu-causal]"
SDPA_TORCH = "test_scaled_dot_product_output_equals_torch[cpu-full-mask]"
SDPA_PROPS = "test_scaled_dot_product_rows_sum_to_one_and_masked_weights_are_zero[cpu-full-mask]"
SDPA_FORBIDDEN = "test_does_not_call_torch_scaled_dot_product_attention"
SDPA_TESTS = ([f"test_scaled_dot_product[cpu-{case}]"
               for case in ("plain", "cross", "heads", "causal", "key-padding", "full-mask")]
              + [f"test_scaled_dot_product_output_equals_torch[cpu-{case}]"
                 for case in ("causal", "key-padding", "full-mask")]
              + [f"test_scaled_dot_product_rows_sum_to_one_and_masked_weights_are_zero[cpu-{case}]"
                 for case in ("causal", "full-mask")]
              + [f"test_scaled_dot_product_gradients[cpu-{case}]" for case in ("cross", "key-padding")]
              + ["test_scaled_dot_product_keeps_float32[cpu]"])
SDPA_SCORES = "    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])\n"
SDPA_MASK = "        scores = scores.masked_fill(~mask, float(\"-inf\"))\n    weights"

ATTENTION_WRONG = {
    # Forgets the 1/√d_k scaling.
    "no_scaling": Wrong(
        fails={SDPA_PLAIN: "value_mismatch", SDPA_TORCH: "value_mismatch"},
        source=variant(ATTENTION, (SDPA_SCORES, "    scores = Q @ K.transpose(-2, -1)\n")),
    ),
    # Divides by d_k instead of its square root.
    "divides_by_d_k": Wrong(
        fails={SDPA_PLAIN: "value_mismatch"},
        source=variant(ATTENTION, (SDPA_SCORES, "    scores = Q @ K.transpose(-2, -1) / Q.shape[-1]\n")),
    ),
    # Softmax over the queries instead of the keys.
    "softmax_over_queries": Wrong(
        fails={SDPA_PLAIN: "value_mismatch", SDPA_PROPS: "value_mismatch"},
        source=variant(ATTENTION, ("    weights = torch.softmax(scores, dim=-1)", "    weights = torch.softmax(scores, dim=-2)")),
    ),
    # Reads the mask the other way round (True = hidden): the masked weights are not zero, and the causal
    # mask's last row is hidden entirely (NaN).
    "mask_inverted": Wrong(
        fails={SDPA_CAUSAL: "nan_mismatch", ADD_MASKED: "value_mismatch", ADD_PROPS: "value_mismatch"},
        source=ATTENTION.replace("masked_fill(~mask,", "masked_fill(mask,"),
    ),
    # Masks after the softmax by zeroing weights: the rows no longer sum to 1.
    "mask_after_softmax": Wrong(
        fails={SDPA_PROPS: "value_mismatch", SDPA_CAUSAL: "value_mismatch"},
        source=variant(ATTENTION, (SDPA_MASK, "        pass\n    weights"),
                       ("    return weights @ V, weights", "    if mask is not None:\n"
                        "        weights = weights * mask\n    return weights @ V, weights")),
    ),
    # Bahdanau's score without the tanh.
    "additive_without_tanh": Wrong(
        fails={ADD_PLAIN: "value_mismatch", ADD_MASKED: "value_mismatch"},
        source=variant(ATTENTION, ("torch.tanh((query @ W_q.T).unsqueeze(1) + keys @ W_k.T)",
                                   "((query @ W_q.T).unsqueeze(1) + keys @ W_k.T)")),
    ),
    # Calls torch's own function (right values, but the exercise is to write it). A forbidden operator raises
    # wherever it is called (the check's RULE), so every scaled dot-product test fails with `forbidden`.
    "calls_torch": Wrong(
        fails={SDPA_FORBIDDEN: "forbidden", **dict.fromkeys(SDPA_TESTS, "forbidden")},
        only=True,
        source=variant(ATTENTION, ("    return weights @ V, weights",
                                   "    output = torch.nn.functional.scaled_dot_product_attention(Q, K, V, attn_mask=mask)\n"
                                   "    return output, weights")),
    ),
}

ATTENTION_CORRECT = {
    # einsum, a large negative number instead of -inf, and a hand-written stable softmax.
    "einsum_and_manual_softmax": dedent('''
        import torch


        def _softmax(scores):
            shifted = scores - scores.max(dim=-1, keepdim=True).values
            e = shifted.exp()
            return e / e.sum(dim=-1, keepdim=True)


        def additive_attention_weights(query, keys, W_q, W_k, v, mask=None):
            q = torch.einsum("hq,bq->bh", W_q, query)
            k = torch.einsum("hk,bnk->bnh", W_k, keys)
            scores = torch.einsum("bnh,h->bn", torch.tanh(q[:, None] + k), v)
            if mask is not None:
                scores = torch.where(mask, scores, torch.full_like(scores, -1e30))
            return _softmax(scores)


        def scaled_dot_product_attention(Q, K, V, mask=None):
            d_k = Q.size(-1)
            scores = torch.einsum("...qd,...kd->...qk", Q * d_k ** -0.5, K)
            if mask is not None:
                scores = torch.where(mask, scores, torch.tensor(-1e30, dtype=scores.dtype, device=scores.device))
            weights = _softmax(scores)
            return torch.einsum("...qk,...kv->...qv", weights, V), weights
    '''),
}


def test_attention_reference_equals_torch(course):
    solution = load_solution(course, "attention")
    g = torch.Generator().manual_seed(0)
    Q, K, V = (torch.randn(2, 3, 5, 4, generator=g, dtype=torch.float64) for _ in range(3))
    mask = torch.rand(5, 5, generator=g) < 0.5
    mask |= torch.eye(5, dtype=torch.bool)
    for m in (None, mask):
        output, weights = solution.scaled_dot_product_attention(Q, K, V, mask=m)
        torch.testing.assert_close(output, torch.nn.functional.scaled_dot_product_attention(Q, K, V, attn_mask=m))
        torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 5, dtype=torch.float64))
    # Additive attention with the matrices as nn.Linear weights.
    query, keys = torch.randn(2, 3, generator=g), torch.randn(2, 6, 4, generator=g)
    W_q, W_k, v = torch.nn.Linear(3, 5, bias=False), torch.nn.Linear(4, 5, bias=False), torch.randn(5, generator=g)
    expected = torch.softmax(torch.tanh(W_q(query)[:, None] + W_k(keys)) @ v, dim=-1)
    torch.testing.assert_close(solution.additive_attention_weights(query, keys, W_q.weight, W_k.weight, v), expected)


# === multi_head_attention =================================================================================
MHA = dedent('''
    import math

    import torch
    import torch.nn as nn


    class MultiHeadAttention(nn.Module):
        def __init__(self, embed_dim, num_heads):
            super().__init__()
            self.num_heads = num_heads
            self.head_dim = embed_dim // num_heads
            self.q_proj = nn.Linear(embed_dim, embed_dim)
            self.k_proj = nn.Linear(embed_dim, embed_dim)
            self.v_proj = nn.Linear(embed_dim, embed_dim)
            self.out_proj = nn.Linear(embed_dim, embed_dim)

        def split(self, x):
            return x.reshape(x.shape[0], x.shape[1], self.num_heads, self.head_dim).transpose(1, 2)

        def forward(self, query, key, value, key_padding_mask=None, attn_mask=None):
            batch, length, embed_dim = query.shape
            q, k, v = self.split(self.q_proj(query)), self.split(self.k_proj(key)), self.split(self.v_proj(value))
            scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
            if attn_mask is not None:
                scores = scores.masked_fill(attn_mask, float("-inf"))
            if key_padding_mask is not None:
                scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
            weights = torch.softmax(scores, dim=-1)
            merged = (weights @ v).transpose(1, 2).reshape(batch, length, embed_dim)
            return self.out_proj(merged), weights.mean(dim=1)


    def causal_mask(size):
        return torch.ones(size, size, dtype=torch.bool).triu(diagonal=1)
''')

MHA_PLAIN = "test_attention_without_masks[cpu-self]"
MHA_THREE = "test_attention_without_masks[cpu-three-heads]"
MHA_ONE_HEAD = "test_attention_without_masks[cpu-one-head]"
MHA_PADDING = "test_attention_with_masks[cpu-key-padding]"
MHA_CAUSAL = "test_attention_with_masks[cpu-causal]"
MHA_TORCH = "test_equals_nn_multihead_attention[cpu-three-heads]"
MHA_CAUSAL_MASK = "test_causal_mask[5]"
MHA_FORBIDDEN = "test_does_not_call_torch_multi_head_attention"
MHA_FORWARD_TESTS = ([f"test_attention_without_masks[cpu-{case}]"
                      for case in ("self", "three-heads", "one-head", "cross")]
                     + [f"test_attention_with_masks[cpu-{case}]"
                        for case in ("key-padding", "causal", "causal-and-padding")]
                     + [f"test_equals_nn_multihead_attention[cpu-{case}]"
                        for case in ("three-heads", "cross", "causal-and-padding")]
                     + [f"test_gradients[cpu-{case}]" for case in ("self", "causal-and-padding")])

MHA_WRONG = {
    # Scales by √embed_dim instead of √head_dim (right only with one head).
    "scaled_by_embed_dim": Wrong(
        fails={MHA_PLAIN: "value_mismatch", MHA_TORCH: "value_mismatch"},
        source=variant(MHA, ("/ math.sqrt(self.head_dim)", "/ math.sqrt(embed_dim)")),
    ),
    # Splits the heads with a bare reshape: positions and features get mixed.
    "split_without_transpose": Wrong(
        fails={MHA_PLAIN: "value_mismatch", MHA_TORCH: "value_mismatch"},
        source=variant(MHA, ("x.reshape(x.shape[0], x.shape[1], self.num_heads, self.head_dim).transpose(1, 2)",
                             "x.reshape(x.shape[0], self.num_heads, x.shape[1], self.head_dim)")),
    ),
    # Merges the heads with a bare reshape.
    "merge_without_transpose": Wrong(
        fails={MHA_PLAIN: "value_mismatch"},
        source=variant(MHA, ("(weights @ v).transpose(1, 2).reshape", "(weights @ v).reshape")),
    ),
    # Reads the masks the F.scaled_dot_product_attention way (True = may attend).
    "mask_convention_inverted": Wrong(
        fails={MHA_PADDING: "nan_mismatch", MHA_CAUSAL: "nan_mismatch"},
        source=MHA.replace("masked_fill(attn_mask,", "masked_fill(~attn_mask,").replace(
            "masked_fill(key_padding_mask[", "masked_fill(~key_padding_mask["),
    ),
    # Returns the first head's weights instead of the average over heads.
    "weights_of_one_head": Wrong(
        fails={MHA_PLAIN: "value_mismatch", MHA_TORCH: "value_mismatch"},
        source=variant(MHA, ("weights.mean(dim=1)", "weights[:, 0]")),
    ),
    # Forgets the output projection (right shapes, wrong values).
    "no_output_projection": Wrong(
        fails={MHA_PLAIN: "value_mismatch", MHA_ONE_HEAD: "value_mismatch"},
        source=variant(MHA, ("return self.out_proj(merged), weights", "return merged, weights")),
    ),
    # The causal mask includes the diagonal: a token may not even look at itself.
    "causal_mask_with_diagonal": Wrong(
        fails={"test_causal_mask[1]": "value_mismatch", MHA_CAUSAL_MASK: "value_mismatch"},
        only=True,
        source=variant(MHA, ("triu(diagonal=1)", "triu(diagonal=0)")),
    ),
    # Hands the work to torch. A forbidden operator raises wherever it is called (the check's RULE), so every test
    # that runs the forward pass fails with `forbidden`.
    "calls_torch": Wrong(
        fails={MHA_FORBIDDEN: "forbidden", **dict.fromkeys(MHA_FORWARD_TESTS, "forbidden")},
        only=True,
        source=variant(MHA, ("        weights = torch.softmax(scores, dim=-1)\n",
                             "        weights = torch.softmax(scores, dim=-1)\n"
                             "        torch.nn.functional.multi_head_attention_forward(\n"
                             "            query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1), embed_dim,\n"
                             "            self.num_heads, torch.cat([self.q_proj.weight, self.k_proj.weight,\n"
                             "            self.v_proj.weight]), torch.cat([self.q_proj.bias, self.k_proj.bias,\n"
                             "                self.v_proj.bias]), None, None, False, 0.0, self.out_proj.weight,\n"
                             "            self.out_proj.bias, training=False)\n")),
    ),
}

MHA_CORRECT = {
    # One head at a time, slicing each projection's output, with torch.where for the masks and
    # F.scaled_dot_product_attention allowed for the values (weights computed separately).
    "loop_over_heads": dedent('''
        import torch
        import torch.nn.functional as F
        from torch import nn


        class MultiHeadAttention(nn.Module):
            def __init__(self, embed_dim, num_heads):
                super().__init__()
                if embed_dim % num_heads:
                    raise ValueError("embed_dim must be divisible by num_heads")
                self.num_heads, self.head_dim = num_heads, embed_dim // num_heads
                self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(embed_dim, embed_dim)
                                                                        for _ in range(4))

            def forward(self, query, key, value, key_padding_mask=None, attn_mask=None):
                q, k, v = self.q_proj(query), self.k_proj(key), self.v_proj(value)
                allowed = torch.ones(query.shape[0], query.shape[1], key.shape[1], dtype=torch.bool,
                                     device=query.device)
                if attn_mask is not None:
                    allowed = allowed & ~attn_mask
                if key_padding_mask is not None:
                    allowed = allowed & ~key_padding_mask.unsqueeze(1)
                outputs, all_weights = [], []
                for h in range(self.num_heads):
                    part = slice(h * self.head_dim, (h + 1) * self.head_dim)
                    qh, kh, vh = q[..., part], k[..., part], v[..., part]
                    scores = torch.bmm(qh, kh.transpose(1, 2)) * self.head_dim ** -0.5
                    scores = torch.where(allowed, scores, torch.tensor(float("-inf"), dtype=scores.dtype,
                                                                       device=scores.device))
                    all_weights.append(scores.softmax(-1))
                    outputs.append(F.scaled_dot_product_attention(qh, kh, vh, attn_mask=allowed))
                output = self.out_proj(torch.cat(outputs, dim=-1))
                return output, torch.stack(all_weights).mean(0)


        def causal_mask(size):
            idx = torch.arange(size)
            return idx[None, :] > idx[:, None]
    '''),
}


def test_multi_head_attention_reference_equals_torch(course):
    solution = load_solution(course, "multi_head_attention")
    torch.manual_seed(0)
    mine, theirs = solution.MultiHeadAttention(8, 2), torch.nn.MultiheadAttention(8, 2, batch_first=True)
    with torch.no_grad():
        theirs.in_proj_weight.copy_(torch.cat([mine.q_proj.weight, mine.k_proj.weight, mine.v_proj.weight]))
        theirs.in_proj_bias.copy_(torch.cat([mine.q_proj.bias, mine.k_proj.bias, mine.v_proj.bias]))
        theirs.out_proj.load_state_dict(mine.out_proj.state_dict())
    x = torch.randn(3, 5, 8)
    padding = torch.tensor([[False] * 5, [False] * 3 + [True] * 2, [False] + [True] * 4])
    for masks in ({}, {"key_padding_mask": padding, "attn_mask": solution.causal_mask(5)}):
        expected = theirs(x, x, x, need_weights=True, **masks)
        for got, want in zip(mine(x, x, x, **masks), expected):
            torch.testing.assert_close(got, want)
    assert torch.equal(solution.causal_mask(4),
                       torch.nn.Transformer.generate_square_subsequent_mask(4) == float("-inf"))


# === transformer_block ====================================================================================
BLOCK = dedent('''
    import math

    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    class TransformerEncoderBlock(nn.Module):
        def __init__(self, d_model, num_heads, d_ff, dropout=0.1):
            super().__init__()
            self.self_attn = nn.MultiheadAttention(d_model, num_heads, dropout=dropout, batch_first=True)
            self.linear1 = nn.Linear(d_model, d_ff)
            self.linear2 = nn.Linear(d_ff, d_model)
            self.norm1 = nn.LayerNorm(d_model)
            self.norm2 = nn.LayerNorm(d_model)
            self.dropout = nn.Dropout(dropout)
            self.dropout1 = nn.Dropout(dropout)
            self.dropout2 = nn.Dropout(dropout)

        def forward(self, x, attn_mask=None, key_padding_mask=None):
            h = self.norm1(x)
            x = x + self.dropout1(self.self_attn(h, h, h, attn_mask=attn_mask, key_padding_mask=key_padding_mask)[0])
            x = x + self.dropout2(self.linear2(self.dropout(F.relu(self.linear1(self.norm2(x))))))
            return x


    def sinusoidal_positional_encoding(max_len, d_model):
        position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
        angle = position / 10000.0 ** (torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
        pe = torch.zeros(max_len, d_model, dtype=torch.float64)
        pe[:, 0::2] = torch.sin(angle)
        pe[:, 1::2] = torch.cos(angle)
        return pe.float()
''')

BLOCK_SMALL = "test_eval_output_with_given_weights[cpu-small]"
BLOCK_PADDING = "test_eval_output_with_given_weights[cpu-key-padding]"
BLOCK_CAUSAL = "test_eval_output_with_given_weights[cpu-causal]"
BLOCK_TORCH = "test_equals_nn_transformer_encoder_layer[cpu-three-heads]"
BLOCK_STRUCTURE = "test_structure_and_parameter_names"
BLOCK_DROPOUT = "test_dropout_is_active_in_training_mode[cpu]"
PE_BIG = "test_sinusoidal_positional_encoding[50-16]"
ATTN_LINE = ("        x = x + self.dropout1(self.self_attn(h, h, h, attn_mask=attn_mask, "
             "key_padding_mask=key_padding_mask)[0])\n")
FFN_LINE = "        x = x + self.dropout2(self.linear2(self.dropout(F.relu(self.linear1(self.norm2(x))))))\n"

BLOCK_WRONG = {
    # Post-norm (the original Transformer's order) where the stub asks for pre-norm.
    "post_norm": Wrong(
        fails={BLOCK_SMALL: "value_mismatch", BLOCK_TORCH: "value_mismatch"},
        source=variant(BLOCK, ("        h = self.norm1(x)\n" + ATTN_LINE + FFN_LINE,
                               "        x = self.norm1(x + self.dropout1(self.self_attn(x, x, x, attn_mask=attn_mask,"
                               " key_padding_mask=key_padding_mask)[0]))\n"
                               "        x = self.norm2(x + self.dropout2(self.linear2(self.dropout(F.relu("
                               "self.linear1(x))))))\n")),
    ),
    # The residual adds the normalised input instead of x.
    "residual_from_the_normalised_input": Wrong(
        fails={BLOCK_SMALL: "value_mismatch"},
        source=variant(BLOCK, (ATTN_LINE, ATTN_LINE.replace("x = x + self.dropout1", "x = h + self.dropout1"))),
    ),
    # No residual around the feed-forward network.
    "feed_forward_without_residual": Wrong(
        fails={BLOCK_SMALL: "value_mismatch", BLOCK_TORCH: "value_mismatch"},
        source=variant(BLOCK, (FFN_LINE, FFN_LINE.replace("x = x + self.dropout2", "x = self.dropout2"))),
    ),
    # GELU where the stub asks for ReLU.
    "gelu": Wrong(
        fails={BLOCK_SMALL: "value_mismatch"},
        source=variant(BLOCK, ("F.relu(self.linear1", "F.gelu(self.linear1")),
    ),
    # Masks not passed on to the attention.
    "ignores_the_masks": Wrong(
        fails={BLOCK_PADDING: "value_mismatch", BLOCK_CAUSAL: "value_mismatch"},
        source=variant(BLOCK, (ATTN_LINE, "        x = x + self.dropout1(self.self_attn(h, h, h)[0])\n")),
    ),
    # Dropout modules built but never applied: training mode behaves like eval mode.
    "dropout_never_applied": Wrong(
        fails={BLOCK_DROPOUT: "value_differs"},
        only=True,
        source=variant(BLOCK, (ATTN_LINE, ATTN_LINE.replace("self.dropout1(", "(")),
                       (FFN_LINE, "        x = x + self.linear2(F.relu(self.linear1(self.norm2(x))))\n"),
                       ("dropout=dropout, batch_first", "batch_first")),
    ),
    # The positional encoding's exponent uses i instead of 2i.
    "positional_exponent_i": Wrong(
        fails={PE_BIG: "value_mismatch", "test_sinusoidal_positional_encoding[7-4]": "value_mismatch"},
        only=True,
        source=variant(BLOCK, ("torch.arange(0, d_model, 2, dtype=torch.float64) / d_model",
                               "torch.arange(0, d_model // 2, dtype=torch.float64) / d_model")),
    ),
    # Sine and cosine swapped.
    "positional_sin_cos_swapped": Wrong(
        fails={f"test_sinusoidal_positional_encoding[{case}]": "value_mismatch" for case in ("50-16", "7-4", "1-2")},
        only=True,
        source=variant(BLOCK, ("pe[:, 0::2] = torch.sin(angle)", "pe[:, 0::2] = torch.cos(angle)"),
                       ("pe[:, 1::2] = torch.cos(angle)", "pe[:, 1::2] = torch.sin(angle)")),
    ),
    # Wraps torch's own layer instead of writing the block.
    "wraps_torch_layer": Wrong(
        fails={BLOCK_STRUCTURE: "value_differs"},
        source=variant(BLOCK, ("class TransformerEncoderBlock(nn.Module):", "class TransformerEncoderBlock(nn.TransformerEncoderLayer):"),
                       ("        super().__init__()\n        self.self_attn",
                        "        super().__init__(d_model, num_heads, d_ff, dropout, batch_first=True, norm_first=True)\n"
                        "        self.self_attn")),
    ),
}

BLOCK_CORRECT = {
    # Functional LayerNorm with the modules' parameters, attention weights not requested differently, an
    # nn.Sequential-free FFN written step by step, and the encoding built with exp/log and interleaved by stack.
    "functional_and_interleaved": dedent('''
        import math

        import torch
        from torch import nn
        import torch.nn.functional as F


        class TransformerEncoderBlock(nn.Module):
            def __init__(self, d_model, num_heads, d_ff, dropout=0.1):
                super().__init__()
                self.self_attn = nn.MultiheadAttention(embed_dim=d_model, num_heads=num_heads, dropout=dropout,
                                                       batch_first=True)
                self.linear1, self.linear2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)
                self.norm1, self.norm2 = nn.LayerNorm(d_model, eps=1e-5), nn.LayerNorm(d_model, eps=1e-5)
                self.dropout, self.dropout1, self.dropout2 = (nn.Dropout(p=dropout) for _ in range(3))

            def _attend(self, x, attn_mask, key_padding_mask):
                h = F.layer_norm(x, x.shape[-1:], self.norm1.weight, self.norm1.bias, self.norm1.eps)
                out, _ = self.self_attn(query=h, key=h, value=h, key_padding_mask=key_padding_mask,
                                        attn_mask=attn_mask, need_weights=True)
                return self.dropout1(out)

            def _feed_forward(self, x):
                h = self.norm2(x)
                h = self.linear1(h).clamp(min=0)
                return self.dropout2(self.linear2(self.dropout(h)))

            def forward(self, x, attn_mask=None, key_padding_mask=None):
                x = x + self._attend(x, attn_mask, key_padding_mask)
                return x + self._feed_forward(x)


        def sinusoidal_positional_encoding(max_len, d_model):
            pos = torch.arange(max_len, dtype=torch.float64)[:, None]
            freq = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
            angle = pos * freq
            return torch.stack([angle.sin(), angle.cos()], dim=-1).reshape(max_len, d_model).to(torch.float32)
    '''),
}


def test_transformer_block_reference_equals_torch(course):
    solution = load_solution(course, "transformer_block")
    torch.manual_seed(0)
    mine = solution.TransformerEncoderBlock(8, 2, 16, dropout=0.1).eval()
    theirs = torch.nn.TransformerEncoderLayer(8, 2, 16, 0.1, batch_first=True, norm_first=True).eval()
    theirs.load_state_dict(mine.state_dict())
    x = torch.randn(2, 6, 8)
    torch.testing.assert_close(mine(x), theirs(x))
    pe = solution.sinusoidal_positional_encoding(6, 4)
    assert pe.dtype == torch.float32 and pe.shape == (6, 4)
    torch.testing.assert_close(pe[3], torch.tensor([math.sin(3), math.cos(3), math.sin(0.03), math.cos(0.03)]))


# === the grading tests ====================================================================================
CASES = {
    "seq2seq": Cases(SEQ2SEQ_WRONG, SEQ2SEQ_CORRECT),
    "attention": Cases(ATTENTION_WRONG, ATTENTION_CORRECT),
    "multi_head_attention": Cases(MHA_WRONG, MHA_CORRECT),
    "transformer_block": Cases(BLOCK_WRONG, BLOCK_CORRECT),
}
(test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
 test_other_correct_implementation_passes) = four_way_tests(CASES)


# === lessons and manifest =================================================================================
LESSONS = {"seq2seq-attention": "seq2seq-attention", "multi-head-attention": "attention",
           "transformer-block": "attention"}
EXERCISES = {"seq2seq": "seq2seq-attention", "attention": "seq2seq-attention",
             "multi_head_attention": "multi-head-attention", "transformer_block": "transformer-block"}


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_lesson_is_in_its_unit(course, lesson):
    assert course.lessons[lesson].unit == LESSONS[lesson]


@pytest.mark.parametrize("lesson", list(LESSONS))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lesson_page_is_terminal_markdown(course, lesson, lang):
    import re

    text = course.path(course.lessons[lesson].pages[lang]).read_text(encoding="utf-8")
    assert text.startswith("# "), "a page starts with its title"
    assert len(re.findall(r"^## ", text, flags=re.M)) >= 5, "sections for the table of contents"
    assert "$" not in text and not re.search(r"\\(frac|sum|sqrt|mathbf|cdot)", text), "no LaTeX"
    assert not re.search(r"<(div|span|img|br|p|table|sub|sup)\b", text), "no HTML"
    assert "![" not in text, "no images"
    assert text.count("```") % 2 == 0, "code fences are closed"
    assert f"dlquest run {lesson}" in text, "the page says how to run its example"


# Three hints in both languages and a lesson: tested for the whole course in tests/test_lessons.py.
@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_exercise_is_taught_by_its_lesson_which_says_how_to_check_it(course, exercise_id):
    exercise = course.exercises[exercise_id]
    assert exercise.lesson == EXERCISES[exercise_id]
    page = {lang: course.path(course.lessons[exercise.lesson].pages[lang]).read_text() for lang in ("en", "zh")}
    assert all(f"dlquest check {exercise_id}" in text for text in page.values())
