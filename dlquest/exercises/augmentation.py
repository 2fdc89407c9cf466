"""Exercise `augmentation`: a Gaussian-noise transform of your own that composes with torchvision's (PyTorch).

A torchvision transform is nothing more than a callable: ``transform(img) -> img``. Write one as a class,
so that it can sit in ``torchvision.transforms.v2.Compose([...])`` (or the older ``transforms.Compose``)
next to the built-in transforms. The grader checks exactly this contract:

``GaussianNoise(std, generator=None)``
- ``std``: a float >= 0, the standard deviation of the noise (store it, e.g. as ``self.std``).
- ``generator``: a ``torch.Generator`` (on the CPU) that every call draws its noise from, or ``None`` to draw
  from PyTorch's global generator (store it too). Never re-seed it: each call continues where the previous
  one stopped, so two calls add different noise — and the same noise as the reference's two calls.

``__call__(self, img)``
- ``img``: a floating-point image tensor on the CPU with values in [0, 1], of any shape — (C, H, W) for one
  image, (N, C, H, W) for a batch; float32 or float64.
- Returns exactly
      (img + self.std * torch.randn(img.shape, generator=self.generator, dtype=img.dtype)).clamp(0, 1)
  i.e. one standard-normal number per element, drawn from the generator in that single call (so that the
  same generator state gives the same output as the reference), scaled by ``std``, added, and clipped to
  [0, 1]. (``torch.randn_like(img, generator=self.generator)`` draws the same numbers.)
- Same shape and dtype as ``img``. ``img`` itself must not change: no in-place operations on it.
- Write the noise yourself: torchvision's own ``v2.GaussianNoise`` / ``v2.functional.gaussian_noise`` cannot
  take your generator, and the grader notices random numbers drawn without it.

Example: ``v2.Compose([v2.ToDtype(torch.float32, scale=True), GaussianNoise(0.1, g), v2.Normalize([0.5], [0.5])])``
turns a uint8 image into a noisy, normalised float image.

Check your work with:  dlquest check augmentation
"""

import torch


class GaussianNoise:
    def __init__(self, std, generator=None):
        # TODO: remember std and generator.
        raise NotImplementedError("GaussianNoise")

    def __call__(self, img):
        # TODO: draw the noise with the generator, add it to a copy of the image, clip to [0, 1].
        raise NotImplementedError("GaussianNoise.__call__")

    def __repr__(self):
        return f"{type(self).__name__}(std={getattr(self, 'std', '?')})"
