"""Reference solution for `technical_indicators`."""

import numpy as np
import pandas as pd

COLUMNS = ["return", "log_return", "sma", "ema_fast", "ema_slow", "macd", "macd_signal", "macd_hist", "rsi",
           "bb_middle", "bb_upper", "bb_lower"]


def technical_indicators(close, sma_window=10, fast=12, slow=26, signal=9, rsi_window=14, bb_window=20,
                         bb_k=2.0):
    out = pd.DataFrame(index=close.index)
    out["return"] = close.pct_change()
    out["log_return"] = np.log(close / close.shift(1))
    out["sma"] = close.rolling(sma_window).mean()
    out["ema_fast"] = close.ewm(span=fast).mean()
    out["ema_slow"] = close.ewm(span=slow).mean()
    out["macd"] = out["ema_fast"] - out["ema_slow"]
    out["macd_signal"] = out["macd"].ewm(span=signal).mean()
    out["macd_hist"] = out["macd"] - out["macd_signal"]

    delta = close.diff()
    mean_gain = delta.clip(lower=0).rolling(rsi_window).mean()  # clip keeps the NaN of row 0
    mean_loss = (-delta).clip(lower=0).rolling(rsi_window).mean()
    rsi = 100 - 100 / (1 + mean_gain / mean_loss)
    out["rsi"] = rsi.mask(mean_loss == 0, 100.0)  # NaN == 0 is False: incomplete windows stay NaN

    middle = close.rolling(bb_window).mean()
    spread = bb_k * close.rolling(bb_window).std()
    out["bb_middle"] = middle
    out["bb_upper"] = middle + spread
    out["bb_lower"] = middle - spread
    return out[COLUMNS]
