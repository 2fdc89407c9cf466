"""Check for `grad_clip`: the returned total norm and the clipped gradients equal the reference (itself equal
to torch.nn.utils.clip_grad_norm_), for large and small gradients, missing gradients and a generator of
parameters, in float64."""

import pytest
import torch

from dlquest.grader.checklib import Rule, expect_same, to_device

# clip_grad_norm_ is plain Python: every function of torch.nn.utils.clip_grad (clip_grad_norm_, clip_grad_norm,
# get_total_norm, clip_grads_with_norm_, …) is replaced, and the fused kernels it runs on cannot run.
RULE = Rule("torch.nn.utils.clip_grad_norm_", ops=[r"aten::_foreach_(norm|mul|mul_|powsum)"],
            python=["torch.nn.utils.clip_grad"])


def make_grads(seed, scale, shapes=((3, 4), (4,), (2, 3, 2)), none_at=()):
    g = torch.Generator().manual_seed(seed)
    grads = [torch.randn(shape, generator=g, dtype=torch.float64) * scale for shape in shapes]
    return [None if i in none_at else grad for i, grad in enumerate(grads)]


def clip(module, device, grads, max_norm, as_generator=True):
    params = []
    for grad in grads:
        shape = grad.shape if grad is not None else (2,)
        p = torch.zeros(shape, dtype=torch.float64, device=device, requires_grad=True)
        p.grad = to_device(device, grad.clone()) if grad is not None else None
        params.append(p)
    given = (p for p in params) if as_generator else params
    total_norm = module.clip_grad_norm_(given, max_norm)
    return {"total_norm": total_norm,
            "grads": [p.grad if p.grad is not None else "None" for p in params]}


@pytest.mark.parametrize("scale, max_norm", [(3.0, 1.0), (10.0, 2.5), (1.0, 0.5)],
                         ids=["large", "much-larger", "just-above"])
def test_clips_large_gradients(learner, reference, device, seed, scale, max_norm):
    expect_same(learner, reference, clip, device, make_grads(seed, scale), max_norm,
                what="after clip_grad_norm_")


def test_leaves_small_gradients_alone(learner, reference, device, seed):
    # Their norm is far below max_norm: the coefficient is clamped to 1, nothing grows.
    expect_same(learner, reference, clip, device, make_grads(seed, 0.01), 5.0, what="after clip_grad_norm_")


def test_uses_the_epsilon(learner, reference, device, seed):
    # With a small total norm, max_norm / (total_norm + 1e-6) differs visibly from max_norm / total_norm.
    expect_same(learner, reference, clip, device, make_grads(seed, 0.002), 1e-3, what="after clip_grad_norm_",
                rtol=1e-9, atol=1e-15)


def test_skips_parameters_without_gradient(learner, reference, device, seed):
    expect_same(learner, reference, clip, device, make_grads(seed, 3.0, none_at=(1,)), 1.0,
                what="after clip_grad_norm_ (the second parameter has no gradient)")


def test_accepts_a_list(learner, reference, device, seed):
    expect_same(learner, reference, clip, device, make_grads(seed + 1, 2.0), 1.0, False,
                what="after clip_grad_norm_ on a list")


def test_single_parameter(learner, reference, device, seed):
    expect_same(learner, reference, clip, device, make_grads(seed + 2, 4.0, shapes=((5,),)), 1.0,
                what="after clip_grad_norm_")


def guarded(module, grads, max_norm):
    return clip(module, "cpu", grads, max_norm)  # under the RULE, as every test


def test_does_not_call_torch_clip(learner, reference, seed):
    expect_same(learner, reference, guarded, make_grads(seed, 3.0), 1.0, what="after clip_grad_norm_")
