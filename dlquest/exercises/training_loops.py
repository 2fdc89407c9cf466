"""Exercise `training_loops`: one epoch of training, and one pass of evaluation (PyTorch).

Implement the two functions below. The grader checks exactly this contract:

- ``loader`` is any iterable of ``(inputs, targets)`` batches, such as a ``torch.utils.data.DataLoader``;
  the last batch may be smaller than the others. ``targets`` holds class indices (int64), and the model
  returns one row of class scores (logits) per sample, shape (batch, n_classes).
- ``loss_fn(outputs, targets)`` returns the *mean* loss over the samples of one batch (like
  ``nn.CrossEntropyLoss()``).
- ``device`` is where the model already lives (``"cpu"``, ``"cuda"``, …). The batches arrive on the CPU:
  move the inputs and the targets of every batch with ``.to(device)`` before using them.

``train_one_epoch(model, loader, loss_fn, optimizer, device)``:
  1. Switch the model to training mode with ``model.train()`` first (Dropout and BatchNorm behave
     differently in training and evaluation).
  2. For every batch, in the loader's order: move it to ``device``; clear the old gradients
     (``optimizer.zero_grad()``); compute ``outputs = model(inputs)`` once and
     ``loss = loss_fn(outputs, targets)``; ``loss.backward()``; ``optimizer.step()``.
  3. Return ``(mean_loss, accuracy)`` as two Python floats, where
         mean_loss = (sum over batches of loss.item() * batch_size) / number of samples
     — the mean per *sample*, not the mean of the batch means, which differs when the last batch is
     smaller — and accuracy = (number of samples whose largest output is at the target index) / number of
     samples, a fraction in [0, 1] (not a percentage), counted from the same ``outputs`` the loss used.

``evaluate(model, loader, loss_fn, device)``:
  1. Switch the model to evaluation mode with ``model.eval()`` first.
  2. Run every batch under ``torch.no_grad()`` (no graph is built, nothing is trained: no backward, no step).
  3. Return ``(mean_loss, accuracy)`` computed exactly as above.

Check your work with:  dlquest check training_loops
"""

import torch


def train_one_epoch(model, loader, loss_fn, optimizer, device):
    # TODO: model.train(); for each batch: move to device, zero_grad, forward, loss, backward, step;
    #       accumulate loss.item() * batch_size and the number of correct predictions.
    raise NotImplementedError("train_one_epoch")


def evaluate(model, loader, loss_fn, device):
    # TODO: model.eval(); under torch.no_grad(), the same loop without backward and step.
    raise NotImplementedError("evaluate")
