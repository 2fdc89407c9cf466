"""Check for `seq2seq`: the grader's own weights are loaded into the learner's modules (names fixed by the stub),
then the encoder, one decoder step and the whole teacher-forced decoding loop are compared with the reference
in float64: ratio 1 (always the ground truth), ratio 0 (always the model's own argmax) and ratio 0.5 with a
seeded generator (the coin drawn exactly as the stub says). Gradients are compared with ratio 1.
"""

import pytest
import torch

from dlquest.grader.checklib import expect_same, to_device

# name: (src_vocab, tgt_vocab, emb_dim, hidden_size, batch, src_len, tgt_len)
SIZES = {
    "small": (7, 6, 4, 5, 3, 5, 6),
    "longer-target": (5, 9, 3, 6, 2, 3, 8),
}


def gru_state(prefix, emb_dim, hidden, generator):
    shapes = {"weight_ih_l0": (3 * hidden, emb_dim), "weight_hh_l0": (3 * hidden, hidden),
              "bias_ih_l0": (3 * hidden,), "bias_hh_l0": (3 * hidden,)}
    return {f"{prefix}.{name}": torch.randn(*shape, generator=generator, dtype=torch.float64)
            for name, shape in shapes.items()}


def make_case(case, seed):
    src_vocab, tgt_vocab, emb, hidden, batch, src_len, tgt_len = SIZES[case]
    g = torch.Generator().manual_seed(seed + sum(map(ord, case)))
    state = {"encoder.embedding.weight": torch.randn(src_vocab, emb, generator=g, dtype=torch.float64)}
    state.update(gru_state("encoder.rnn", emb, hidden, g))
    state["decoder.embedding.weight"] = torch.randn(tgt_vocab, emb, generator=g, dtype=torch.float64)
    state.update(gru_state("decoder.rnn", emb, hidden, g))
    state["decoder.fc.weight"] = 2 * torch.randn(tgt_vocab, hidden, generator=g, dtype=torch.float64)
    state["decoder.fc.bias"] = torch.randn(tgt_vocab, generator=g, dtype=torch.float64)
    src = torch.randint(0, src_vocab, (batch, src_len), generator=g)
    tgt = torch.randint(0, tgt_vocab, (batch, tgt_len), generator=g)
    return SIZES[case], state, src, tgt


def build(module, sizes):
    src_vocab, tgt_vocab, emb, hidden = sizes[:4]
    return module.Seq2Seq(module.Encoder(src_vocab, emb, hidden), module.Decoder(tgt_vocab, emb, hidden))


def loaded(module, device, sizes, state):
    model = build(module, sizes).double()
    model.load_state_dict(state)
    return model.to(device)


def names_and_shapes(module, sizes):
    model = build(module, sizes)
    return {
        "encoder.rnn is an nn.GRU": isinstance(getattr(model.encoder, "rnn", None), torch.nn.GRU),
        "decoder.rnn is an nn.GRU": isinstance(getattr(model.decoder, "rnn", None), torch.nn.GRU),
        "parameters": {name: list(p.shape) for name, p in model.named_parameters()},
    }


def encode(module, device, sizes, state, src, tgt):
    model = loaded(module, device, sizes, state)
    outputs, hidden = model.encoder(to_device(device, src))
    return {"outputs": outputs, "hidden": hidden}


def decoder_step(module, device, sizes, state, src, tgt):
    model = loaded(module, device, sizes, state)
    hidden = torch.randn(1, src.shape[0], sizes[3], generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    logits, new_hidden = model.decoder(to_device(device, tgt[:, 1]), to_device(device, hidden))
    return {"logits": logits, "hidden": new_hidden}


def decode(module, device, sizes, state, src, tgt, ratio, generator_seed):
    model = loaded(module, device, sizes, state)
    generator = None if generator_seed is None else torch.Generator().manual_seed(generator_seed)
    return model(to_device(device, src), to_device(device, tgt), teacher_forcing_ratio=ratio, generator=generator)


def shape_and_first_step(module, device, sizes, state, src, tgt):
    out = decode(module, device, sizes, state, src, tgt, 1.0, None)
    return {"shape": list(out.shape), "outputs[:, 0]": out[:, 0]}


def gradients(module, device, sizes, state, src, tgt):
    model = loaded(module, device, sizes, state)
    out = model(to_device(device, src), to_device(device, tgt), teacher_forcing_ratio=1.0)
    upstream = torch.randn(out.shape, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    (out * to_device(device, upstream)).sum().backward()
    return {name: (p.grad if p.grad is not None else "no gradient") for name, p in model.named_parameters()}


def test_parameter_names_and_shapes(learner, reference):
    expect_same(learner, reference, names_and_shapes, SIZES["small"], what="Seq2Seq(Encoder, Decoder)")


@pytest.mark.parametrize("case", list(SIZES))
def test_encoder_with_given_weights(learner, reference, device, seed, case):
    expect_same(learner, reference, encode, device, *make_case(case, seed), what="encoder(src)")


@pytest.mark.parametrize("case", list(SIZES))
def test_decoder_step_with_given_weights(learner, reference, device, seed, case):
    expect_same(learner, reference, decoder_step, device, *make_case(case, seed), what="decoder(token, hidden)")


def test_output_shape_and_zero_first_step(learner, reference, device, seed):
    expect_same(learner, reference, shape_and_first_step, device, *make_case("small", seed), what="outputs")


@pytest.mark.parametrize("case", list(SIZES))
def test_ratio_one_feeds_the_ground_truth(learner, reference, device, seed, case):
    expect_same(learner, reference, decode, device, *make_case(case, seed), 1.0, None,
                what="outputs with teacher_forcing_ratio=1")


@pytest.mark.parametrize("case", list(SIZES))
def test_ratio_zero_feeds_its_own_predictions(learner, reference, device, seed, case):
    expect_same(learner, reference, decode, device, *make_case(case, seed), 0.0, None,
                what="outputs with teacher_forcing_ratio=0")


@pytest.mark.parametrize("generator_seed", [0, 1, 2])
def test_ratio_half_with_a_seeded_generator(learner, reference, device, seed, generator_seed):
    expect_same(learner, reference, decode, device, *make_case("longer-target", seed), 0.5, seed + generator_seed,
                what="outputs with teacher_forcing_ratio=0.5 and a seeded generator")


def test_gradients_with_teacher_forcing(learner, reference, device, seed):
    expect_same(learner, reference, gradients, device, *make_case("small", seed), what="gradient")
