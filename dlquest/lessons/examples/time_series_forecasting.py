"""Example for the lesson "time-series-forecasting" / 时间序列预测.

Run it with `dlquest run time-series-forecasting` (or `python dlquest/lessons/examples/time_series_forecasting.py`).
It needs no network access, uses fixed seeds and finishes in well under 15 seconds on two CPU cores.

1. The course's synthetic price series: trend + a 30-step and a 7-step cycle + noise.
2. Returns and technical indicators (SMA, EMA, MACD, RSI, Bollinger bands), plotted in the terminal.
3. A chronological split, a scaler fitted on the training part only, and sliding windows.
4. Two naive baselines (last value, moving average) against two LSTMs (on levels, and on changes): the MSE table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from termplot import heading, plot_curves

N_VALUES, N_TRAIN, WINDOW = 1000, 800, 32


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


# --------------------------------------------------------------------------------------------
# 1. The series
# --------------------------------------------------------------------------------------------


def part_series(series: np.ndarray) -> None:
    heading("The synthetic price series", "合成价格序列")
    print(f"{len(series)} daily closing prices / 个每日收盘价; first / 首个 {series[0]:.2f}, "
          f"last / 末个 {series[-1]:.2f}")
    step = 5
    xs = list(range(0, len(series), step))
    plot_curves("Close price (every 5th day) / 收盘价", xs, {"close": series[::step].tolist()})
    changes = np.diff(series)
    print(f"day-to-day change / 日变化：mean {changes.mean():+.3f}, std {changes.std():.3f}")
    lag1 = np.corrcoef(changes[:-1], changes[1:])[0, 1]
    print(f"correlation of one change with the next / 相邻两次变化的相关系数：{lag1:+.2f} "
          "(≈ 0 for a random walk / 随机游走约为 0)")


# --------------------------------------------------------------------------------------------
# 2. Returns and technical indicators
# --------------------------------------------------------------------------------------------


def indicators(close: pd.Series) -> pd.DataFrame:
    out = pd.DataFrame(index=close.index)
    out["return"] = close.pct_change()                      # x_t / x_(t-1) - 1
    out["log_return"] = np.log(close / close.shift(1))       # ln(x_t / x_(t-1))
    out["sma_10"] = close.rolling(10).mean()
    out["ema_12"] = close.ewm(span=12).mean()                # adjust=True: weighted average of all past values
    out["ema_26"] = close.ewm(span=26).mean()
    out["macd"] = out["ema_12"] - out["ema_26"]
    out["signal"] = out["macd"].ewm(span=9).mean()
    delta = close.diff()
    mean_gain = delta.clip(lower=0).rolling(14).mean()
    mean_loss = (-delta).clip(lower=0).rolling(14).mean()
    out["rsi"] = (100 - 100 / (1 + mean_gain / mean_loss)).mask(mean_loss == 0, 100.0)
    middle, std = close.rolling(20).mean(), close.rolling(20).std()  # sample std (ddof=1)
    out["bb_upper"], out["bb_lower"] = middle + 2 * std, middle - 2 * std
    return out


def part_indicators(series: np.ndarray) -> None:
    heading("Returns and technical indicators", "收益率与技术指标")
    close = pd.Series(series, index=pd.bdate_range("2022-01-03", periods=len(series)), name="close")
    table = indicators(close)
    with pd.option_context("display.width", 120, "display.precision", 3):
        print(table[["return", "log_return", "sma_10", "ema_12", "macd", "rsi"]].iloc[12:18])
    print(f"NaN rows at the start / 开头的 NaN 行数：return 1, sma_10 {table['sma_10'].isna().sum()}, "
          f"rsi {table['rsi'].isna().sum()}, bollinger {table['bb_upper'].isna().sum()}, ema_12 0")

    last = slice(-120, None)
    xs = list(range(len(series) - 120, len(series)))
    plot_curves("Close with Bollinger bands (20, 2) / 收盘价与布林带", xs, {
        "close": close.iloc[last].tolist(),
        "upper": table["bb_upper"].iloc[last].tolist(),
        "lower": table["bb_lower"].iloc[last].tolist(),
    })
    plot_curves("MACD (12, 26) and its signal (9) / MACD 与信号线", xs, {
        "macd": table["macd"].iloc[last].tolist(),
        "signal": table["signal"].iloc[last].tolist(),
    })
    plot_curves("RSI (14) / 相对强弱指数", xs, {
        "rsi": table["rsi"].iloc[last].tolist(),
        "70": [70.0] * 120,
        "30": [30.0] * 120,
    })
    inside = ((close >= table["bb_lower"]) & (close <= table["bb_upper"]))[19:].mean()
    print(f"share of days inside the bands / 落在布林带内的天数比例：{inside:.2f}")


# --------------------------------------------------------------------------------------------
# 3. Split, scaler and windows
# --------------------------------------------------------------------------------------------


def windows(z: np.ndarray, targets, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs z[t - window : t] and target z[t] for every target index t (horizon 1)."""
    X = np.stack([z[t - window:t] for t in targets])
    return X, z[np.asarray(list(targets))]


def part_windows(series: np.ndarray) -> None:
    heading("Chronological split, scaler and windows", "按时间切分、标准化与滑动窗口")
    train = series[:N_TRAIN]
    mean, std = train.mean(), train.std()
    print(f"train = first {N_TRAIN} values, test = last {N_VALUES - N_TRAIN} / 训练集取前 {N_TRAIN} 个值，"
          f"测试集取后 {N_VALUES - N_TRAIN} 个")
    print(f"scaler fitted on the training part / 只用训练部分拟合：mean {mean:.2f}, std {std:.2f}")
    print(f"what the whole series would give (a leak) / 用整个序列会得到（泄漏）："
          f"mean {series.mean():.2f}, "
          f"std {series.std():.2f}")
    z = (series - mean) / std
    X_train, y_train = windows(z, range(WINDOW, N_TRAIN), WINDOW)
    X_test, y_test = windows(z, range(N_TRAIN, N_VALUES), WINDOW)
    print(f"X_train {X_train.shape}, y_train {y_train.shape}, X_test {X_test.shape}, y_test {y_test.shape}")
    print(f"first training window covers z[0:{WINDOW}], its target is z[{WINDOW}] / "
          f"第一个训练窗口是 z[0:{WINDOW}]，目标是 z[{WINDOW}]")
    print(f"highest scaled value in training / 训练部分最大的标准化值：{z[:N_TRAIN].max():.2f}; "
          f"in the test part / 测试部分：{z[N_TRAIN:].max():.2f}  (the trend leaves the training range / "
          "趋势把测试值推出了训练范围)")


# --------------------------------------------------------------------------------------------
# 4. Baselines and LSTMs
# --------------------------------------------------------------------------------------------


def train_lstm(X: np.ndarray, y: np.ndarray, epochs: int = 30):
    import torch
    from torch import nn

    class Forecaster(nn.Module):
        def __init__(self, hidden=32):
            super().__init__()
            self.lstm = nn.LSTM(input_size=1, hidden_size=hidden, batch_first=True)
            self.head = nn.Linear(hidden, 1)

        def forward(self, x):                    # x: (batch, window)
            out, _ = self.lstm(x.unsqueeze(-1))  # (batch, window, hidden)
            return self.head(out[:, -1]).squeeze(-1)

    torch.manual_seed(0)
    model = Forecaster()
    X_t, y_t = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    steps = epochs * ((len(X_t) + 31) // 32)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2, total_steps=steps)
    model.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(X_t)).split(32):  # shuffle the windows of the training part only
            optimizer.zero_grad()
            nn.functional.mse_loss(model(X_t[batch]), y_t[batch]).backward()
            optimizer.step()
            schedule.step()
    model.eval()

    def predict(inputs: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return model(torch.as_tensor(inputs, dtype=torch.float32)).double().numpy()

    return predict


def part_models(series: np.ndarray) -> None:
    heading("Baselines against LSTMs", "朴素基线与 LSTM 对比")
    import torch

    torch.set_num_threads(1)  # a small LSTM trains fastest on one thread
    train = series[:N_TRAIN]
    train_targets, test_targets = range(WINDOW, N_TRAIN), range(N_TRAIN, N_VALUES)
    raw_test, y_test = windows(series, test_targets, WINDOW)  # unscaled: what the forecaster knows, and the truth
    forecasts = {
        "last value": raw_test[:, -1],
        "moving average (5)": raw_test[:, -5:].mean(axis=1),
    }

    # LSTM 1: levels, standardised with the training mean and std.
    mean, std = train.mean(), train.std()
    z = (series - mean) / std
    X_train, y_train = windows(z, train_targets, WINDOW)
    level_model = train_lstm(X_train, y_train)
    forecasts["LSTM on levels"] = level_model(windows(z, test_targets, WINDOW)[0]) * std + mean

    # LSTM 2: each window minus its last value; the target is the next change, in units of a typical step.
    step = np.diff(train).std()
    raw_train, next_train = windows(series, train_targets, WINDOW)
    change_model = train_lstm((raw_train - raw_train[:, -1:]) / (4 * step), (next_train - raw_train[:, -1]) / step)
    forecasts["LSTM on changes"] = raw_test[:, -1] + change_model((raw_test - raw_test[:, -1:]) / (4 * step)) * step

    baseline = np.mean((forecasts["last value"] - y_test) ** 2)
    print(f"{'forecast / 预测方法':<24}{'test MSE':>10}{'÷ last value':>14}")
    for name, predicted in forecasts.items():
        mse = np.mean((predicted - y_test) ** 2)
        print(f"{name:<24}{mse:>10.3f}{mse / baseline:>14.2f}")
    print("noise variance (no forecast can beat it) / 噪声方差（任何预测都无法低于它）: 0.250")

    xs = list(range(N_VALUES - 60, N_VALUES))
    plot_curves("Last 60 test days / 测试集最后 60 天", xs, {
        "actual": y_test[-60:].tolist(),
        "LSTM on changes": forecasts["LSTM on changes"][-60:].tolist(),
        "last value": forecasts["last value"][-60:].tolist(),
    })


def main() -> None:
    series = make_series(N_VALUES, seed=0)
    part_series(series)
    part_indicators(series)
    part_windows(series)
    part_models(series)


if __name__ == "__main__":
    main()
