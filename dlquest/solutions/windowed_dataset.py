"""Reference solution for `windowed_dataset`."""

import numpy as np


def _samples(z, targets, window, horizon):
    X = np.array([z[t - horizon - window + 1:t - horizon + 1] for t in targets], dtype=np.float64)
    return X.reshape(len(targets), window), z[targets].astype(np.float64)


def make_windows(series, window, horizon=1, train_fraction=0.8):
    series = np.asarray(series, dtype=np.float64)
    n = len(series)
    n_train = int(n * train_fraction)
    mean = float(series[:n_train].mean())
    std = float(series[:n_train].std())
    z = (series - mean) / std
    X_train, y_train = _samples(z, np.arange(window + horizon - 1, n_train), window, horizon)
    X_test, y_test = _samples(z, np.arange(n_train, n), window, horizon)
    return X_train, y_train, X_test, y_test, (mean, std)
