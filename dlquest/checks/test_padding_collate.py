"""Check for `padding_collate`: right padding, lengths for packing, batch order, max_len, and that
pack_padded_sequence(..., enforce_sorted=False) and a DataLoader accept the result."""

import pytest
import torch

from dlquest.grader.checklib import expect_same


def named(result):
    if isinstance(result, (tuple, list)) and len(result) == 3:
        return {"padded": result[0], "lengths": result[1], "labels": result[2]}
    return result


def collated(module, batch, options):
    return named(module.collate(batch, **options))


def expect_batch(learner, reference, batch, options=None, what="collate(batch)"):
    expect_same(learner, reference, collated, batch, options or {}, what=what, check_dtype=True)


def test_pads_on_the_right_with_zeros(learner, reference):
    batch = [([5, 6, 7], 1), ([8], 0), ([9, 4], 1)]
    expect_batch(learner, reference, batch)


def test_accepts_token_tensors(learner, reference):
    batch = [(torch.tensor([3, 1, 4, 1, 5]), 0), (torch.tensor([9, 2], dtype=torch.int32), 1),
             (torch.tensor([6]), torch.tensor(1))]
    expect_batch(learner, reference, batch, what="collate(batch of tensors)")


def test_keeps_the_batch_order(learner, reference):
    # Lengths 2, 5, 1, 4: sorting by length would move rows, lengths and labels.
    batch = [([11, 12], 0), ([21, 22, 23, 24, 25], 1), ([31], 1), ([41, 42, 43, 44], 0)]
    expect_batch(learner, reference, batch, what="collate(batch in its given order)")


@pytest.mark.parametrize("max_len", [3, 10])
def test_cuts_to_max_len_and_pads_to_the_longest(learner, reference, max_len):
    batch = [([1, 2, 3, 4, 5, 6], 1), ([7, 8], 0), ([9, 10, 11, 12], 1)]
    expect_batch(learner, reference, batch, {"max_len": max_len}, what=f"collate(batch, max_len={max_len})")


def test_uses_the_given_pad_id(learner, reference):
    batch = [([5, 6, 7, 8], 1), ([8], 0), ([2, 2], 1)]
    expect_batch(learner, reference, batch, {"pad_id": 99}, what="collate(batch, pad_id=99)")


def lengths_facts(module, batch):
    _, lengths, _ = module.collate(batch)
    return {"is a tensor": isinstance(lengths, torch.Tensor),
            "dtype": str(getattr(lengths, "dtype", None)), "device": str(getattr(lengths, "device", None))}


def test_lengths_are_an_int64_tensor_on_the_cpu(learner, reference):
    expect_same(learner, reference, lengths_facts, [([1, 2, 3], 0), ([4], 1)], what="the lengths")


def packed(module, batch, seed):
    padded, lengths, labels = module.collate(batch)
    weight = torch.randn(32, 3, generator=torch.Generator().manual_seed(seed))
    embedding = torch.nn.Embedding(32, 3, _weight=weight)
    packed = torch.nn.utils.rnn.pack_padded_sequence(embedding(padded), lengths, batch_first=True,
                                                     enforce_sorted=False)
    unpacked, unpacked_lengths = torch.nn.utils.rnn.pad_packed_sequence(packed, batch_first=True)
    return {"packed.data": packed.data.detach(), "packed.batch_sizes": packed.batch_sizes,
            "unpacked": unpacked.detach(), "unpacked lengths": unpacked_lengths, "labels": labels}


def test_pack_padded_sequence_accepts_the_batch(learner, reference, seed):
    batch = [([3, 4], 1), ([5, 6, 7, 8, 9], 0), ([10], 1), ([11, 12, 13], 0)]
    expect_same(learner, reference, packed, batch, seed,
                what="pack_padded_sequence(embedding(padded), lengths, batch_first=True, enforce_sorted=False)")


def loaded(module, items):
    loader = torch.utils.data.DataLoader(items, batch_size=3, shuffle=False, collate_fn=module.collate)
    return [named(batch) for batch in loader]


def test_works_as_a_dataloader_collate_fn(learner, reference, seed):
    generator = torch.Generator().manual_seed(seed)
    items = []
    for _ in range(8):
        length = int(torch.randint(1, 9, (1,), generator=generator))
        items.append((torch.randint(2, 50, (length,), generator=generator).tolist(),
                      int(torch.randint(0, 2, (1,), generator=generator))))
    expect_same(learner, reference, loaded, items, what="the batches of DataLoader(..., collate_fn=collate)",
                check_dtype=True)
