"""Exercise `digits_classifier` (stage project): a network that reads handwritten digits (PyTorch).

scikit-learn's ``load_digits`` holds 1797 images of handwritten digits, 8×8 pixels each, flattened to 64
numbers from 0 (white) to 16 (black), with labels 0–9. The grader splits them: about 75% for you to train
on, and a held-out 25% (stratified by label, chosen with a seed you do not know) that you only see as
inputs. Implement the function below. The grader checks exactly this contract:

``fit_predict(X_train, y_train, X_test)``
- ``X_train``: NumPy float64 array (n_train, 64), pixel values 0–16. ``y_train``: NumPy int64 array
  (n_train,), labels 0–9. ``X_test``: NumPy float64 array (n_test, 64), the held-out inputs.
- Build a neural network with PyTorch, train it on (X_train, y_train) only, and return its predicted label
  for every row of ``X_test``: a NumPy integer array or an int64 tensor of shape (n_test,), values 0–9.
- Passes when at least 95% of the held-out predictions are right.
- Time budget: the whole call must finish within ``TIME_BUDGET_SECONDS`` = 20 seconds on ONE CPU thread
  (the grader runs it with ``torch.set_num_threads(1)`` and stops it after 30 seconds). No GPU, no network,
  no loading of data sets yourself: use only the arrays you are given.

Ideas that work: scale the pixels (divide by 16, or standardise with the training mean and std),
an MLP such as 64 → 128 → 10 with ReLU, ``nn.CrossEntropyLoss``, Adam with a learning rate around 1e-3 to
1e-2, mini-batches of 32–128 samples, a few dozen epochs. Seed ``torch.manual_seed`` so that every run gives
the same result, and keep some of the training data aside to check your accuracy before you submit.

Check your work with:  dlquest check digits_classifier
"""

import numpy as np
import torch
import torch.nn as nn

TIME_BUDGET_SECONDS = 20


def fit_predict(X_train, y_train, X_test):
    # TODO: tensors from the arrays, scale the pixels, build a model, train it for some epochs,
    #       then predict X_test with the model in eval mode and return the argmax of the scores.
    raise NotImplementedError("fit_predict")
