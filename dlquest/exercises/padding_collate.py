"""Exercise `padding_collate`: turn a list of variable-length sequences into one padded batch (PyTorch).

A DataLoader hands its ``collate_fn`` a list of dataset items; for text, every item has its own length.
Implement ``collate(batch, max_len=None, pad_id=0)``. The grader checks exactly this contract:

- ``batch``: a list of (tokens, label) pairs. ``tokens`` is a list of int or a 1-D integer tensor holding at
  least one token id; ``label`` is an int (or a 0-d integer tensor).
- If ``max_len`` is given (an int >= 1), keep only the FIRST ``max_len`` tokens of every sequence.
  Sequences that are already short enough stay as they are.
- ``width`` = the length of the longest sequence in this batch after that cut (not max_len: a batch of short
  reviews stays narrow).
- Return a tuple ``(padded, lengths, labels)``:
    padded  : torch.int64 tensor of shape (len(batch), width); row i holds sequence i's tokens from column 0
              on, followed by ``pad_id`` up to the width (padding on the right).
    lengths : torch.int64 tensor of shape (len(batch),) ON THE CPU: the number of real tokens in row i.
    labels  : torch.int64 tensor of shape (len(batch),).
- Keep the batch order: row i, lengths[i] and labels[i] all belong to batch[i]. Do not sort by length:
  ``pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)`` sorts (and unsorts)
  for you, and it requires the lengths as an int64 tensor on the CPU, which is what you return.

Use it as ``DataLoader(dataset, batch_size=32, shuffle=True, collate_fn=collate)`` (or
``functools.partial(collate, max_len=200)``).

Example:
    collate([([5, 6, 7], 1), ([8], 0)])
    -> (tensor([[5, 6, 7], [8, 0, 0]]), tensor([3, 1]), tensor([1, 0]))

Check your work with:  dlquest check padding_collate
"""

import torch


def collate(batch, max_len=None, pad_id=0):
    # TODO: cut each sequence to max_len, find the width, fill a (len(batch), width) tensor with pad_id,
    #       copy each sequence into the start of its row, and return (padded, lengths, labels).
    raise NotImplementedError("collate")
