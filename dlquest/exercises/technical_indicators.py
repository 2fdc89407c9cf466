"""Exercise `technical_indicators`: returns, moving averages, MACD, RSI and Bollinger bands (pandas).

Implement ``technical_indicators(close, sma_window=10, fast=12, slow=26, signal=9, rsi_window=14,
bb_window=20, bb_k=2.0)``. The grader checks exactly this contract:

- ``close`` is a pandas Series of float64 closing prices (no missing values, all > 0) with any index, for
  instance a DatetimeIndex. Do not modify it.
- Return a new pandas DataFrame with the same index as ``close`` and exactly these columns, in this order:

      return, log_return, sma, ema_fast, ema_slow, macd, macd_signal, macd_hist, rsi,
      bb_middle, bb_upper, bb_lower

- Below, x_t is ``close`` at row t (t = 0, 1, …). "NaN where the window is incomplete" means exactly the
  rows pandas' ``rolling(w)`` leaves as NaN (its default ``min_periods=w``): the first w − 1 rows.
  ``return``      r_t = x_t / x_(t−1) − 1, what ``close.pct_change()`` gives. Row 0 is NaN.
  ``log_return``  ln(x_t / x_(t−1)). Row 0 is NaN.
  ``sma``         the mean of the last ``sma_window`` prices, ``close.rolling(sma_window).mean()``:
                  NaN in the first sma_window − 1 rows.
  ``ema_fast``    ``close.ewm(span=fast).mean()`` with pandas' defaults (``adjust=True``, no NaN rows):
                  with α = 2 / (span + 1),
                      EMA_t = (x_t + (1−α) x_(t−1) + (1−α)² x_(t−2) + … + (1−α)^t x_0)
                              / (1 + (1−α) + (1−α)² + … + (1−α)^t)
                  so EMA_0 = x_0. (Not the recursive form EMA_t = α x_t + (1−α) EMA_(t−1), which is
                  ``adjust=False`` and differs in the early rows.)
  ``ema_slow``    the same with span = ``slow``.
  ``macd``        ema_fast − ema_slow.
  ``macd_signal`` the EMA (same formula, adjust=True) of the ``macd`` column with span = ``signal``.
  ``macd_hist``   macd − macd_signal.
  ``rsi``         with d_t = x_t − x_(t−1) (undefined, NaN, at row 0), gain_t = max(d_t, 0) and
                  loss_t = max(−d_t, 0) (both NaN at row 0): mean gain and mean loss are the simple
                  rolling means over the last ``rsi_window`` rows, ``rolling(rsi_window).mean()``, so
                  they are NaN in rows 0 … rsi_window − 1 (a window that contains row 0 is incomplete)
                  and the first RSI value is at row ``rsi_window``. Then
                      RS = mean gain / mean loss,   RSI = 100 − 100 / (1 + RS).
                  When the mean loss is exactly 0 (only rises, or a flat window), RSI = 100.
  ``bb_middle``   ``close.rolling(bb_window).mean()``.
  ``bb_upper``    bb_middle + bb_k · s,  ``bb_lower``  bb_middle − bb_k · s, where s is the rolling
                  *sample* standard deviation over the same window, ``close.rolling(bb_window).std()``
                  (divides by bb_window − 1, pandas' default ddof=1; not NumPy's default ddof=0).
                  All three are NaN in the first bb_window − 1 rows.
- Values are compared to floating-point tolerance, and NaN positions exactly.

Check your work with:  dlquest check technical_indicators
"""

import numpy as np
import pandas as pd

COLUMNS = ["return", "log_return", "sma", "ema_fast", "ema_slow", "macd", "macd_signal", "macd_hist", "rsi",
           "bb_middle", "bb_upper", "bb_lower"]


def technical_indicators(close, sma_window=10, fast=12, slow=26, signal=9, rsi_window=14, bb_window=20,
                         bb_k=2.0):
    # TODO: build each column from `close` with pct_change, np.log, rolling(...).mean()/.std(),
    #       ewm(span=...).mean() and diff(); return pd.DataFrame({...}, index=close.index)[COLUMNS].
    raise NotImplementedError("technical_indicators")
