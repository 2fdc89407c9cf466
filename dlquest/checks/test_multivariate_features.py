"""Check for `multivariate_features`: every feature column against the reference, no look-ahead, and the windows.

The OHLCV table is generated from the seed: business days with a few holidays taken out (so a weekday cannot
be derived from a row's position), a close whose volatility drifts between calm and busy spells, and a volume
that rises with the size of the day's move. One test per feature, so a mistake in one is reported there; a
separate test recomputes the features on a table cut short and demands that no earlier value changes, which
is what a centred window, a shift the wrong way or a whole-series statistic break. The windows are judged on
a feature frame made here, so that a mistake in make_features is not blamed on make_windows.
"""

import numpy as np
import pandas as pd
import pytest

from dlquest.grader.checklib import expect_same

COLUMNS = ["log_return", "volatility", "volume_z", "dow_0", "dow_1", "dow_2", "dow_3", "dow_4"]


def ohlcv_table(seed, n=160):
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2024-01-01", periods=n + 6)
    holidays = rng.choice(np.arange(10, n), size=6, replace=False)
    days = days.delete(np.sort(holidays))
    sigma = 0.01 * np.exp(np.cumsum(rng.normal(0.0, 0.15, size=n)))  # slowly drifting volatility
    log_returns = rng.normal(0.0003, 1.0, size=n) * sigma
    close = 100.0 * np.exp(np.cumsum(log_returns))
    open_ = close * np.exp(rng.normal(0.0, 0.3, size=n) * sigma)
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0.0, 0.5, size=n)) * sigma)
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0.0, 0.5, size=n)) * sigma)
    volume = 1e6 * np.exp(rng.normal(0.0, 0.3, size=n) + 20.0 * np.abs(log_returns))
    return pd.DataFrame({"open": open_, "high": high, "low": low, "close": close, "volume": volume},
                        index=pd.DatetimeIndex(days, name="date"))


def columns(module, table, names, options):
    frame = module.make_features(table.copy(), **options)
    return {name: (frame[name].to_numpy(dtype=np.float64) if name in getattr(frame, "columns", ())
                   else f"no column {name!r}") for name in names}


def layout(module, table):
    original = table.copy()
    frame = module.make_features(table)
    if not isinstance(frame, pd.DataFrame):
        return {"type": type(frame).__name__}
    index = frame.index
    return {
        "type": "DataFrame",
        "columns": [str(name) for name in frame.columns],
        "rows": len(frame),
        "first date": str(index[0].date()) if len(index) and hasattr(index[0], "date") else repr(index[:1]),
        "dates are the table's": bool(index.isin(original.index).all()),
        "rows with NaN": int(frame.isna().any(axis=1).sum()),
        "ohlcv left unchanged": bool(table.equals(original)),
    }


def changed_by_later_rows(module, table, cut):
    """The columns whose values on the first `cut` days change when the days after them are added."""
    short = module.make_features(table.iloc[:cut].copy())
    full = module.make_features(table.copy())
    changed = []
    for name in COLUMNS:
        if name not in getattr(short, "columns", ()) or name not in getattr(full, "columns", ()):
            continue
        before = short[name].to_numpy(dtype=np.float64)
        after = full[name].reindex(short.index).to_numpy(dtype=np.float64)
        same = np.isclose(before, after, rtol=1e-9, atol=1e-12) | (np.isnan(before) & np.isnan(after))
        if not same.all():
            changed.append(name)
    return {"columns that change on earlier days when later days are added": ", ".join(changed) or "none"}


def test_dataframe_with_the_columns_and_rows_in_order(learner, reference, seed):
    expect_same(learner, reference, layout, ohlcv_table(seed), what="make_features(ohlcv)")


def test_log_returns(learner, reference, seed):
    expect_same(learner, reference, columns, ohlcv_table(seed), ["log_return"], {}, what="log_return")


def test_volatility(learner, reference, seed):
    expect_same(learner, reference, columns, ohlcv_table(seed), ["volatility"], {}, what="volatility (window 10)")


def test_volume_z_score(learner, reference, seed):
    expect_same(learner, reference, columns, ohlcv_table(seed), ["volume_z"], {}, what="volume_z (window 20)")


def test_day_of_week(learner, reference, seed):
    expect_same(learner, reference, columns, ohlcv_table(seed), COLUMNS[3:], {},
                what="dow_0 … dow_4 on business days with holidays")


def test_no_look_ahead(learner, reference, seed):
    expect_same(learner, reference, changed_by_later_rows, ohlcv_table(seed), 100,
                what="make_features on the first 100 days against the same days of the whole table")


OTHER_WINDOWS = {
    "short": {"vol_window": 3, "volume_window": 5},
    "long": {"vol_window": 30, "volume_window": 15},
}


@pytest.mark.parametrize("name", list(OTHER_WINDOWS))
def test_uses_the_given_windows(learner, reference, seed, name):
    expect_same(learner, reference, columns, ohlcv_table(seed + 1, n=120), COLUMNS, OTHER_WINDOWS[name],
                what=f"make_features(ohlcv, **{OTHER_WINDOWS[name]})")


def feature_frame(seed, n=40):
    rng = np.random.default_rng(seed + 7)
    frame = pd.DataFrame(rng.normal(size=(n, len(COLUMNS))), columns=COLUMNS,
                         index=pd.bdate_range("2024-03-01", periods=n))
    return frame


def call_windows(module, frame, window):
    return module.make_windows(frame.copy(), window)


def window_shapes(module, frame, window):
    X, y = call_windows(module, frame, window)
    return {"X": str(tuple(np.shape(X))), "y": str(tuple(np.shape(y)))}


def windows(module, frame, window):
    return np.asarray(call_windows(module, frame, window)[0], dtype=np.float64)


def targets(module, frame, window):
    return np.asarray(call_windows(module, frame, window)[1], dtype=np.float64)


WINDOWS = [5, 1, 12]


@pytest.mark.parametrize("window", WINDOWS)
def test_window_shapes(learner, reference, seed, window):
    expect_same(learner, reference, window_shapes, feature_frame(seed), window,
                what=f"shapes from make_windows(features of 40 rows × 8 columns, window={window})")


@pytest.mark.parametrize("window", WINDOWS)
def test_windows(learner, reference, seed, window):
    expect_same(learner, reference, windows, feature_frame(seed), window,
                what=f"X from make_windows(features, window={window})")


@pytest.mark.parametrize("window", WINDOWS)
def test_targets_are_the_next_return(learner, reference, seed, window):
    expect_same(learner, reference, targets, feature_frame(seed), window,
                what=f"y from make_windows(features, window={window})")
