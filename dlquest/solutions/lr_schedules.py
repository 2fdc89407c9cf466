"""Reference solution for `lr_schedules`."""

import math


def step_lr(base_lr, step_size, gamma, epoch):
    return base_lr * gamma ** (epoch // step_size)


def reduce_on_plateau(base_lr, metrics, factor=0.1, patience=10, threshold=1e-4, min_lr=0.0, eps=1e-8):
    lr = float(base_lr)
    best = math.inf
    bad_epochs = 0
    history = []
    for metric in metrics:
        current = float(metric)
        if current < best * (1.0 - threshold):
            best = current
            bad_epochs = 0
        else:
            bad_epochs += 1
        if bad_epochs > patience:
            new_lr = max(lr * factor, min_lr)
            if lr - new_lr > eps:
                lr = new_lr
            bad_epochs = 0
        history.append(lr)
    return history
