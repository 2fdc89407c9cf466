"""Exercise `lstm_forecaster` (project): an LSTM that forecasts the course's price series one step ahead (PyTorch).

The series comes from ``make_series`` below (given, do not change it): a rising trend, a 30-step and a
7-step cycle, and random noise. Unlike a pure random walk, where "tomorrow = today" is already the best
forecast, this series has structure a model can learn. The grader makes ``make_series(1000, seed)`` with a
seed of its own and splits it in time: the first 800 values are yours to train on; the last 200 are a
held-out tail your code never receives as a training target.

Implement the three functions below. The grader calls them in this order, in one process:

``build_model()``
    Return a ``torch.nn.Module`` that contains at least one ``torch.nn.LSTM`` (as a submodule, anywhere).
``train_model(model, train_series)``
    ``train_series``: NumPy float64 array of the 800 training values, in time order. Train ``model`` in
    place. Return a ``state``: anything ``predict`` needs besides the model (a scaler's mean and std, the
    window length, …), or None. Fit any scaling on ``train_series`` only.
``predict(model, state, histories)``
    ``histories``: NumPy float64 array of shape (m, HISTORY) = (m, 64). Row j holds the 64 values just
    before target j, oldest first, so ``histories[j, -1]`` is the last value known when forecasting.
    Use as many of the latest values of each row as you like. Return the forecast of the next value for
    every row: a NumPy array or tensor of shape (m,), in the series' own units (undo your scaling).

Judged on the 200 held-out targets (m = 200), one step ahead:
    MSE(model)      = mean((prediction_j − target_j)²)
    MSE(last value) = mean((histories[j, -1] − target_j)²)        the naive "no change" forecast
Passes when MSE(model) ≤ REQUIRED_RATIO × MSE(last value), with REQUIRED_RATIO = 0.8.

Time budget: build, train and predict together must finish within ``TIME_BUDGET_SECONDS`` = 20 seconds on
ONE CPU thread (the grader sets ``torch.set_num_threads(1)`` and stops the call after 60 seconds). No GPU,
no files, no network. Seed ``torch.manual_seed`` in ``train_model`` so that every run gives the same result.

Ideas that work: windows of the last 32 values; scale with statistics of ``train_series`` (or, better for a
trending series, subtract each window's last value and predict the change); ``nn.LSTM(1, 32,
batch_first=True)`` followed by ``nn.Linear(32, 1)`` on the last time step; MSE loss, Adam (lr about 1e-2),
mini-batches of 32, 15–30 epochs. Keep the last part of ``train_series`` aside to compare with the
last-value forecast before you submit.

Check your work with:  dlquest check lstm_forecaster
"""

import numpy as np
import torch
import torch.nn as nn

HISTORY = 64
REQUIRED_RATIO = 0.8
TIME_BUDGET_SECONDS = 20


def make_series(n=1000, seed=0):
    """The course's synthetic price series: trend + two cycles + noise, the same for the same (n, seed)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float64)
    slope = rng.uniform(0.01, 0.03)
    phase_month, phase_week = rng.uniform(0.0, 2.0 * np.pi, size=2)
    trend = 50.0 + slope * t
    cycles = 4.0 * np.sin(2.0 * np.pi * t / 30.0 + phase_month) + 1.5 * np.sin(2.0 * np.pi * t / 7.0 + phase_week)
    noise = rng.normal(0.0, 0.5, size=n)
    return trend + cycles + noise


def build_model():
    # TODO: an nn.Module with an nn.LSTM inside, e.g. LSTM(1, 32, batch_first=True) + Linear(32, 1).
    raise NotImplementedError("build_model")


def train_model(model, train_series):
    # TODO: scale with train_series statistics, cut it into (window, next value) pairs, train with MSE + Adam,
    #       and return what predict needs to scale its inputs and undo the scaling.
    raise NotImplementedError("train_model")


def predict(model, state, histories):
    # TODO: take the last window of every row, scale it like in training, run the model in eval mode under
    #       torch.no_grad(), undo the scaling and return one forecast per row, shape (m,).
    raise NotImplementedError("predict")
