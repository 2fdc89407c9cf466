"""Exercise `early_stopping`: stop training when the validation score stops improving, and keep the best weights.

Early stopping watches a validation value once per epoch, remembers the best epoch's weights, stops once
`patience` epochs in a row have not improved on the best, and puts the best weights back. Implement the class
and the function below. The grader checks exactly this contract, with scripted validation curves:

``EarlyStopping(patience, min_delta=0.0, mode="min")``
  ``patience`` is an int >= 1; ``min_delta`` a float >= 0; ``mode`` is "min" (lower is better, a loss) or
  "max" (higher is better, an accuracy). Before the first ``step``: ``best`` and ``best_epoch`` are None.

``step(value, model) -> bool``   called once per epoch, after training it, with that epoch's validation value
  - Epochs are counted from 0: the first call of ``step`` is epoch 0, the next epoch 1, and so on.
  - The first value is always an improvement. After that, a value improves only if it beats ``best`` by MORE
    than ``min_delta``:  mode "min": ``value < best - min_delta``;  mode "max": ``value > best + min_delta``.
    So an equal value is never an improvement (nor is one better by exactly ``min_delta``).
  - On an improvement: set ``self.best = value`` and ``self.best_epoch`` to this epoch, reset the count of bad
    epochs to 0, and save a COPY of ``model.state_dict()`` (parameters and buffers).
  - Otherwise: one more bad epoch; ``best``, ``best_epoch`` and the saved state stay as they are.
  - Return True (stop) when the number of bad epochs IN A ROW has reached ``patience``, else False.
    With ``patience=2`` and the losses 1.0, 0.8, 0.9, 0.85 the calls return False, False, False, True.

``restore(model)``
  Load the saved best state into ``model`` (``model.load_state_dict``). It may be called more than once, with
  training in between: each call brings back the best epoch's weights exactly, bit for bit.

The saved state must be a real copy. ``model.state_dict()`` returns the model's live tensors, not copies: an
optimizer updates them in place, so a state stored without copying (``model.state_dict()`` alone, or
``dict(...)``/``.copy()`` of it, which copy only the dict) changes with every later step and "restores" the
last weights instead of the best. Copy the tensors: ``copy.deepcopy(model.state_dict())``, or clone each one.

``fit_with_early_stopping(model, train_step, evaluate, max_epochs, patience, min_delta=0.0, mode="min")``
  Run at most ``max_epochs`` (>= 1) epochs with an ``EarlyStopping(patience, min_delta, mode)``. Each epoch:
  call ``train_step(model)`` (it trains the model in place for one epoch), then ``value = evaluate(model)``
  (a float), then ``step(value, model)``; leave the loop as soon as ``step`` returns True. Then, whether it
  stopped early or ran all epochs, restore the best weights into ``model``. Return ``(best_epoch, history)``:
  the best epoch (an int, counted from 0) and the list of every value ``evaluate`` returned, in order (so
  ``len(history)`` is the number of epochs run).

Check your work with:  dlquest check early_stopping
"""

import copy  # you will want copy.deepcopy


class EarlyStopping:
    def __init__(self, patience, min_delta=0.0, mode="min"):
        # TODO: remember the settings; best and best_epoch start as None; no bad epochs yet.
        raise NotImplementedError("EarlyStopping.__init__")

    def step(self, value, model):
        # TODO: count the epoch; on an improvement save best, best_epoch and a copy of the state; else count a
        # bad epoch. Return whether the bad epochs in a row have reached patience.
        raise NotImplementedError("EarlyStopping.step")

    def restore(self, model):
        # TODO: load the saved best state into the model.
        raise NotImplementedError("EarlyStopping.restore")


def fit_with_early_stopping(model, train_step, evaluate, max_epochs, patience, min_delta=0.0, mode="min"):
    # TODO: train, evaluate, step; stop when step says so; restore the best weights; return (best_epoch, history).
    raise NotImplementedError("fit_with_early_stopping")
