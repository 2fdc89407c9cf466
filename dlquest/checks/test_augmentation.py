"""Check for `augmentation`: a GaussianNoise transform equal to the reference for the same generator state.

Every test seeds a fresh generator in the learner's process and in the reference's, so equal outputs mean the
same numbers were drawn, in the same order, and combined the same way. torchvision is imported here, before
the probes fork, so that the learner's own import of it costs nothing from the time limit.
"""

import pytest
import torch
import torchvision.transforms as transforms_v1
from torch.overrides import TorchFunctionMode
from torchvision.transforms import v2

from dlquest.grader.checklib import ForbiddenCall, expect_same

# name: (shape, std)
CASES = {
    "one-image": ((3, 8, 8), 0.1),
    "batch": ((4, 1, 6, 6), 0.3),
    "strong-noise": ((1, 5, 7), 1.0),
}


def make_image(shape, seed, dtype=torch.float64):
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed + sum(shape)), dtype=dtype)


def two_calls(module, img, std, seed):
    transform = module.GaussianNoise(std, torch.Generator().manual_seed(seed))
    return {"first call": transform(img), "second call": transform(img)}


@pytest.mark.parametrize("case", list(CASES))
def test_values(learner, reference, seed, case):
    shape, std = CASES[case]
    expect_same(learner, reference, two_calls, make_image(shape, seed), std, seed, what="GaussianNoise(std, g)(img)")


def test_keeps_float32_and_shape(learner, reference, seed):
    img = make_image((3, 8, 8), seed, torch.float32)
    expect_same(learner, reference, two_calls, img, 0.2, seed, what="float32 image", check_dtype=True)


def clipped(module, img, seed):
    out = module.GaussianNoise(2.0, torch.Generator().manual_seed(seed))(img)
    return {"min": float(out.min()), "max": float(out.max())}


def test_output_is_clipped_to_unit_interval(learner, seed):
    got = learner.run(clipped, make_image((2, 6, 6), seed), seed)
    assert isinstance(got, dict) and set(got) == {"min", "max"}, f"unexpected result {got!r}"
    assert 0.0 <= got["min"] and got["max"] <= 1.0, (
        f"with std = 2 the output ranged over [{got['min']:.3f}, {got['max']:.3f}]; clip it to [0, 1] with "
        f".clamp(0, 1)")


def input_after_the_call(module, img, seed):
    module.GaussianNoise(0.5, torch.Generator().manual_seed(seed))(img)
    return {"the input image after the call": img}


def test_does_not_modify_the_input(learner, reference, seed):
    expect_same(learner, reference, input_after_the_call, make_image((3, 5, 5), seed), seed,
                what="the input image (it must not change)")


def global_generator(module, img, seed):
    torch.manual_seed(seed)
    transform = module.GaussianNoise(0.25)
    return {"first call": transform(img), "second call": transform(img)}


def test_without_a_generator_uses_the_global_one(learner, reference, seed):
    expect_same(learner, reference, global_generator, make_image((2, 4, 4), seed), seed,
                what="GaussianNoise(std) after torch.manual_seed(seed)")


def in_compose(module, img_uint8, seed):
    noise = module.GaussianNoise(0.15, torch.Generator().manual_seed(seed))
    pipeline_v2 = v2.Compose([v2.RandomHorizontalFlip(p=1.0), v2.ToDtype(torch.float32, scale=True), noise,
                              v2.Normalize(mean=[0.5, 0.5, 0.5], std=[0.25, 0.25, 0.25])])
    pipeline_v1 = transforms_v1.Compose([noise, transforms_v1.Normalize(mean=[0.5] * 3, std=[0.25] * 3)])
    return {"v2.Compose": pipeline_v2(img_uint8), "transforms.Compose": pipeline_v1(img_uint8.double() / 255)}


def test_works_inside_compose(learner, reference, seed):
    img = torch.randint(0, 256, (3, 6, 6), generator=torch.Generator().manual_seed(seed), dtype=torch.uint8)
    expect_same(learner, reference, in_compose, img, seed, what="a Compose pipeline with GaussianNoise in it")


RANDOM_FUNCTIONS = {"randn", "randn_like", "rand", "rand_like", "normal", "normal_", "uniform_", "randint",
                    "randint_like", "randperm", "bernoulli", "bernoulli_", "multinomial", "poisson"}


def drawn_with_the_generator(module, img, seed):
    generator = torch.Generator().manual_seed(seed)
    transform = module.GaussianNoise(0.2, generator)
    label = "torchvision's GaussianNoise (or another random function without the transform's generator)"
    seen = []

    class Guard(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            if getattr(func, "__name__", "") in RANDOM_FUNCTIONS and kwargs.get("generator") is not generator:
                seen.append(func)
                raise ForbiddenCall(label)
            return func(*args, **kwargs)

    with Guard():
        out = transform(img)
    if seen:
        raise ForbiddenCall(label)
    return out


def test_draws_from_the_given_generator(learner, reference, seed):
    expect_same(learner, reference, drawn_with_the_generator, make_image((3, 4, 4), seed), seed,
                what="GaussianNoise(0.2, g)(img)")
