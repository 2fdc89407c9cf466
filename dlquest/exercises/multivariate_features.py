"""Exercise `multivariate_features`: features from an OHLCV table, and (X, y) windows for the next return.

Implement ``make_features(ohlcv, vol_window=10, volume_window=20)`` and ``make_windows(features, window)``.
The grader checks exactly this contract:

- ``ohlcv`` is a pandas DataFrame with a DatetimeIndex of trading days in time order (Monday to Friday, with
  gaps: holidays are missing) and the float64 columns ``open``, ``high``, ``low``, ``close`` and ``volume``
  (no missing values, all > 0). Do not modify it.
- ``make_features`` returns a new DataFrame with exactly these columns, in this order:

      log_return, volatility, volume_z, dow_0, dow_1, dow_2, dow_3, dow_4

  Below, c_t and v_t are ``close`` and ``volume`` at row t (t = 0, 1, …). No look-ahead: a feature at row t
  uses rows 0 … t only (trailing windows that end at row t; never a centred window, never ``shift(-1)``,
  never a statistic of the whole table).
  ``log_return``  r_t = ln(c_t / c_(t−1)); undefined at row 0.
  ``volatility``  the *sample* standard deviation (ddof=1, pandas' default; not NumPy's ddof=0) of the last
                  ``vol_window`` log returns r_(t−vol_window+1) … r_t, ``log_return.rolling(vol_window).std()``.
                  Not annualised. First defined at row ``vol_window`` (the window must not contain row 0).
  ``volume_z``    (v_t − m_t) / s_t, where m_t and s_t are the mean and the sample standard deviation (ddof=1)
                  of the last ``volume_window`` volumes v_(t−volume_window+1) … v_t (row t included).
                  First defined at row ``volume_window − 1``.
  ``dow_k``       1.0 when row t's own date is weekday k (Monday = 0, …, Friday = 4, what
                  ``index.day_of_week`` gives), else 0.0. Take it from the date, not from the row's position:
                  holidays break the five-day rhythm.
- Keep only the rows where every feature is defined: drop the first max(vol_window, volume_window − 1) rows
  and keep all the others. The index is the dates of the rows kept. No NaN remains.
- ``make_windows(features, window)``: ``features`` is a DataFrame like the one make_features returns (any
  number of rows greater than ``window``, the columns above, in that order), ``window`` ≥ 1. Return
  ``(X, y)`` as NumPy float arrays, with n = len(features) − window samples, in time order:
      X has shape (n, window, n_features): X[i] is rows i … i + window − 1 of features, all columns in order.
      y has shape (n,): y[i] is the ``log_return`` of row i + window, the step right after X[i]'s last row
      (the next step's return, which X[i] does not contain).
- Values are compared to floating-point tolerance.

Check your work with:  dlquest check multivariate_features
"""

import numpy as np
import pandas as pd

COLUMNS = ["log_return", "volatility", "volume_z", "dow_0", "dow_1", "dow_2", "dow_3", "dow_4"]


def make_features(ohlcv, vol_window=10, volume_window=20):
    # TODO: log returns from `close`, trailing rolling(...).std() and .mean(), weekdays from the index;
    #       then drop the leading rows where a window is not full yet.
    raise NotImplementedError("make_features")


def make_windows(features, window):
    # TODO: X[i] = the `window` rows starting at row i; y[i] = log_return of the row after them.
    raise NotImplementedError("make_windows")
