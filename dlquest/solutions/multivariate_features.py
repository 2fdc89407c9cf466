"""Reference solution for `multivariate_features`."""

import numpy as np
import pandas as pd

COLUMNS = ["log_return", "volatility", "volume_z", "dow_0", "dow_1", "dow_2", "dow_3", "dow_4"]


def make_features(ohlcv, vol_window=10, volume_window=20):
    close, volume = ohlcv["close"], ohlcv["volume"]
    out = pd.DataFrame(index=ohlcv.index)
    out["log_return"] = np.log(close / close.shift(1))
    out["volatility"] = out["log_return"].rolling(vol_window).std()  # sample std, trailing window
    out["volume_z"] = (volume - volume.rolling(volume_window).mean()) / volume.rolling(volume_window).std()
    weekday = ohlcv.index.day_of_week  # from each row's own date: holidays leave gaps in the week
    for day in range(5):
        out[f"dow_{day}"] = (weekday == day).astype(np.float64)
    first = max(vol_window, volume_window - 1)
    return out[COLUMNS].iloc[first:]


def make_windows(features, window):
    values = features.to_numpy(dtype=np.float64)
    returns = features["log_return"].to_numpy(dtype=np.float64)
    n = len(features) - window
    X = np.stack([values[i:i + window] for i in range(n)]) if n > 0 else np.empty((0, window, values.shape[1]))
    y = returns[window:window + n]  # the return of the step right after each window
    return X, y
