"""Example for the lesson "multivariate-time-series" / 多变量时间序列.

Run it with `dlquest run multivariate-time-series` (or `python dlquest/lessons/examples/multivariate_time_series.py`).
It needs no network access, uses fixed seeds and finishes in a few seconds on two CPU cores.

1. A synthetic OHLCV table made here: trading days with holidays, a volatility that comes in calm and busy
   spells, and a volume that rises with the size of the day's move and on Mondays.
2. Features with no look-ahead: log returns, rolling volatility, a volume z-score and day-of-week one-hot
   columns; a check that adding later days changes no earlier value.
3. The correlation heat map of the features and of the next day's return and its size, in the terminal.
4. Windows of shape (n, window, n_features) for an LSTM, and what the extra variables are worth: a linear fit
   of the size of tomorrow's move, from the return alone and from all features.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from termplot import heading, plot_curves

BLOCKS = " ░▒▓█"  # the size of a correlation, 0 to 1; its sign is in the number beside it
N_DAYS, VOL_WINDOW, VOLUME_WINDOW, WINDOW = 750, 10, 20, 20
COLUMNS = ["log_return", "volatility", "volume_z", "dow_0", "dow_1", "dow_2", "dow_3", "dow_4"]


def make_ohlcv(n=N_DAYS, seed=0) -> pd.DataFrame:
    """Open, high, low, close and volume on n trading days (business days, a few holidays left out)."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2022-01-03", periods=n + 15)
    days = days.delete(np.sort(rng.choice(np.arange(5, n + 15), size=15, replace=False)))
    # Calm and busy spells: a hidden state that changes on about one day in 50 sets the day's volatility.
    busy = np.zeros(n, dtype=bool)
    for t in range(1, n):
        busy[t] = busy[t - 1] != (rng.random() < 0.02)
    sigma = np.where(busy, 0.022, 0.006)
    returns = 0.0003 + sigma * rng.standard_normal(n)
    close = 100.0 * np.exp(np.cumsum(returns))
    open_ = close * np.exp(0.3 * sigma * rng.standard_normal(n))
    high = np.maximum(open_, close) * np.exp(np.abs(0.5 * sigma * rng.standard_normal(n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(0.5 * sigma * rng.standard_normal(n)))
    monday = np.asarray(days.day_of_week == 0, dtype=np.float64)
    volume = 2e6 * np.exp(0.25 * rng.standard_normal(n) + 25.0 * np.abs(returns) + 0.3 * monday)
    return pd.DataFrame({"open": open_, "high": high, "low": low, "close": close, "volume": volume},
                        index=pd.DatetimeIndex(days, name="date"))


# --------------------------------------------------------------------------------------------
# 1. The table
# --------------------------------------------------------------------------------------------


def part_table(table: pd.DataFrame) -> None:
    heading("A synthetic OHLCV table", "合成的 OHLCV 表")
    with pd.option_context("display.width", 120, "display.precision", 2):
        print(table.head(4))
    gaps = int((np.diff(table.index.day_of_week) % 5 != 1).sum())
    print(f"{len(table)} trading days / 个交易日; weeks with a missing day (holidays) / 缺一天的星期：{gaps}")
    xs = list(range(0, len(table), 5))
    plot_curves("Close (every 5th day) / 收盘价", xs, {"close": table["close"].iloc[::5].tolist()})
    plot_curves("Volume, millions (every 5th day) / 成交量（百万）", xs,
                {"volume": (table["volume"].iloc[::5] / 1e6).tolist()})


# --------------------------------------------------------------------------------------------
# 2. Features without look-ahead
# --------------------------------------------------------------------------------------------


def make_features(table: pd.DataFrame, vol_window=VOL_WINDOW, volume_window=VOLUME_WINDOW) -> pd.DataFrame:
    close, volume = table["close"], table["volume"]
    out = pd.DataFrame(index=table.index)
    out["log_return"] = np.log(close / close.shift(1))                  # uses c_(t-1) and c_t
    out["volatility"] = out["log_return"].rolling(vol_window).std()     # trailing window, ddof=1
    mean, std = volume.rolling(volume_window).mean(), volume.rolling(volume_window).std()
    out["volume_z"] = (volume - mean) / std                             # today against the last 20 days
    for day in range(5):                                                # from the date, not the position
        out[f"dow_{day}"] = (table.index.day_of_week == day).astype(np.float64)
    return out[COLUMNS].iloc[max(vol_window, volume_window - 1):]       # drop the rows with a partial window


def part_features(table: pd.DataFrame) -> pd.DataFrame:
    heading("Features with no look-ahead", "不含未来信息的特征")
    features = make_features(table)
    with pd.option_context("display.width", 120, "display.precision", 3):
        print(features.head(5))
    print(f"rows dropped at the start / 开头去掉的行数：{len(table) - len(features)} "
          f"(= max({VOL_WINDOW}, {VOLUME_WINDOW} − 1)); NaN left / 剩余 NaN：{int(features.isna().sum().sum())}")

    # The test for look-ahead: recompute on the first 300 days only; no earlier value may change.
    short = make_features(table.iloc[:300])
    same = np.allclose(short, features.loc[short.index])
    print(f"features of the first 300 days unchanged by the later days / 前 300 天的特征不受之后数据影响：{same}")
    # A centred window reads 5 days ahead: on the short table its last values cannot even be computed.
    returns = np.log(table["close"]).diff()
    centred_full = returns.rolling(VOL_WINDOW, center=True).std().iloc[:300]
    centred_short = returns.iloc[:300].rolling(VOL_WINDOW, center=True).std()
    needs_future = int((centred_short.isna() & centred_full.notna()).sum())
    print(f"with rolling(..., center=True) / 若用居中窗口：{needs_future} of the first 300 values need later days "
          f"/ 前 300 个值中有 {needs_future} 个要用到之后的数据")
    return features


# --------------------------------------------------------------------------------------------
# 3. Correlations
# --------------------------------------------------------------------------------------------


def shaded_table(matrix: pd.DataFrame) -> None:
    """Correlations as numbers, each with a shade for its size (blank = 0, █ = ±1)."""
    names = [str(name)[:10] for name in matrix.columns]
    print(" " * 12 + "".join(f"{name:>11}" for name in names))
    for name, row in zip(names, matrix.to_numpy()):
        cells = "".join(f"{v:+7.2f} {BLOCKS[round(abs(v) * (len(BLOCKS) - 1))] * 2} " for v in row)
        print(f"{name:>12} {cells}")


def part_correlation(features: pd.DataFrame) -> None:
    heading("Correlation heat map", "相关性热力图")
    frame = features[["log_return", "volatility", "volume_z", "dow_0", "dow_4"]].copy()
    frame["next_ret"] = features["log_return"].shift(-1)        # the targets, for inspection only
    frame["next_size"] = frame["next_ret"].abs()
    corr = frame.dropna().corr()
    shaded_table(corr)
    print("dow_0 and dow_4 are shown for two of the five days / dow_0 与 dow_4 代表五个星期几列中的两个")
    print(f"next_ret vs volatility / 与波动率：{corr.loc['next_ret', 'volatility']:+.2f}  "
          f"(direction: nothing to find / 方向：无规律可循)")
    print(f"next_size vs volatility / 与波动率：{corr.loc['next_size', 'volatility']:+.2f}  "
          f"(busy days cluster / 大波动会扎堆)")
    print(f"volume_z vs dow_0 (Monday) / 与周一：{corr.loc['volume_z', 'dow_0']:+.2f}")


# --------------------------------------------------------------------------------------------
# 4. Windows for an LSTM, and what the extra variables are worth
# --------------------------------------------------------------------------------------------


def make_windows(features: pd.DataFrame, window: int) -> tuple[np.ndarray, np.ndarray]:
    values = features.to_numpy()
    X = np.stack([values[i:i + window] for i in range(len(values) - window)])
    y = features["log_return"].to_numpy()[window:]     # the return of the day after each window
    return X, y


def r_squared(X_train, y_train, X_test, y_test) -> float:
    design = lambda X: np.column_stack([np.ones(len(X)), X])  # noqa: E731 (a one-line helper)
    weights, *_ = np.linalg.lstsq(design(X_train), y_train, rcond=None)
    residual = y_test - design(X_test) @ weights
    return 1.0 - residual.var() / y_test.var()


def part_windows(features: pd.DataFrame) -> None:
    import torch
    from torch import nn

    heading("Multivariate windows", "多变量窗口")
    X, y = make_windows(features, WINDOW)
    print(f"X {X.shape} = (samples, window, features) / (样本数, 窗口长度, 特征数); y {y.shape}")
    print(f"X[0] covers rows 0 … {WINDOW - 1}, y[0] is the log return of row {WINDOW} / "
          f"X[0] 覆盖第 0 … {WINDOW - 1} 行，y[0] 是第 {WINDOW} 行的对数收益率")
    torch.manual_seed(0)
    lstm = nn.LSTM(input_size=X.shape[2], hidden_size=16, batch_first=True)
    out, _ = lstm(torch.tensor(X[:32], dtype=torch.float32))
    print(f"nn.LSTM(input_size={X.shape[2]}, hidden_size=16) on 32 windows → {tuple(out.shape)}; "
          f"the head reads out[:, -1] / 输出头读取 out[:, -1]")

    # The size of tomorrow's move, fitted by least squares on each window's last day; split in time.
    last, size = X[:, -1, :], np.abs(y)
    split = int(0.7 * len(y))
    inputs = {
        "|today's return| / 今天收益率的绝对值": np.abs(last[:, :1]),
        "volatility (10 days) / 10 日波动率": last[:, 1:2],
        f"all {X.shape[2]} features / 全部 {X.shape[2]} 个特征": np.column_stack([np.abs(last[:, :1]), last[:, 1:]]),
    }
    print("R² on the last 30% for the size of tomorrow's move / 在最后 30% 上预测明日波动幅度的 R²：")
    for label, columns in inputs.items():
        print(f"  {r_squared(columns[:split], size[:split], columns[split:], size[split:]):+.3f}  from / 输入 {label}")
    print("tomorrow's direction stays a coin toss; its size is what the extra variables predict / "
          "明天的涨跌方向仍像掷硬币，额外的变量能预测的是波动的大小")


def main() -> None:
    table = make_ohlcv()
    part_table(table)
    features = part_features(table)
    part_correlation(features)
    part_windows(features)


if __name__ == "__main__":
    main()
