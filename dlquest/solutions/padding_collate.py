"""Reference solution for `padding_collate`."""

import torch


def collate(batch, max_len=None, pad_id=0):
    sequences = [torch.as_tensor(tokens, dtype=torch.int64).reshape(-1) for tokens, _ in batch]
    if max_len is not None:
        sequences = [sequence[:max_len] for sequence in sequences]
    lengths = torch.tensor([len(sequence) for sequence in sequences], dtype=torch.int64)
    width = int(lengths.max())
    padded = torch.full((len(batch), width), pad_id, dtype=torch.int64)
    for row, sequence in enumerate(sequences):
        padded[row, :len(sequence)] = sequence
    labels = torch.tensor([int(label) for _, label in batch], dtype=torch.int64)
    return padded, lengths, labels
