"""Exercise `checkpointing`: save training to a file and resume it exactly where it stopped (PyTorch).

A checkpoint lets a long training run stop (a crash, a time limit) and continue later as if it had never
stopped. Implement the two functions below. The grader checks exactly this contract:

``save_checkpoint(path, model, optimizer, epoch)``
  Write, with ``torch.save`` to the file ``path``, a dict with exactly these three keys:
      "epoch"            the int ``epoch``: the number of epochs completed so far
      "model_state"      ``model.state_dict()``
      "optimizer_state"  ``optimizer.state_dict()``  (Adam's moment estimates and step counts live here)
  Save state dicts, not the model or optimizer objects: the grader opens your file with
  ``torch.load(path, weights_only=True)``, which refuses pickled objects.

``load_checkpoint(path, model, optimizer)``
  Read the file with ``torch.load(path, weights_only=True)``, restore ``model`` with
  ``model.load_state_dict(...)`` and ``optimizer`` with ``optimizer.load_state_dict(...)`` (both already
  built by the caller, possibly with other initial weights, and possibly on a GPU), and return the stored
  epoch as an int — the number of epochs already done, so training continues with
  ``for epoch in range(start, total_epochs)``.

Resuming must be exact: 2 epochs, save, load into a fresh model and optimizer, 2 more epochs must end with
the same weights as 4 epochs without a break. ``path`` is a file name in a writable folder (the grader uses
its working directory).

Check your work with:  dlquest check checkpointing
"""

import torch


def save_checkpoint(path, model, optimizer, epoch):
    # TODO: torch.save({...three keys...}, path)
    raise NotImplementedError("save_checkpoint")


def load_checkpoint(path, model, optimizer):
    # TODO: checkpoint = torch.load(path, weights_only=True); restore both states; return the epoch.
    raise NotImplementedError("load_checkpoint")
