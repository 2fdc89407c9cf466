"""Reference solution for `early_stopping`."""

import copy


class EarlyStopping:
    def __init__(self, patience, min_delta=0.0, mode="min"):
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', not {mode!r}")
        self.patience = patience
        self.min_delta = min_delta
        self.mode = mode
        self.best = None
        self.best_epoch = None
        self.best_state = None
        self.bad_epochs = 0
        self.epoch = -1

    def improves(self, value):
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def step(self, value, model):
        self.epoch += 1
        if self.improves(value):
            self.best, self.best_epoch, self.bad_epochs = value, self.epoch, 0
            # state_dict() hands out the live tensors: without a deep copy, training on would change them.
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience

    def restore(self, model):
        model.load_state_dict(self.best_state)


def fit_with_early_stopping(model, train_step, evaluate, max_epochs, patience, min_delta=0.0, mode="min"):
    stopper = EarlyStopping(patience, min_delta=min_delta, mode=mode)
    history = []
    for _epoch in range(max_epochs):
        train_step(model)
        value = float(evaluate(model))
        history.append(value)
        if stopper.step(value, model):
            break
    stopper.restore(model)
    return stopper.best_epoch, history
