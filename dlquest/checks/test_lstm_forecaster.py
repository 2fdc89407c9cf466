"""Check for `lstm_forecaster` (project): beat the last-value forecast by 20% on a held-out tail.

The series is generated here by this module's own copy of the course's generator (the learner's copy of
`make_series` is never used), with a seed drawn afresh for every grading from this process's own randomness,
once the learner's process has started: the learner's code holds the generator and could know the session's
seed, so a series made from that seed could be made again there, held-out tail and all. (The reference beats
the last-value forecast by a wide margin on any series: its ratio is ~0.2, the bar 0.8.)

The learner's code receives the 800 training values, then the 200 held-out histories one at a time, each
prediction returned before the next history is sent: history j + 1 ends with target j, so all of them at
once would hand over every target but the last. The model is trained once per submission, and both tests
judge that one run. The exercise's time-out (one CPU thread) bounds the training.
"""

import hashlib
import secrets
from pathlib import Path

import numpy as np
import torch

from dlquest.grader.records import CheckFailed, Feedback

N_VALUES, N_TRAIN, HISTORY = 1000, 800, 64
REQUIRED_RATIO = 0.8
_RESULTS = {}
_SERIES_SEEDS = {}  # this grading's secret seed per session seed (the module is loaded anew for each grading)
_TRAINED = {}  # in the learner's process only: the trained model and its state, between the probes


def make_series(n=1000, seed=0):
    """The course's synthetic price series (the same function as in the exercise and the lesson's example)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float64)
    slope = rng.uniform(0.01, 0.03)
    phase_month, phase_week = rng.uniform(0.0, 2.0 * np.pi, size=2)
    trend = 50.0 + slope * t
    cycles = 4.0 * np.sin(2.0 * np.pi * t / 30.0 + phase_month) + 1.5 * np.sin(2.0 * np.pi * t / 7.0 + phase_week)
    noise = rng.normal(0.0, 0.5, size=n)
    return trend + cycles + noise


def _warm_up():
    """Load here, before the probe forks, what the learner's code would otherwise spend its time budget
    loading: torch itself, an LSTM's kernels, and torch._dynamo, which an optimizer's first step imports."""
    lstm = torch.nn.LSTM(1, 2, batch_first=True)
    optimizer = torch.optim.Adam(lstm.parameters(), lr=0.1)
    lstm(torch.ones(1, 3, 1))[0].sum().backward()
    optimizer.step()


_warm_up()


def series_seed(seed):
    return _SERIES_SEEDS.setdefault(seed, secrets.randbits(63))


def inputs(seed):
    """What the learner may see: the training part, and the 64 values before each held-out target."""
    series = make_series(N_VALUES, series_seed(seed))
    histories = np.stack([series[t - HISTORY:t] for t in range(N_TRAIN, N_VALUES)])
    return series[:N_TRAIN].copy(), histories


def targets(seed):
    return make_series(N_VALUES, series_seed(seed))[N_TRAIN:]


def trained(module, train_series):
    model = module.build_model()
    has_lstm = isinstance(model, torch.nn.Module) and any(isinstance(m, torch.nn.LSTM) for m in model.modules())
    _TRAINED["model"] = (model, module.train_model(model, train_series.copy()))
    return {"has_lstm": bool(has_lstm)}


def as_forecasts(predicted):
    if hasattr(predicted, "detach"):
        predicted = predicted.detach().cpu().double().numpy()
    return np.asarray(predicted, dtype=np.float64)


def forecast_one(module, history):
    """predict() on one history (a batch of one row): what it forecasts, as it came back."""
    model, state = _TRAINED["model"]
    return as_forecasts(module.predict(model, state, history[None].copy()))


def forecast_in_time_order(learner, train_series, histories):
    """Train in the learner's process, then forecast each held-out target from its history, in time order."""
    result = learner.run(trained, train_series)
    rows = []
    for history in histories:
        row = learner.run(forecast_one, history)
        if getattr(row, "shape", None) != (1,):
            raise CheckFailed(Feedback("shape_mismatch", {
                "what": "predict(model, state, histories) for histories of shape (1, 64)", "expected": [1],
                "got": list(getattr(row, "shape", ()))}))
        rows.append(row)
    return {**result, "predictions": np.concatenate(rows)}


def forecast(module, train_series, histories):
    """The same in one process, every history at once: for the course's own tests of its reference."""
    info = trained(module, train_series)
    model, state = _TRAINED.pop("model")
    return {**info, "predictions": as_forecasts(module.predict(model, state, histories.copy()))}


def learner_forecast(learner, seed):
    """Train once per submission and seed; both tests judge the same run."""
    key = (str(learner.path), hashlib.sha256(Path(learner.path).read_bytes()).hexdigest(), seed)
    if key not in _RESULTS:
        try:
            _RESULTS[key] = forecast_in_time_order(learner, *inputs(seed))
        except CheckFailed as failure:
            _RESULTS[key] = failure
    result = _RESULTS[key]
    if isinstance(result, CheckFailed):
        raise CheckFailed(*result.feedback)
    predicted = result["predictions"]
    expected_shape = [N_VALUES - N_TRAIN]
    if list(predicted.shape) != expected_shape:
        raise CheckFailed(Feedback("shape_mismatch", {"what": "predict(model, state, histories)",
                                                      "expected": expected_shape, "got": list(predicted.shape)}))
    return result


def test_model_contains_an_lstm_and_predicts_one_value_per_row(learner, seed):
    result = learner_forecast(learner, seed)
    assert result["has_lstm"], "build_model() must return a torch.nn.Module with a torch.nn.LSTM inside it"
    assert np.isfinite(result["predictions"]).all(), "predict returned NaN or infinite forecasts"


def test_beats_the_last_value_forecast_on_the_held_out_tail(learner, seed):
    predicted = learner_forecast(learner, seed)["predictions"]
    last_values = inputs(seed)[1][:, -1]
    actual = targets(seed)
    model_mse = float(np.mean((predicted - actual) ** 2))
    naive_mse = float(np.mean((last_values - actual) ** 2))
    ratio = model_mse / naive_mse
    assert ratio <= REQUIRED_RATIO, (
        f"held-out MSE {model_mse:.4f} is {ratio:.2f} × the last-value forecast's MSE {naive_mse:.4f}; "
        f"at most {REQUIRED_RATIO:.2f} × is needed")
