"""Stage 3, unit `timeseries-project`: the lesson, its example, and every exercise's check discriminates.

For each exercise: the untouched stub fails, the reference solution passes, typical wrong implementations
fail on the test aimed at their mistake with a meaningful feedback code, and correct implementations
written differently from the reference pass. Graded on the CPU through `grade_source` (tests/conftest.py).
The reference `technical_indicators` is also compared with pandas (and the EMA with its written formula)
directly, and the course's series generator is the same function wherever it is copied.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from textwrap import dedent

import numpy as np
import pandas as pd
import pytest
import torch

from discrimination import Cases, Wrong, four_way_tests, load_solution, variant

EXERCISES = ["technical_indicators", "windowed_dataset", "lstm_forecaster"]
LESSON = "time-series-forecasting"
PACKAGE = Path(__file__).resolve().parents[1] / "dlquest"


# === technical_indicators =================================================================================
INDICATORS = dedent('''
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
        mean_gain = delta.clip(lower=0).rolling(rsi_window).mean()
        mean_loss = (-delta).clip(lower=0).rolling(rsi_window).mean()
        rsi = 100 - 100 / (1 + mean_gain / mean_loss)
        out["rsi"] = rsi.mask(mean_loss == 0, 100.0)
        middle = close.rolling(bb_window).mean()
        spread = bb_k * close.rolling(bb_window).std()
        out["bb_middle"] = middle
        out["bb_upper"] = middle + spread
        out["bb_lower"] = middle - spread
        return out[COLUMNS]
''')

LAYOUT = "test_dataframe_with_the_columns_in_order"
RETURNS = "test_returns"
AVERAGES = "test_moving_averages"
MACD = "test_macd"
RSI = "test_rsi"
RSI_FLAT = "test_rsi_is_100_when_the_mean_loss_is_0"
BANDS = "test_bollinger_bands"
SHORT, LONG = "test_uses_the_given_windows[short]", "test_uses_the_given_windows[long]"

INDICATORS_WRONG = {
    # The recursive EMA (adjust=False): the early rows differ, and so does everything built on the EMAs.
    "ema_with_adjust_false": Wrong(
        fails={AVERAGES: "value_mismatch", MACD: "value_mismatch", SHORT: "value_mismatch"},
        source=INDICATORS.replace(".ewm(span=fast)", ".ewm(span=fast, adjust=False)")
                         .replace(".ewm(span=slow)", ".ewm(span=slow, adjust=False)")
                         .replace(".ewm(span=signal)", ".ewm(span=signal, adjust=False)"),
    ),
    # The outline's `where`: the NaN of row 0 becomes a 0 gain and a 0 loss, so RSI starts one row early.
    "rsi_where_turns_the_first_nan_into_0": Wrong(
        fails={RSI: "nan_mismatch", RSI_FLAT: "nan_mismatch", SHORT: "nan_mismatch", LONG: "nan_mismatch"},
        only=True,
        source=variant(INDICATORS, ("delta.clip(lower=0).rolling", "delta.where(delta > 0, 0).rolling"),
                       ("(-delta).clip(lower=0).rolling", "(-delta.where(delta < 0, 0)).rolling")),
    ),
    # 0 / 0 in a flat window: NaN where the contract says 100.
    "rsi_nan_when_nothing_moves": Wrong(
        fails={RSI_FLAT: "nan_mismatch"},
        only=True,
        source=variant(INDICATORS, ('rsi.mask(mean_loss == 0, 100.0)', 'rsi')),
    ),
    # Wilder's exponential smoothing instead of the simple rolling means the contract asks for.
    "rsi_with_wilder_smoothing": Wrong(
        fails={RSI: "nan_mismatch"},
        source=variant(INDICATORS, ("delta.clip(lower=0).rolling(rsi_window).mean()",
                                    "delta.clip(lower=0).ewm(alpha=1 / rsi_window).mean()"),
                       ("(-delta).clip(lower=0).rolling(rsi_window).mean()",
                        "(-delta).clip(lower=0).ewm(alpha=1 / rsi_window).mean()")),
    ),
    # NumPy's population standard deviation (ddof=0): bands too narrow.
    "bands_with_population_std": Wrong(
        fails={BANDS: "value_mismatch", SHORT: "value_mismatch", LONG: "value_mismatch"},
        only=True,
        source=variant(INDICATORS, ("close.rolling(bb_window).std()", "close.rolling(bb_window).std(ddof=0)")),
    ),
    # The signal line smooths the prices instead of the MACD line.
    "signal_of_the_prices": Wrong(
        fails={MACD: "value_mismatch"},
        source=variant(INDICATORS, ('out["macd"].ewm(span=signal)', 'close.ewm(span=signal)')),
    ),
    # A hard-coded window: right with the defaults, wrong with any other.
    "ignores_the_bollinger_window": Wrong(
        fails={SHORT: "nan_mismatch", LONG: "nan_mismatch"},
        only=True,
        source=variant(INDICATORS, ("middle = close.rolling(bb_window).mean()", "middle = close.rolling(20).mean()"),
                       ("close.rolling(bb_window).std()", "close.rolling(20).std()")),
    ),
    # Columns in the order they were computed: RSI last.
    "columns_in_another_order": Wrong(
        fails={LAYOUT: "value_differs"},
        only=True,
        source=variant(INDICATORS, ("    return out[COLUMNS]",
                                    '    return out[[c for c in COLUMNS if c != "rsi"] + ["rsi"]]')),
    ),
}

INDICATORS_CORRECT = {
    # Plain NumPy loops: the EMA from its weighted-sum formula (numerator and denominator as recursions),
    # rolling means and sample standard deviations window by window, RSI with an explicit rule for 0 loss.
    "numpy_loops": dedent('''
        import numpy as np
        import pandas as pd


        def _rolling(values, window, reduce):
            out = np.full(len(values), np.nan)
            for end in range(window, len(values) + 1):
                chunk = values[end - window:end]
                if not np.isnan(chunk).any():
                    out[end - 1] = reduce(chunk)
            return out


        def _ema(values, span):
            keep = 1.0 - 2.0 / (span + 1.0)
            out = np.empty(len(values))
            numerator = denominator = 0.0
            for i, value in enumerate(values):
                numerator = value + keep * numerator
                denominator = 1.0 + keep * denominator
                out[i] = numerator / denominator
            return out


        def technical_indicators(close, sma_window=10, fast=12, slow=26, signal=9, rsi_window=14, bb_window=20,
                                 bb_k=2.0):
            x = close.to_numpy(dtype=float)
            previous = np.concatenate([[np.nan], x[:-1]])
            delta = x - previous
            gains = np.where(np.isnan(delta), np.nan, np.maximum(delta, 0.0))
            losses = np.where(np.isnan(delta), np.nan, np.maximum(-delta, 0.0))
            mean_gain = _rolling(gains, rsi_window, np.mean)
            mean_loss = _rolling(losses, rsi_window, np.mean)
            rsi = np.full(len(x), np.nan)
            for i in range(len(x)):
                if mean_loss[i] == 0:
                    rsi[i] = 100.0
                elif not np.isnan(mean_loss[i]):
                    rsi[i] = 100.0 - 100.0 / (1.0 + mean_gain[i] / mean_loss[i])
            ema_fast, ema_slow = _ema(x, fast), _ema(x, slow)
            macd = ema_fast - ema_slow
            macd_signal = _ema(macd, signal)
            middle = _rolling(x, bb_window, np.mean)
            std = _rolling(x, bb_window, lambda chunk: np.std(chunk, ddof=1))
            columns = {
                "return": x / previous - 1.0,
                "log_return": np.log(x) - np.log(previous),
                "sma": _rolling(x, sma_window, np.mean),
                "ema_fast": ema_fast,
                "ema_slow": ema_slow,
                "macd": macd,
                "macd_signal": macd_signal,
                "macd_hist": macd - macd_signal,
                "rsi": rsi,
                "bb_middle": middle,
                "bb_upper": middle + bb_k * std,
                "bb_lower": middle - bb_k * std,
            }
            return pd.DataFrame(columns, index=close.index)
    '''),
}


def test_reference_technical_indicators_equal_pandas(course):
    """The reference against pandas written out independently, and the EMA against its written formula."""
    solution = load_solution(course, "technical_indicators")
    rng = np.random.default_rng(3)
    close = pd.Series(50 * np.exp(np.cumsum(rng.normal(0, 0.03, 150))), index=pd.bdate_range("2023-05-01", periods=150))
    got = solution.technical_indicators(close)
    assert list(got.columns) == solution.COLUMNS and got.index.equals(close.index)

    pd.testing.assert_series_equal(got["return"], close.pct_change(), check_names=False)
    pd.testing.assert_series_equal(got["log_return"], np.log(close).diff(), check_names=False)
    pd.testing.assert_series_equal(got["sma"], close.rolling(window=10, min_periods=10).mean(), check_names=False)
    fast = close.ewm(span=12, adjust=True, min_periods=0).mean()
    slow = close.ewm(span=26, adjust=True, min_periods=0).mean()
    pd.testing.assert_series_equal(got["ema_fast"], fast, check_names=False)
    pd.testing.assert_series_equal(got["ema_slow"], slow, check_names=False)
    pd.testing.assert_series_equal(got["macd"], fast - slow, check_names=False)
    signal = (fast - slow).ewm(span=9, adjust=True).mean()
    pd.testing.assert_series_equal(got["macd_signal"], signal, check_names=False)
    pd.testing.assert_series_equal(got["macd_hist"], fast - slow - signal, check_names=False)
    delta = close.diff()
    gain = delta.where(delta > 0, 0.0).where(delta.notna()).rolling(14).mean()
    loss = (-delta).where(delta < 0, 0.0).where(delta.notna()).rolling(14).mean()
    rsi = 100 - 100 / (1 + gain / loss)
    pd.testing.assert_series_equal(got["rsi"], rsi, check_names=False)
    assert got["rsi"].isna().sum() == 14 and got["rsi"].first_valid_index() == close.index[14]
    middle, std = close.rolling(20).mean(), close.rolling(20).std(ddof=1)
    pd.testing.assert_series_equal(got["bb_middle"], middle, check_names=False)
    pd.testing.assert_series_equal(got["bb_upper"], middle + 2 * std, check_names=False)
    pd.testing.assert_series_equal(got["bb_lower"], middle - 2 * std, check_names=False)

    # EMA_t = Σ (1−α)^i x_(t−i) / Σ (1−α)^i, written out for every row.
    x, alpha = close.to_numpy(), 2 / (12 + 1)
    weights = (1 - alpha) ** np.arange(len(x))
    by_formula = [np.dot(weights[:t + 1], x[t::-1]) / weights[:t + 1].sum() for t in range(len(x))]
    np.testing.assert_allclose(got["ema_fast"].to_numpy(), by_formula, rtol=1e-12)

    # Mean loss 0: a rising window gives 100 in pandas too; a flat one (0 / 0) is 100 by the contract.
    flat_rise = pd.Series([10.0] * 8 + [10.0 + i for i in range(8)])
    rsi = solution.technical_indicators(flat_rise, rsi_window=4)["rsi"]
    assert rsi.iloc[:4].isna().all() and (rsi.iloc[4:] == 100.0).all()


# === windowed_dataset =====================================================================================
WINDOWS = dedent('''
    import numpy as np


    def make_windows(series, window, horizon=1, train_fraction=0.8):
        series = np.asarray(series, dtype=np.float64)
        n = len(series)
        n_train = int(n * train_fraction)
        mean = series[:n_train].mean()
        std = series[:n_train].std()
        z = (series - mean) / std
        train_targets = range(window + horizon - 1, n_train)
        test_targets = range(n_train, n)
        X_train = np.array([z[t - horizon - window + 1:t - horizon + 1] for t in train_targets]).reshape(-1, window)
        y_train = np.array([z[t] for t in train_targets])
        X_test = np.array([z[t - horizon - window + 1:t - horizon + 1] for t in test_targets]).reshape(-1, window)
        y_test = np.array([z[t] for t in test_targets])
        return X_train, y_train, X_test, y_test, (float(mean), float(std))
''')


W_SHAPES = "test_shapes"
W_SCALER = "test_scaler_is_fitted_on_the_training_part_only"
W_TRAIN = "test_training_windows_and_targets"
W_TEST = "test_test_windows_and_targets"

WINDOWS_WRONG = {
    # The scaler sees the whole series, test part included: its statistics leak the future.
    "scaler_fitted_on_the_whole_series": Wrong(
        fails={f"{W_SCALER}[basic]": "value_mismatch", f"{W_TRAIN}[basic]": "value_mismatch",
               f"{W_TEST}[basic]": "value_mismatch"},
        source=variant(WINDOWS, ("mean = series[:n_train].mean()", "mean = series.mean()"),
                       ("std = series[:n_train].std()", "std = series.std()")),
    ),
    # Every window first, then a shuffled split: training windows from all over the series.
    "shuffled_split": Wrong(
        fails={f"{W_TRAIN}[basic]": "value_mismatch", f"{W_TEST}[basic]": "value_mismatch"},
        source=variant(WINDOWS, (
            "    return X_train, y_train, X_test, y_test, (float(mean), float(std))\n",
            "    from sklearn.model_selection import train_test_split\n"
            "    X_all, y_all = np.concatenate([X_train, X_test]), np.concatenate([y_train, y_test])\n"
            "    X_train, X_test, y_train, y_test = train_test_split(X_all, y_all, train_size=len(y_train),\n"
            "                                                        shuffle=True, random_state=0)\n"
            "    return X_train, y_train, X_test, y_test, (float(mean), float(std))\n")),
    ),
    # The target is the window's own last value.
    "target_inside_the_window": Wrong(
        fails={f"{W_TRAIN}[basic]": "value_mismatch", f"{W_TEST}[basic]": "value_mismatch"},
        source=variant(WINDOWS, ("y_train = np.array([z[t] for t in train_targets])",
                                 "y_train = np.array([z[t - horizon] for t in train_targets])"),
                       ("y_test = np.array([z[t] for t in test_targets])",
                        "y_test = np.array([z[t - horizon] for t in test_targets])")),
    ),
    # The window always ends right before the target: right for horizon 1 only.
    "horizon_ignored_in_the_window": Wrong(
        fails={f"{W_TRAIN}[horizon-3]": "value_mismatch", f"{W_TEST}[horizon-3]": "value_mismatch",
               f"{W_TRAIN}[rounds-down]": "value_mismatch", f"{W_TEST}[rounds-down]": "value_mismatch"},
        only=True,
        source=WINDOWS.replace("z[t - horizon - window + 1:t - horizon + 1]", "z[t - window:t]"),
    ),
    # Off by one: the first training window is skipped.
    "first_training_window_skipped": Wrong(
        fails={f"{W_SHAPES}[basic]": "value_differs", f"{W_TRAIN}[basic]": "shape_mismatch"},
        source=variant(WINDOWS, ("range(window + horizon - 1, n_train)", "range(window + horizon, n_train)")),
    ),
    # Test windows may not start in the training part: the first test targets are lost.
    "test_windows_only_inside_the_test_part": Wrong(
        fails={f"{W_SHAPES}[basic]": "value_differs", f"{W_TEST}[basic]": "shape_mismatch"},
        source=variant(WINDOWS, ("range(n_train, n)", "range(n_train + window + horizon - 1, n)")),
    ),
    # The sample standard deviation (ddof=1) where the contract says NumPy's default.
    "sample_std": Wrong(
        fails={f"{W_SCALER}[basic]": "value_mismatch", f"{W_TRAIN}[basic]": "value_mismatch"},
        source=variant(WINDOWS, ("std = series[:n_train].std()", "std = series[:n_train].std(ddof=1)")),
    ),
}

WINDOWS_CORRECT = {
    # The base of the wrong versions above.
    "variant_base": WINDOWS,
    # A fitted StandardScaler as the scaler, sliding_window_view for the windows, the split on the windows.
    "standard_scaler_and_sliding_window_view": dedent('''
        import numpy as np
        from numpy.lib.stride_tricks import sliding_window_view
        from sklearn.preprocessing import StandardScaler


        def make_windows(series, window, horizon=1, train_fraction=0.8):
            values = np.asarray(series, dtype=float).reshape(-1, 1)
            cut = int(len(values) * train_fraction)
            scaler = StandardScaler().fit(values[:cut])
            z = scaler.transform(values).ravel()
            inputs = sliding_window_view(z[:len(z) - horizon], window)   # inputs[i] = z[i : i + window]
            targets = z[window + horizon - 1:]                            # inputs[i]'s: z[i + window + horizon - 1]
            first_test = cut - (window + horizon - 1)                     # the window whose target is z[cut]
            return (inputs[:first_test].copy(), targets[:first_test].copy(),
                    inputs[first_test:].copy(), targets[first_test:].copy(), scaler)
    '''),
}


def test_reference_windows_never_train_on_a_test_target(course):
    """Read the index of every value: no test target is a training target or a training input."""
    solution = load_solution(course, "windowed_dataset")
    series = np.arange(100, dtype=np.float64) ** 1.5  # strictly increasing: each scaled value names its index
    X_train, y_train, X_test, y_test, (mean, std) = solution.make_windows(series, 7, 2, 0.8)
    index = {round(v, 9): i for i, v in enumerate((series - mean) / std)}
    train_targets = {index[round(v, 9)] for v in y_train}
    train_inputs = {index[round(v, 9)] for v in X_train.ravel()}
    test_targets = [index[round(v, 9)] for v in y_test]
    assert test_targets == list(range(80, 100))
    assert max(train_targets) == 79 and max(train_inputs) == 77
    assert (mean, std) == (series[:80].mean(), series[:80].std())


# === lstm_forecaster ======================================================================================
LSTM_CONTRACT = "test_model_contains_an_lstm_and_predicts_one_value_per_row"
LSTM_BEATS = "test_beats_the_last_value_forecast_on_the_held_out_tail"

LAST_VALUE = dedent('''
    import numpy as np
    import torch.nn as nn


    def build_model():
        return nn.LSTM(1, 4, batch_first=True)


    def train_model(model, train_series):
        return None


    def predict(model, state, histories):
        return histories[:, -1].copy()
''')

LSTM_WRONG = {
    # "Tomorrow = today": exactly the baseline, nowhere near 0.8 of it.
    "last_value_forecast": Wrong(fails={LSTM_BEATS: "assertion"}, only=True, source=LAST_VALUE),
    # One column per row instead of a flat vector of forecasts.
    "forecasts_as_a_column": Wrong(
        fails={LSTM_CONTRACT: "shape_mismatch", LSTM_BEATS: "shape_mismatch"},
        only=True,
        source=variant(LAST_VALUE, ("return histories[:, -1].copy()", "return histories[:, -1:].copy()")),
    ),
    # A linear autoregression fitted by least squares: a good forecast, but not an LSTM.
    "no_lstm": Wrong(
        fails={LSTM_CONTRACT: "assertion"},
        only=True,
        source=dedent('''
            import numpy as np
            import torch
            import torch.nn as nn


            def build_model():
                return nn.Linear(32, 1)


            def train_model(model, train_series):
                X = np.lib.stride_tricks.sliding_window_view(train_series[:-1], 32)
                A = np.hstack([X, np.ones((len(X), 1))])
                coef, *_ = np.linalg.lstsq(A, train_series[32:], rcond=None)
                with torch.no_grad():
                    model.weight.copy_(torch.tensor(coef[None, :32]))
                    model.bias.fill_(float(coef[32]))
                return None


            def predict(model, state, histories):
                with torch.no_grad():
                    return model(torch.tensor(histories[:, -32:], dtype=torch.float32)).double().numpy()[:, 0]
        '''),
    ),
    # Built and scaled, but never trained: the untrained network's changes are noise.
    "never_trained": Wrong(
        fails={LSTM_BEATS: "assertion"},
        only=True,
        source=dedent('''
            import numpy as np
            import torch
            import torch.nn as nn


            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.lstm = nn.LSTM(1, 32, batch_first=True)
                    self.head = nn.Linear(32, 1)

                def forward(self, x):
                    out, _ = self.lstm(x.unsqueeze(-1))
                    return self.head(out[:, -1]).squeeze(-1)


            def build_model():
                torch.manual_seed(0)
                return Net()


            def train_model(model, train_series):
                return float(np.diff(train_series).std())


            def predict(model, state, histories):
                windows = histories[:, -32:]
                x = torch.tensor((windows - windows[:, -1:]) / (4 * state), dtype=torch.float32)
                with torch.no_grad():
                    return windows[:, -1] + model(x).double().numpy() * state
        '''),
    ),
}

LSTM_CORRECT = {
    # Windows centred on their own mean (not on the last value), 40 steps, the final hidden state h_n.
    "centred_windows_and_final_hidden_state": dedent('''
        import numpy as np
        import torch
        from torch import nn

        WINDOW = 40


        class CenteredLSTM(nn.Module):
            def __init__(self, hidden=24):
                super().__init__()
                self.rnn = nn.LSTM(1, hidden, batch_first=True)
                self.out = nn.Linear(hidden, 1)

            def forward(self, x):
                _, (h_n, _) = self.rnn(x[..., None])
                return self.out(h_n[-1])[:, 0]


        def build_model():
            torch.manual_seed(1)
            return CenteredLSTM()


        def _centre(windows):
            return windows - windows.mean(axis=1, keepdims=True)


        def train_model(model, train_series):
            torch.manual_seed(1)
            series = np.asarray(train_series, dtype=np.float64)
            windows = np.stack([series[i:i + WINDOW] for i in range(len(series) - WINDOW)])
            offsets = series[WINDOW:] - windows.mean(axis=1)
            spread = float(_centre(windows).std())
            X = torch.tensor(_centre(windows) / spread, dtype=torch.float32)
            y = torch.tensor(offsets / spread, dtype=torch.float32)
            optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
            for epoch in range(30):
                for batch in torch.randperm(len(X)).split(32):
                    loss = nn.functional.mse_loss(model(X[batch]), y[batch])
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
            return spread


        def predict(model, state, histories):
            windows = np.asarray(histories)[:, -WINDOW:]
            x = torch.tensor(_centre(windows) / state, dtype=torch.float32)
            model.eval()
            with torch.no_grad():
                offset = model(x).double().numpy()
            return torch.from_numpy(windows.mean(axis=1) + offset * state)
    '''),
}


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_series_generator_is_the_same_everywhere(course):
    """The stub, the reference, the check and the example share one generator: same values, same seeds."""
    stub = _module(course.path(course.exercises["lstm_forecaster"].stub), "stub_lstm_forecaster")
    solution = load_solution(course, "lstm_forecaster")
    example_dir = PACKAGE / "lessons" / "examples"
    sys.path.insert(0, str(example_dir))
    try:
        example = _module(example_dir / "time_series_forecasting.py", "example_time_series_forecasting")
    finally:
        sys.path.remove(str(example_dir))
    sources = {"stub": stub, "solution": solution, "example": example}
    # The check module imports the grader's records only; loading it here runs its warm-up, which is cheap.
    sources["check"] = _module(course.path(course.exercises["lstm_forecaster"].check), "check_lstm_forecaster")
    for seed in (0, 7, 2952365952):
        expected = solution.make_series(1000, seed)
        for name, module in sources.items():
            np.testing.assert_array_equal(module.make_series(1000, seed), expected, err_msg=name)
    assert not np.array_equal(solution.make_series(100, 1), solution.make_series(100, 2))


@pytest.mark.parametrize("seed", [1, 123])
def test_reference_forecaster_beats_the_baseline_for_other_seeds(course, seed):
    """An instructor's secret seed must not fail the reference: train it directly on other series."""
    check = _module(course.path(course.exercises["lstm_forecaster"].check), "check_lstm_forecaster_seeds")
    solution = load_solution(course, "lstm_forecaster")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        train, histories = check.inputs(seed)
        predicted = check.forecast(solution, train, histories)["predictions"]
    finally:
        torch.set_num_threads(threads)
    actual = check.targets(seed)
    ratio = np.mean((predicted - actual) ** 2) / np.mean((histories[:, -1] - actual) ** 2)
    assert ratio <= 0.5, f"seed {seed}: the reference reaches only {ratio:.2f} × the baseline's MSE"


# === the grading tests ====================================================================================
CASES = {
    "technical_indicators": Cases(INDICATORS_WRONG, INDICATORS_CORRECT),
    "windowed_dataset": Cases(WINDOWS_WRONG, WINDOWS_CORRECT),
    "lstm_forecaster": Cases(LSTM_WRONG, LSTM_CORRECT),
}
(test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
 test_other_correct_implementation_passes) = four_way_tests(CASES)


# === the lesson, its pages, its example and the hints =====================================================
def test_lesson_lists_its_pages_example_and_exercises(course):
    lesson = course.lessons[LESSON]
    assert str(lesson.example) == "lessons/examples/time_series_forecasting.py"
    for name in EXERCISES:
        assert course.exercises[name].lesson == LESSON


@pytest.mark.parametrize("language", ["en", "zh"])
def test_pages_are_terminal_markdown(course, language):
    text = course.path(course.lessons[LESSON].pages[language]).read_text()
    assert text.startswith("# ")
    headings = re.findall(r"^##+ .+$", text, flags=re.M)
    assert len(headings) >= 8, headings
    outside_code = re.sub(r"```.*?```", "", text, flags=re.S)
    assert not re.search(r"\$[^$\n]+\$|\\(frac|sum|sqrt|alpha|cdot)\b", outside_code), "LaTeX in the page"
    assert not re.search(r"</?[a-zA-Z][^>]*>", outside_code), "HTML in the page"
    assert "![" not in text, "an image in the page"
    for formula in ["RSI = 100 − 100 / (1 + RS)", "α = 2 / (span + 1)", "(x − mean) / std"]:
        assert formula in text, formula
    if language == "zh":
        assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 1500


# Three hints in both languages: tested for the whole course in tests/test_lessons.py, which asks only that the
# zh hints as a whole be Chinese; here each one is.
@pytest.mark.parametrize("name", EXERCISES)
def test_every_zh_hint_is_written_in_chinese(course, name):
    for hint in course.exercises[name].hints:
        assert re.search(r"[\u4e00-\u9fff]", hint.zh)


def test_lesson_example_runs_quickly_offline(course):
    example = course.path(course.lessons[LESSON].example)
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:  # as `dlquest run` does: from elsewhere, offline
        done = subprocess.run([sys.executable, str(example)], capture_output=True, text=True, timeout=120, cwd=folder)
    elapsed = time.monotonic() - start
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for marker in ["==", "RSI", "MACD", "last value", "LSTM", "MSE"]:
        assert marker in out, marker
    assert elapsed < 60, f"the example took {elapsed:.1f} s"
