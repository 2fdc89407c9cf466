"""Exercise `relu`: return max(x, 0) elementwise for a tensor x, same shape and dtype. Do not call torch.relu."""

import torch


def relu(x):
    raise NotImplementedError("relu")
