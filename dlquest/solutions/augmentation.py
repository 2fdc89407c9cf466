"""Reference solution for `augmentation`: Gaussian noise drawn from the given generator, clipped to [0, 1]."""

import torch


class GaussianNoise:
    def __init__(self, std, generator=None):
        self.std = std
        self.generator = generator

    def __call__(self, img):
        noise = torch.randn(img.shape, generator=self.generator, dtype=img.dtype)
        return (img + self.std * noise).clamp(0, 1)

    def __repr__(self):
        return f"{type(self).__name__}(std={self.std})"
