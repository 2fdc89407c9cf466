"""Reference solution for `lstm_forecaster`: an LSTM over windows taken relative to their last value.

Each window of 32 values has its last value subtracted, so a rising trend does not push the test tail
outside the range the network was trained on; the network predicts the next change, in units of the
training part's typical one-step change.
"""

import numpy as np
import torch
import torch.nn as nn

HISTORY = 64
REQUIRED_RATIO = 0.8
TIME_BUDGET_SECONDS = 20

WINDOW = 32
INPUT_SPREAD = 4.0  # inputs are divided by 4 step sizes: they then stay within a few units


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


class Forecaster(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(input_size=1, hidden_size=hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):  # x: (batch, window)
        out, _ = self.lstm(x.unsqueeze(-1))
        return self.head(out[:, -1]).squeeze(-1)


def build_model():
    torch.manual_seed(0)  # the same initial weights on every run
    return Forecaster()


def _inputs(windows, step):
    return torch.as_tensor((windows - windows[:, -1:]) / (INPUT_SPREAD * step), dtype=torch.float32)


def train_model(model, train_series, epochs=30, batch_size=32, lr=1e-2):
    torch.manual_seed(0)
    series = np.asarray(train_series, dtype=np.float64)
    step = float(np.diff(series).std())  # the typical one-step change, from the training part only
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], WINDOW)  # windows[i] = series[i:i+WINDOW]
    targets = series[WINDOW:]  # the value right after each window
    X = _inputs(windows, step)
    y = torch.as_tensor((targets - windows[:, -1]) / step, dtype=torch.float32)

    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps_per_epoch = (len(X) + batch_size - 1) // batch_size
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps_per_epoch)
    loss_fn = nn.MSELoss()
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            loss_fn(model(X[batch]), y[batch]).backward()
            optimizer.step()
            schedule.step()
    return {"step": step}


def predict(model, state, histories):
    windows = np.asarray(histories, dtype=np.float64)[:, -WINDOW:]
    model.eval()
    with torch.no_grad():
        change = model(_inputs(windows, state["step"])).double().numpy()
    return windows[:, -1] + change * state["step"]
