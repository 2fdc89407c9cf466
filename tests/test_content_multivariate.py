"""Stage 3, unit time-series (issue 17): the `multivariate_features` check discriminates.

Graded exactly as `dlquest check` does (on the CPU):

- the untouched stub fails every test, and the reference solution passes;
- typical wrong implementations fail, each on the test aimed at its mistake, with its feedback code: a centred
  rolling window, look-ahead through shift(-1), a z-score over the whole series, NumPy's ddof=0, the weekday
  taken from the row number, the first full row miscounted, and y taken from the window's last row;
- correct implementations written differently from the reference pass: the check judges the contract.
"""

from __future__ import annotations

from textwrap import dedent

from discrimination import Cases, Wrong, four_way_tests, solution_source, variant

FEATURES = solution_source("multivariate_features")

VOLATILITY = 'out["volatility"] = out["log_return"].rolling(vol_window).std()'
LOG_RETURN = 'out["log_return"] = np.log(close / close.shift(1))'
VOLUME_Z = 'out["volume_z"] = (volume - volume.rolling(volume_window).mean()) / volume.rolling(volume_window).std()'
WEEKDAY = "weekday = ohlcv.index.day_of_week"

FEATURES_WRONG = {
    # A centred window reaches vol_window / 2 days into the future.
    "centred_rolling_window": Wrong(
        fails={"test_volatility": "nan_mismatch", "test_no_look_ahead": "value_differs"},
        source=variant(FEATURES, (VOLATILITY,
                                  'out["volatility"] = out["log_return"].rolling(vol_window, center=True).std()')),
    ),
    # shift(-1): the "return" of row t is the move from t to t + 1, tomorrow's.
    "look_ahead_by_shift_minus_one": Wrong(
        fails={"test_log_returns": "nan_mismatch", "test_no_look_ahead": "value_differs"},
        source=variant(FEATURES, (LOG_RETURN, 'out["log_return"] = np.log(close.shift(-1) / close)')),
    ),
    # A z-score over the whole table: every row knows the mean and spread of all the later volumes.
    "volume_z_of_the_whole_series": Wrong(
        fails={"test_volume_z_score": "value_mismatch", "test_no_look_ahead": "value_differs"},
        source=variant(FEATURES, (VOLUME_Z, 'out["volume_z"] = (volume - volume.mean()) / volume.std()')),
    ),
    # NumPy's population standard deviation instead of pandas' sample one.
    "population_std": Wrong(
        fails={"test_volatility": "value_mismatch", "test_uses_the_given_windows[short]": "value_mismatch"},
        source=variant(FEATURES, (VOLATILITY,
                                  'out["volatility"] = out["log_return"].rolling(vol_window).std(ddof=0)')),
    ),
    # The weekday from the row's position: right until the first holiday, off by one day after it.
    "weekday_from_row_number": Wrong(
        fails={"test_day_of_week": "value_mismatch", "test_uses_the_given_windows[long]": "value_mismatch"},
        source=variant(FEATURES, (WEEKDAY,
                                  "weekday = (ohlcv.index[0].day_of_week + np.arange(len(ohlcv))) % 5")),
    ),
    # Drops max(vol_window, volume_window) rows: one full row too many.
    "one_row_too_many_dropped": Wrong(
        fails={"test_dataframe_with_the_columns_and_rows_in_order": "value_mismatch"},
        source=variant(FEATURES, ("first = max(vol_window, volume_window - 1)",
                                  "first = max(vol_window, volume_window)")),
    ),
    # Forgets to drop the incomplete rows: NaN left at the start.
    "incomplete_rows_kept": Wrong(
        fails={"test_dataframe_with_the_columns_and_rows_in_order": "value_mismatch"},
        source=variant(FEATURES, ("return out[COLUMNS].iloc[first:]", "return out[COLUMNS]")),
    ),
    # y from the last row of each window: a return the model already sees in X[i].
    "target_from_the_windows_last_row": Wrong(
        fails={"test_targets_are_the_next_return[5]": "value_mismatch",
               "test_targets_are_the_next_return[1]": "value_mismatch",
               "test_targets_are_the_next_return[12]": "value_mismatch"},
        only=True,
        source=variant(FEATURES, ("y = returns[window:window + n]", "y = returns[window - 1:window - 1 + n]")),
    ),
    # The windows start one row late (rows i + 1 … i + window), so the last one contains its own target.
    "windows_shifted_by_one": Wrong(
        fails={"test_windows[5]": "value_mismatch"},
        source=variant(FEATURES, ("X = np.stack([values[i:i + window] for i in range(n)])",
                                  "X = np.stack([values[i + 1:i + 1 + window] for i in range(n)])")),
    ),
}

FEATURES_CORRECT = {
    # dropna instead of counting the leading rows; NumPy loops for the rolling statistics; sliding windows.
    "numpy_loops_and_sliding_windows": dedent('''
        import numpy as np
        import pandas as pd
        from numpy.lib.stride_tricks import sliding_window_view

        COLUMNS = ["log_return", "volatility", "volume_z", "dow_0", "dow_1", "dow_2", "dow_3", "dow_4"]


        def trailing(values, width, statistic):
            out = np.full(len(values), np.nan)
            for t in range(width - 1, len(values)):
                out[t] = statistic(values[t - width + 1:t + 1])
            return out


        def make_features(ohlcv, vol_window=10, volume_window=20):
            close = ohlcv["close"].to_numpy()
            volume = ohlcv["volume"].to_numpy()
            returns = np.concatenate([[np.nan], np.diff(np.log(close))])
            data = {
                "log_return": returns,
                "volatility": trailing(returns, vol_window, lambda w: np.std(w, ddof=1)),
                "volume_z": (volume - trailing(volume, volume_window, np.mean))
                            / trailing(volume, volume_window, lambda w: np.std(w, ddof=1)),
            }
            for day in range(5):
                data[f"dow_{day}"] = np.where(ohlcv.index.weekday == day, 1.0, 0.0)
            return pd.DataFrame(data, index=ohlcv.index)[COLUMNS].dropna()


        def make_windows(features, window):
            values = features.to_numpy(dtype=float)
            X = sliding_window_view(values, window, axis=0)[:-1].transpose(0, 2, 1)
            y = values[window:, 0]
            return np.ascontiguousarray(X), y
    '''),
    # diff of the log close, pandas' dummies for the weekday, lists of windows.
    "diff_and_dummies": dedent('''
        import numpy as np
        import pandas as pd

        COLUMNS = ["log_return", "volatility", "volume_z", "dow_0", "dow_1", "dow_2", "dow_3", "dow_4"]


        def make_features(ohlcv, vol_window=10, volume_window=20):
            log_return = np.log(ohlcv["close"]).diff()
            rolling = ohlcv["volume"].rolling(volume_window)
            weekday = pd.Categorical(ohlcv.index.dayofweek, categories=range(5))
            days = pd.get_dummies(weekday, prefix="dow", dtype=float).set_axis(ohlcv.index)
            frame = pd.concat([log_return.rename("log_return"),
                               log_return.rolling(vol_window).std().rename("volatility"),
                               ((ohlcv["volume"] - rolling.mean()) / rolling.std()).rename("volume_z"),
                               days], axis=1)
            return frame[COLUMNS].iloc[max(vol_window, volume_window - 1):].copy()


        def make_windows(features, window):
            rows = features.to_numpy()
            X, y = [], []
            for end in range(window, len(rows)):
                X.append(rows[end - window:end])
                y.append(features["log_return"].iloc[end])
            return np.array(X, dtype=float), np.array(y, dtype=float)
    '''),
}

CASES = {"multivariate_features": Cases(FEATURES_WRONG, FEATURES_CORRECT)}

(test_stub_fails, test_solution_passes, test_typical_mistake_fails_with_its_code,
 test_other_correct_implementation_passes) = four_way_tests(CASES)
