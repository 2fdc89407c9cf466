"""Exercise `lr_schedules`: StepLR and ReduceLROnPlateau as pure functions, equal to PyTorch's schedulers.

Plain Python: numbers in, numbers out (no torch needed). The grader checks exactly this contract, against
sequences produced by ``torch.optim.lr_scheduler.StepLR`` and ``ReduceLROnPlateau``:

- ``step_lr(base_lr, step_size, gamma, epoch)`` returns the learning rate in effect after ``epoch`` calls of
  ``StepLR(optimizer, step_size, gamma).step()`` (epoch = 0, 1, 2, …):
      lr = base_lr · gamma ^ (epoch // step_size)          (integer division: the lr drops in steps)

- ``reduce_on_plateau(base_lr, metrics, factor=0.1, patience=10, threshold=1e-4, min_lr=0.0, eps=1e-8)``
  returns a list with one learning rate per metric: the lr in effect after ``scheduler.step(metric)`` for
  each value of ``metrics`` in turn, for ``ReduceLROnPlateau(optimizer, mode="min", factor=factor,
  patience=patience, threshold=threshold, threshold_mode="rel", cooldown=0, min_lr=min_lr, eps=eps)``.
  Start with lr = base_lr, best = +infinity, bad_epochs = 0. For each metric value m:
      if m < best · (1 − threshold):      best ← m; bad_epochs ← 0     (a real, relative improvement)
      else:                               bad_epochs ← bad_epochs + 1
      if bad_epochs > patience:                                        (strictly more than patience)
          new_lr ← max(lr · factor, min_lr)
          if lr − new_lr > eps:  lr ← new_lr                           (ignore changes smaller than eps)
          bad_epochs ← 0
      append lr to the result
  ``metrics`` may be any sequence of numbers (floats or ints).

Check your work with:  dlquest check lr_schedules
"""


def step_lr(base_lr, step_size, gamma, epoch):
    # TODO: base_lr times gamma to the power of the number of completed step_size blocks.
    raise NotImplementedError("step_lr")


def reduce_on_plateau(base_lr, metrics, factor=0.1, patience=10, threshold=1e-4, min_lr=0.0, eps=1e-8):
    # TODO: walk through the metrics, tracking best, bad_epochs and lr; collect lr after each one.
    raise NotImplementedError("reduce_on_plateau")
