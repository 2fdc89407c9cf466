"""Check for `technical_indicators`: every column against the reference (pandas), NaN positions exactly.

Prices are a seeded random walk on business days. One test per group of columns, so that a mistake in one
indicator is reported there; a separate series with a flat and a rising stretch judges the RSI rule for a
mean loss of 0. Its prices are multiples of 1/4, so every difference and every rolling sum is exact.
"""

import numpy as np
import pandas as pd
import pytest

from dlquest.grader.checklib import expect_same

COLUMNS = ["return", "log_return", "sma", "ema_fast", "ema_slow", "macd", "macd_signal", "macd_hist", "rsi",
           "bb_middle", "bb_upper", "bb_lower"]


def prices(seed, n=120):
    rng = np.random.default_rng(seed)
    values = 100.0 * np.exp(np.cumsum(rng.normal(0.0005, 0.02, size=n)))
    return pd.Series(values, index=pd.bdate_range("2024-01-01", periods=n), name="close")


def flat_then_rising(seed):
    """Quarter steps up and down, then 20 equal prices, then 20 rises, then steps again."""
    rng = np.random.default_rng(seed)
    steps = np.concatenate([rng.integers(-4, 5, size=30), np.zeros(20), rng.integers(1, 4, size=20),
                            rng.integers(-4, 5, size=20)]) * 0.25
    return pd.Series(80.0 + np.cumsum(steps), index=pd.RangeIndex(100, 100 + len(steps)), name="close")


def columns(module, close, names, options):
    frame = module.technical_indicators(close.copy(), **options)
    return {name: (frame[name].to_numpy(dtype=np.float64) if name in getattr(frame, "columns", ())
                   else f"no column {name!r}") for name in names}


def layout(module, close):
    original = close.copy()
    frame = module.technical_indicators(close)
    if not isinstance(frame, pd.DataFrame):
        return {"type": type(frame).__name__}
    return {
        "type": "DataFrame",
        "columns": [str(name) for name in frame.columns],
        "same index as close": bool(frame.index.equals(original.index)),
        "close left unchanged": bool(close.equals(original)),
    }


def test_dataframe_with_the_columns_in_order(learner, reference, seed):
    expect_same(learner, reference, layout, prices(seed), what="technical_indicators(close)")


def test_returns(learner, reference, seed):
    expect_same(learner, reference, columns, prices(seed), ["return", "log_return"], {}, what="returns")


def test_moving_averages(learner, reference, seed):
    expect_same(learner, reference, columns, prices(seed), ["sma", "ema_fast", "ema_slow"], {},
                what="moving averages")


def test_macd(learner, reference, seed):
    expect_same(learner, reference, columns, prices(seed), ["macd", "macd_signal", "macd_hist"], {},
                what="MACD")


def test_rsi(learner, reference, seed):
    expect_same(learner, reference, columns, prices(seed), ["rsi"], {}, what="RSI (window 14)")


def test_rsi_is_100_when_the_mean_loss_is_0(learner, reference, seed):
    expect_same(learner, reference, columns, flat_then_rising(seed), ["rsi"], {"rsi_window": 6},
                what="RSI over flat and rising stretches (window 6)")


def test_bollinger_bands(learner, reference, seed):
    expect_same(learner, reference, columns, prices(seed), ["bb_middle", "bb_upper", "bb_lower"], {},
                what="Bollinger bands")


OTHER_WINDOWS = {
    "short": {"sma_window": 5, "fast": 3, "slow": 7, "signal": 4, "rsi_window": 6, "bb_window": 8, "bb_k": 1.5},
    "long": {"sma_window": 30, "fast": 20, "slow": 50, "signal": 12, "rsi_window": 21, "bb_window": 40,
             "bb_k": 2.5},
}


@pytest.mark.parametrize("name", list(OTHER_WINDOWS))
def test_uses_the_given_windows(learner, reference, seed, name):
    expect_same(learner, reference, columns, prices(seed + 1, n=90), COLUMNS, OTHER_WINDOWS[name],
                what=f"technical_indicators(close, **{OTHER_WINDOWS[name]})")
