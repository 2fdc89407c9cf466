"""Exercise `cnn_classifier` (stage project): a convolutional network with batch normalisation that reads
handwritten digits (PyTorch).

The grader takes scikit-learn's ``load_digits`` (1797 grey images of 8×8 pixels, labels 0–9), scales the
pixels from 0–16 to 0–1 and splits the images: 75% for you to train on, and a held-out 25% (stratified by
label, drawn with a seed you do not know) whose labels never reach your code. Implement the two functions
below; the grader calls them like this, in one process with ONE CPU thread:

    model = build_model()
    model = train_model(model, X_train, y_train)        # timed
    model.eval()
    with torch.no_grad():
        predicted = model(X_test).argmax(dim=1)          # compared with the held-out labels

``build_model()``
- Returns a fresh, untrained ``nn.Module`` that maps a float32 tensor of shape (N, 1, 8, 8) to class scores
  of shape (N, 10) (raw scores: no softmax needed).
- It must be a CNN with batch normalisation: at least one ``nn.Conv2d`` and at least one batch-norm layer
  (``nn.BatchNorm2d``, or ``nn.BatchNorm1d`` after a linear layer). You may upsample inside the model
  (e.g. ``nn.Upsample(scale_factor=2)`` to 16×16), but the input stays 8×8.

``train_model(model, X_train, y_train)``
- ``X_train``: float32 tensor (n, 1, 8, 8), values 0–1. ``y_train``: int64 tensor (n,), labels 0–9.
- Trains ``model`` on these only and returns the trained model (returning the same object is fine). No GPU,
  no network, no loading of other data.
- The grader puts the model in eval mode before predicting, so batch norm then uses its running statistics.

Passes when:
- the model contains a convolution and a batch-norm layer, and gives (N, 10) scores;
- at least 97% of the held-out digits are classified correctly;
- ``build_model`` + ``train_model`` use at most ``TIME_BUDGET_SECONDS`` = 20 seconds of CPU time on one
  thread (the grader measures it with ``time.process_time()``; it also stops any call that runs longer than
  90 s of wall time). The reference needs about 2 s: two small conv–BN–ReLU blocks, one max-pooling, a
  linear layer, Adam, about a dozen epochs.

Seed ``torch.manual_seed`` inside ``train_model`` so that every run gives the same result, and keep part of
the training data aside to measure your accuracy before you submit.

Check your work with:  dlquest check cnn_classifier
"""

import torch
import torch.nn as nn

TIME_BUDGET_SECONDS = 20


def build_model():
    # TODO: Conv2d -> BatchNorm2d -> ReLU blocks, a pooling layer, nn.Flatten(), and a Linear layer to 10 scores.
    raise NotImplementedError("build_model")


def train_model(model, X_train, y_train):
    # TODO: an optimizer and nn.CrossEntropyLoss; model.train(); shuffled mini-batches for some epochs; return model.
    raise NotImplementedError("train_model")
