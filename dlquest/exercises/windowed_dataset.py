"""Exercise `windowed_dataset`: sliding windows, a chronological split, and a scaler that never sees the test part.

Implement ``make_windows(series, window, horizon=1, train_fraction=0.8)``. The grader checks exactly this
contract:

- ``series``: a 1-D NumPy float64 array of n values in time order. ``window`` (≥ 1): how many past values
  each sample sees. ``horizon`` (≥ 1): how many steps after the window's last value the target lies
  (1 = the very next value). ``train_fraction``: a float in (0, 1).
- The split is made on the *series*, before windowing, in time order (no shuffling):
      n_train = int(n * train_fraction)        (Python's int(): rounds down)
  series[:n_train] is the training part, series[n_train:] the test part.
  You may assume n_train ≥ window + horizon (at least one training sample).
- The scaler is fitted on the training part only:
      mean = series[:n_train].mean()        std = series[:n_train].std()   (NumPy's default, ddof=0;
                                                                              the same as StandardScaler)
  and the whole series is scaled with it:  z = (series − mean) / std.
- A sample whose target is at index t has
      input   z[t − horizon − window + 1 : t − horizon + 1]    (window values; the last one is at t − horizon)
      target  z[t]
  so the target is never inside its own window.
- Training samples: every t from window + horizon − 1 to n_train − 1, in increasing order: their inputs and
  targets all lie in the training part.
- Test samples: every t from n_train to n − 1, in increasing order. Their inputs may reach back into the
  training part (that is allowed: those values are known when the forecast is made), but no test target is
  ever a training target or a training input.
- Return ``(X_train, y_train, X_test, y_test, scaler)``:
      X_train  float64 array (n_train − window − horizon + 1, window)
      y_train  float64 array (n_train − window − horizon + 1,)
      X_test   float64 array (n − n_train, window)
      y_test   float64 array (n − n_train,)
      scaler   the pair (mean, std) as floats — or, if you prefer, the fitted
               ``sklearn.preprocessing.StandardScaler`` (its ``mean_[0]`` and ``scale_[0]`` are read).
  All four arrays hold scaled values (z), rows in time order.

Check your work with:  dlquest check windowed_dataset
"""

import numpy as np


def make_windows(series, window, horizon=1, train_fraction=0.8):
    # TODO: n_train = int(len(series) * train_fraction); mean and std of series[:n_train]; z = scaled series;
    #       one (input, target) pair per target index t, for the training range and then the test range.
    raise NotImplementedError("make_windows")
