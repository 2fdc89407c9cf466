"""Stage 2 numerics exercises: each check discriminates.

For activations, losses, grad_clip, optimizers, lr_schedules and mlp_numpy: the untouched stub fails, the
reference solution passes, typical wrong implementations fail (each on the test aimed at its mistake, with a
meaningful feedback code), and correct implementations written differently from the reference pass. Where an
exercise promises to equal a PyTorch function, the reference is also compared with that function directly.
Everything is graded on the CPU (the `grade_source` fixture's default).
"""

from __future__ import annotations

from textwrap import dedent

import numpy as np
import pytest
import torch

from discrimination import Cases, Wrong, four_way_tests, load_solution, solution_source, variant

# === activations ==========================================================================================
ACTIVATIONS_REST = '''

def tanh(x):
    return np.tanh(x)


def tanh_grad(x):
    return 1.0 - np.tanh(x) ** 2


def relu(x):
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(float)


def leaky_relu(x, slope=0.01):
    return np.where(x > 0, x, slope * x)


def leaky_relu_grad(x, slope=0.01):
    return np.where(x > 0, 1.0, slope)
'''

SAFE_SIGMOID = '''
import numpy as np


def sigmoid(x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
'''

ACTIVATIONS = solution_source("activations")
ACTIVATIONS_SAFE_SIGMOID = ("    z = np.exp(-np.abs(x))\n"
                            "    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))\n")

ACTIVATIONS_WRONG = {
    # The textbook formula: e^1000 overflows for x = -1000.
    "naive_sigmoid_overflows": Wrong(
        fails={"test_safe_for_huge_inputs[sigmoid]": "exception",
               "test_safe_for_huge_inputs[sigmoid_grad]": "exception"},
        only=True,
        source=variant(ACTIVATIONS, (ACTIVATIONS_SAFE_SIGMOID, "    return 1 / (1 + np.exp(-x))\n")),
    ),
    # Both branches of np.where are computed everywhere: the unused one still overflows.
    "where_with_overflowing_branch": Wrong(
        fails={"test_safe_for_huge_inputs[sigmoid]": "exception"},
        source=variant(ACTIVATIONS, (ACTIVATIONS_SAFE_SIGMOID, "    return np.where(x >= 0, 1 / (1 + np.exp(-x)), "
                                                               "np.exp(x) / (1 + np.exp(x)))\n")),
    ),
    # tanh written from exponentials: inf / inf for large |x|.
    "tanh_from_exponentials": Wrong(
        fails={"test_safe_for_huge_inputs[tanh]": "exception"},
        only=True,
        source=variant(ACTIVATIONS, ("    return np.tanh(np.asarray(x, dtype=np.float64))\n",
                                     "    x = np.asarray(x, dtype=np.float64)\n"
                                     "    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))\n"),
                       # tanh_grad keeps its own np.tanh, so that only tanh's test is aimed at.
                       ("    t = tanh(x)\n", "    t = np.tanh(np.asarray(x, dtype=np.float64))\n")),
    ),
    # x >= 0 instead of x > 0 in the derivatives: relu'(0) = 1 and leaky'(0) = 1.
    "derivative_one_at_zero": Wrong(
        fails={"test_derivative_at_zero[relu_grad]": "value_mismatch",
               "test_derivative_at_zero[leaky_relu_grad]": "value_mismatch"},
        source=variant(ACTIVATIONS, ("return np.where(x > 0, 1.0, 0.0)", "return np.where(x >= 0, 1.0, 0.0)"),
                       ("np.where(x > 0, 1.0, float(slope))", "np.where(x >= 0, 1.0, float(slope))")),
    ),
    # Ignores the slope argument.
    "hard_coded_slope": Wrong(
        fails={"test_uses_the_given_slope[leaky_relu]": "value_mismatch",
               "test_uses_the_given_slope[leaky_relu_grad]": "value_mismatch"},
        only=True,
        source=variant(ACTIVATIONS, ("slope * x", "0.01 * x"), ("float(slope)", "0.01")),
    ),
    # Applies the derivative formula to x instead of to sigmoid(x).
    "sigmoid_grad_of_x": Wrong(
        fails={"test_values[sigmoid_grad]": "value_mismatch"},
        source=variant(ACTIVATIONS, ("    s = sigmoid(x)\n", "    s = x\n")),
    ),
    # Boolean derivative: right values, wrong type (the contract asks for float64).
    "boolean_relu_grad": Wrong(
        fails={"test_values[relu_grad]": "dtype_mismatch"},
        source=variant(ACTIVATIONS, ("return np.where(x > 0, 1.0, 0.0)", "return x > 0")),
    ),
    # Clips x in place before using it: changes the caller's array.
    "changes_the_input": Wrong(
        fails={"test_values[relu]": "value_differs"},
        source=variant(ACTIVATIONS, ("    return np.where(x > 0, x, 0.0)\n",
                                     "    np.maximum(x, 0.0, out=x)\n    return x\n")),
    ),
}

ACTIVATIONS_CORRECT = {
    "where_and_maximum": SAFE_SIGMOID + ACTIVATIONS_REST,
    # sigmoid through tanh, tanh through sigmoid-free identities, derivatives from closed forms.
    "other_identities": dedent('''
        import numpy as np


        def sigmoid(x):
            return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


        def sigmoid_grad(x):
            return 0.25 / np.cosh(0.5 * np.clip(x, -700, 700)) ** 2


        def tanh(x):
            return 2.0 * sigmoid(2.0 * np.asarray(x, dtype=float)) - 1.0


        def tanh_grad(x):
            return 1.0 - tanh(x) ** 2


        def relu(x):
            return x * (x > 0)


        def relu_grad(x):
            return np.heaviside(x, 0.0)


        def leaky_relu(x, slope=0.01):
            return np.maximum(x, 0.0) + slope * np.minimum(x, 0.0)


        def leaky_relu_grad(x, slope=0.01):
            out = np.full(np.shape(x), float(slope))
            out[np.asarray(x) > 0] = 1.0
            return out
    '''),
    # Clipping x to ±500 before exponentiating (exact to float64 precision there).
    "clipped_exponent": dedent('''
        import numpy as np


        def sigmoid(x):
            return 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))


        def sigmoid_grad(x):
            s = sigmoid(x)
            return s - s * s
    ''') + ACTIVATIONS_REST,
}


def test_activations_reference_equals_torch(course):
    solution = load_solution(course, "activations")
    x = np.concatenate([np.linspace(-20, 20, 81), [-1000.0, 1000.0, 0.0]])
    t = torch.tensor(x, requires_grad=True)
    for name, fn in [("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu", torch.relu),
                     ("leaky_relu", lambda v: torch.nn.functional.leaky_relu(v, 0.2))]:
        kwargs = {"slope": 0.2} if name == "leaky_relu" else {}
        (grad,) = torch.autograd.grad(fn(t).sum(), t)
        np.testing.assert_allclose(getattr(solution, name)(x, **kwargs), fn(t).detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(getattr(solution, name + "_grad")(x, **kwargs), grad.numpy(), rtol=1e-9,
                                   atol=1e-15)


# === losses ===============================================================================================
LOSSES_MSE = '''
import torch
import torch.nn.functional as F


def mse_loss(pred, target):
    return ((pred - target) ** 2).mean()
'''

LOSSES_BCE = '''

def binary_cross_entropy(prob, target):
    log_p = torch.clamp(torch.log(prob), min=-100.0)
    log_q = torch.clamp(torch.log(1 - prob), min=-100.0)
    return -(target * log_p + (1 - target) * log_q).mean()
'''

LOSSES_CE = '''

def cross_entropy(logits, target):
    m = logits.max(dim=1, keepdim=True).values
    shifted = logits - m
    lse = torch.log(torch.exp(shifted).sum(dim=1))
    return (lse - shifted[torch.arange(len(target)), target]).mean()
'''

LOSSES = solution_source("losses")
LOSSES_BCE_LOGS = ("    log_p = torch.clamp(torch.log(prob), min=-100.0)\n"
                   "    log_not_p = torch.clamp(torch.log(1.0 - prob), min=-100.0)\n")
LOSSES_CE_BODY = ("    shifted = logits - row_max\n"
                  "    log_sum_exp = torch.log(torch.exp(shifted).sum(dim=1))  # of the shifted logits\n"
                  "    picked = shifted.gather(1, target.long().reshape(-1, 1)).squeeze(1)\n"
                  "    return (log_sum_exp - picked).mean()\n")

LOSSES_WRONG = {
    # An epsilon inside the log instead of torch's clamp: log(0 + 1e-7) is -16, not -100.
    "bce_epsilon_in_log": Wrong(
        fails={"test_bce_clamps_the_logs_at_minus_100[cpu]": "value_mismatch",
               "test_bce_tiny_probabilities[cpu]": "value_mismatch"},
        source=variant(LOSSES, ("torch.log(prob)", "torch.log(prob + 1e-7)"),
                       ("torch.log(1.0 - prob)", "torch.log(1.0 - prob + 1e-7)")),
    ),
    # Clamps the probabilities instead of the logs: log(1e-12) is -27.6, not -100.
    "bce_clamps_probabilities": Wrong(
        fails={"test_bce_clamps_the_logs_at_minus_100[cpu]": "value_mismatch",
               "test_bce_tiny_probabilities[cpu]": "value_mismatch"},
        only=True,
        source=variant(LOSSES, (LOSSES_BCE_LOGS, "    prob = prob.clamp(1e-12, 1 - 1e-12)\n"
                                                "    log_p = torch.log(prob)\n"
                                                "    log_not_p = torch.log(1.0 - prob)\n")),
    ),
    # No clamp at all: log(0) = -inf, and 0 * -inf = NaN.
    "bce_unclamped": Wrong(
        fails={"test_bce_clamps_the_logs_at_minus_100[cpu]": "nan_mismatch"},
        source=variant(LOSSES, ("torch.clamp(torch.log(prob), min=-100.0)", "torch.log(prob)"),
                       ("torch.clamp(torch.log(1.0 - prob), min=-100.0)", "torch.log(1.0 - prob)")),
    ),
    # log(softmax): softmax underflows to 0 for logits 2000 below the maximum, and log(0) is -inf.
    "ce_log_of_softmax": Wrong(
        fails={"test_ce_stable_for_huge_logits[cpu]": "value_mismatch",
               "test_ce_gradient_for_huge_logits[cpu]": "nan_mismatch"},
        only=True,
        source=variant(LOSSES, (LOSSES_CE_BODY, "    probs = torch.softmax(logits, dim=1)\n"
                                               "    picked = probs.gather(1, target.long().reshape(-1, 1)).squeeze(1)\n"
                                               "    return -torch.log(picked).mean()\n")),
    ),
    # exp without the shift: exp(1000) = inf.
    "ce_without_max_shift": Wrong(
        fails={"test_ce_stable_for_huge_logits[cpu]": "nan_mismatch"},
        source=variant(LOSSES, ("    shifted = logits - row_max\n", "    shifted = logits\n")),
    ),
    # Sums over the samples instead of averaging (right only for a single sample).
    "ce_sum_not_mean": Wrong(
        fails={"test_ce_value[cpu-6x4]": "value_mismatch", "test_ce_gradient[cpu]": "value_mismatch"},
        source=variant(LOSSES, ("return (log_sum_exp - picked).mean()", "return (log_sum_exp - picked).sum()")),
    ),
    # Returns a Python float: the value is right but nothing can be differentiated.
    "mse_returns_item": Wrong(
        fails={"test_mse_gradient[cpu]": "type_mismatch", "test_mse_value[cpu-4x3]": "type_mismatch"},
        source=variant(LOSSES, ("return ((pred - target) ** 2).mean()", "return ((pred - target) ** 2).mean().item()")),
    ),
    # Calls PyTorch's own loss. A forbidden operator raises wherever it is called (the check's RULE), so every test
    # that calls cross_entropy fails with `forbidden`.
    "calls_f_cross_entropy": Wrong(
        fails=dict.fromkeys(["test_does_not_call_builtin_losses[cross_entropy]", "test_ce_value[cpu-6x4]",
                             "test_ce_value[cpu-1x3]", "test_ce_value[cpu-5x2]", "test_ce_gradient[cpu]",
                             "test_ce_stable_for_huge_logits[cpu]", "test_ce_gradient_for_huge_logits[cpu]",
                             "test_keeps_float32[cpu]"], "forbidden"),
        only=True,
        source=LOSSES + dedent('''


            def cross_entropy(logits, target):
                return torch.nn.functional.cross_entropy(logits, target)
        '''),
    ),
}

LOSSES_CORRECT = {
    "indexing": LOSSES_MSE + LOSSES_BCE + LOSSES_CE,
    # One-hot targets, a detached maximum, torch.where for the clamp, square/mean spelled differently.
    "one_hot_and_where": dedent('''
        import torch


        def mse_loss(pred, target):
            diff = pred - target
            return torch.sum(diff * diff) / diff.numel()


        def binary_cross_entropy(prob, target):
            log_p, log_q = torch.log(prob), torch.log1p(-prob)
            log_p = torch.where(log_p < -100, torch.full_like(log_p, -100.0), log_p)
            log_q = torch.where(log_q < -100, torch.full_like(log_q, -100.0), log_q)
            return torch.mean(-target * log_p - (1 - target) * log_q)


        def cross_entropy(logits, target):
            m = logits.detach().amax(dim=1, keepdim=True)
            log_probs = logits - m - torch.exp(logits - m).sum(dim=1, keepdim=True).log()
            one_hot = torch.nn.functional.one_hot(target, logits.shape[1]).to(logits.dtype)
            return -(one_hot * log_probs).sum() / logits.shape[0]
    '''),
}


def test_losses_reference_equals_torch(course):
    F = torch.nn.functional
    solution = load_solution(course, "losses")
    g = torch.Generator().manual_seed(7)

    def both(ours, theirs, a, b):
        a1, a2 = a.clone().requires_grad_(True), a.clone().requires_grad_(True)
        mine, torchs = ours(a1, b), theirs(a2, b)
        torch.testing.assert_close(mine, torchs, rtol=1e-12, atol=1e-12)
        mine.backward()
        torchs.backward()
        torch.testing.assert_close(a1.grad, a2.grad, rtol=1e-10, atol=1e-12)

    x, y = torch.randn(5, 3, generator=g, dtype=torch.float64), torch.randn(5, 3, generator=g, dtype=torch.float64)
    both(solution.mse_loss, F.mse_loss, x, y)
    p = torch.rand(4, 6, generator=g, dtype=torch.float64) * 0.98 + 0.01
    both(solution.binary_cross_entropy, F.binary_cross_entropy, p, torch.rand(4, 6, generator=g, dtype=torch.float64))
    edge_p = torch.tensor([0.0, 1.0, 0.0, 1.0, 1e-50, 0.3], dtype=torch.float64)
    edge_y = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 1.0], dtype=torch.float64)
    torch.testing.assert_close(solution.binary_cross_entropy(edge_p, edge_y), F.binary_cross_entropy(edge_p, edge_y))
    logits = torch.randn(6, 4, generator=g, dtype=torch.float64) * 3
    target = torch.randint(0, 4, (6,), generator=g)
    both(solution.cross_entropy, F.cross_entropy, logits, target)
    huge = torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 999.0]], dtype=torch.float64)
    both(solution.cross_entropy, F.cross_entropy, huge, torch.tensor([0, 2]))


# === grad_clip ============================================================================================
def clip_source(body: str) -> str:
    return "import torch\n\n\ndef clip_grad_norm_(parameters, max_norm):\n" + dedent(body).replace("\n", "\n    ")


GRAD_CLIP = solution_source("grad_clip")

GRAD_CLIP_WRONG = {
    # Clips each gradient by its own norm instead of by the norm of all of them together.
    "per_parameter_norm": Wrong(
        fails={"test_clips_large_gradients[cpu-large]": "value_mismatch",
               "test_skips_parameters_without_gradient[cpu]": "value_mismatch"},
        source=variant(GRAD_CLIP, ("g.mul_(clip_coef_clamped)",
                                   "g.mul_(torch.clamp(max_norm / (torch.linalg.vector_norm(g) + 1e-6), max=1.0))")),
    ),
    # max_norm / total_norm, without torch's + 1e-6.
    "no_epsilon": Wrong(
        fails={"test_uses_the_epsilon[cpu]": "value_mismatch"},
        source=variant(GRAD_CLIP, ("max_norm / (total_norm + 1e-6)", "max_norm / total_norm")),
    ),
    # Never clamps the coefficient to 1: small gradients are scaled *up* to max_norm.
    "no_clamp_at_one": Wrong(
        fails={"test_leaves_small_gradients_alone[cpu]": "value_mismatch"},
        only=True,
        source=variant(GRAD_CLIP, ("torch.clamp(clip_coef, max=1.0)", "clip_coef")),
    ),
    # Returns the norm measured after clipping (about max_norm) instead of before.
    "returns_norm_after_clipping": Wrong(
        fails={"test_clips_large_gradients[cpu-large]": "value_mismatch"},
        source=variant(GRAD_CLIP, ("    return total_norm\n",
                                   "    return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) "
                                   "for g in grads]))\n")),
    ),
    # Walks `parameters` twice: a generator is empty the second time, so nothing is clipped.
    "walks_the_generator_twice": Wrong(
        fails={"test_clips_large_gradients[cpu-large]": "value_mismatch"},
        source=variant(GRAD_CLIP, ("        for g in grads:\n            g.mul_(clip_coef_clamped)\n",
                                   "        for p in parameters:\n            if p.grad is not None:\n"
                                   "                p.grad.mul_(clip_coef_clamped)\n")),
    ),
    # Forgets that a parameter may have no gradient.
    "crashes_on_missing_gradient": Wrong(
        fails={"test_skips_parameters_without_gradient[cpu]": "exception"},
        only=True,
        source=variant(GRAD_CLIP, ("[p.grad for p in parameters if p.grad is not None]",
                                   "[p.grad for p in parameters]")),
    ),
    # Calls the function it should implement. A forbidden function raises wherever it is called (the check's RULE),
    # so every test fails with `forbidden`.
    "calls_torch_clip": Wrong(
        fails=dict.fromkeys([f"test_clips_large_gradients[cpu-{case}]"
                             for case in ("large", "much-larger", "just-above")]
                            + ["test_leaves_small_gradients_alone[cpu]", "test_uses_the_epsilon[cpu]",
                               "test_skips_parameters_without_gradient[cpu]", "test_accepts_a_list[cpu]",
                               "test_single_parameter[cpu]", "test_does_not_call_torch_clip"], "forbidden"),
        only=True,
        source=GRAD_CLIP + dedent('''


            def clip_grad_norm_(parameters, max_norm):
                return torch.nn.utils.clip_grad_norm_(parameters, max_norm)
        '''),
    ),
}

GRAD_CLIP_CORRECT = {
    # One flat vector of all gradients; an explicit `if` instead of the clamp.
    "concatenate_and_branch": clip_source('''
        grads = [p.grad for p in list(parameters) if p.grad is not None]
        total_norm = torch.cat([g.reshape(-1) for g in grads]).norm(2)
        coef = max_norm / (total_norm + 1e-6)
        if coef < 1:
            with torch.no_grad():
                for g in grads:
                    g.mul_(coef)
        return total_norm
    '''),
    # Squared norms accumulated in a loop; gradients replaced instead of scaled in place.
    "loop_and_reassign": clip_source('''
        params = [p for p in parameters if p.grad is not None]
        squared = torch.zeros((), dtype=params[0].grad.dtype, device=params[0].grad.device)
        for p in params:
            squared = squared + (p.grad * p.grad).sum()
        total_norm = squared.sqrt()
        coef = torch.minimum(max_norm / (total_norm + 1e-6), torch.ones_like(total_norm))
        for p in params:
            p.grad = p.grad * coef
        return total_norm
    '''),
}


@pytest.mark.parametrize("scale, max_norm", [(3.0, 1.0), (0.01, 5.0), (0.002, 1e-3)])
def test_grad_clip_reference_equals_torch(course, scale, max_norm):
    solution = load_solution(course, "grad_clip")
    g = torch.Generator().manual_seed(3)
    grads = [torch.randn(shape, generator=g, dtype=torch.float64) * scale for shape in [(3, 4), (4,), (2, 3, 2)]]
    ours = [torch.zeros(x.shape, dtype=torch.float64, requires_grad=True) for x in grads]
    theirs = [torch.zeros(x.shape, dtype=torch.float64, requires_grad=True) for x in grads]
    for p, q, x in zip(ours, theirs, grads):
        p.grad, q.grad = x.clone(), x.clone()
    ours[1].grad = theirs[1].grad = None
    torch.testing.assert_close(solution.clip_grad_norm_(iter(ours), max_norm),
                               torch.nn.utils.clip_grad_norm_(theirs, max_norm), rtol=1e-14, atol=0)
    for p, q in zip(ours, theirs):
        if p.grad is not None:
            torch.testing.assert_close(p.grad, q.grad, rtol=1e-14, atol=0)


# === optimizers ===========================================================================================
OPT_SGD = '''
import torch


class SGD:
    def __init__(self, params, lr=0.001, momentum=0.0, weight_decay=0.0):
        self.params = list(params)
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self.bufs = {}

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        with torch.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is None:
                    continue
                g = p.grad + self.weight_decay * p
                if self.momentum:
                    if i not in self.bufs:
                        self.bufs[i] = g.clone()
                    else:
                        self.bufs[i] = self.momentum * self.bufs[i] + g
                    g = self.bufs[i]
                p -= self.lr * g
'''

OPT_ADAM = '''

class Adam:
    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.params = list(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.state = {}

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        b1, b2 = self.betas
        with torch.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is None:
                    continue
                g = p.grad + self.weight_decay * p
                t, m, v = self.state.get(i, (0, torch.zeros_like(p), torch.zeros_like(p)))
                t += 1
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                self.state[i] = (t, m, v)
                m_hat = m / (1 - b1 ** t)
                v_hat = v / (1 - b2 ** t)
                p -= self.lr * m_hat / (torch.sqrt(v_hat) + self.eps)
'''

OPTIMIZERS = solution_source("optimizers")
# Each class on its own, for the edits of what both classes spell the same way.
OPTIMIZERS_SGD = OPTIMIZERS[:OPTIMIZERS.index("class Adam:")]
OPTIMIZERS_ADAM = OPTIMIZERS[len(OPTIMIZERS_SGD):]
# The reference sizes per-parameter lists from `params` at construction, where a kept generator fails loudly; the
# module's own copies (OPT_SGD, OPT_ADAM) keep their state in dicts, so the generator fails silently, as learners'
# do.
OPT_KEEP_PARAMS = ("self.params = list(params)", "self.params = params")

OPTIMIZERS_WRONG = {
    # An exponential moving average with a zero start: the first step is only (1 - momentum) * g.
    "sgd_ema_momentum": Wrong(
        fails={"test_sgd_first_momentum_step[cpu]": "value_mismatch", "test_sgd_momentum[cpu-0.9]": "value_mismatch"},
        source=variant(OPTIMIZERS, ("self.buffers[i] = g.clone()", "self.buffers[i] = (1 - self.momentum) * g"),
                       ("self.buffers[i].mul_(self.momentum).add_(g)",
                        "self.buffers[i].mul_(self.momentum).add_(g, alpha=1 - self.momentum)")),
    ),
    # `p = p - lr * g` rebinds a local name: the caller's parameters never change.
    "sgd_rebinds_instead_of_updating": Wrong(
        fails={"test_sgd_plain[cpu]": "value_mismatch", "test_sgd_momentum[cpu-0.9]": "value_mismatch"},
        source=variant(OPTIMIZERS, ("p.add_(g, alpha=-self.lr)", "p = p - self.lr * g")),
    ),
    # Updates a leaf that requires grad in place outside torch.no_grad(): PyTorch refuses.
    "sgd_without_no_grad": Wrong(
        fails={"test_sgd_plain[cpu]": "exception"},
        source=variant(OPTIMIZERS_SGD, ("    @torch.no_grad()\n", "")) + OPTIMIZERS_ADAM,
    ),
    # Keeps the generator: zero_grad walks it, and step finds it empty.
    "keeps_the_generator": Wrong(
        fails={"test_sgd_plain[cpu]": "value_mismatch", "test_adam_steps[cpu]": "value_mismatch"},
        source=variant(OPT_SGD, OPT_KEEP_PARAMS) + variant(OPT_ADAM, OPT_KEEP_PARAMS),
    ),
    # zero_grad does nothing: gradients pile up over the steps.
    "zero_grad_does_nothing": Wrong(
        fails={"test_zero_grad[SGD]": "value_differs", "test_sgd_plain[cpu]": "value_mismatch"},
        source=variant(OPTIMIZERS_SGD, ("            p.grad = None\n", "            pass\n")) + OPTIMIZERS_ADAM,
    ),
    # Adam without bias correction: the first steps are far too small (m is still near zero).
    "adam_no_bias_correction": Wrong(
        fails={"test_adam_first_step[cpu]": "value_mismatch", "test_adam_steps[cpu]": "value_mismatch"},
        source=variant(OPTIMIZERS, ("m_hat = self.m[i] / (1 - self.beta1 ** t)", "m_hat = self.m[i]"),
                       ("v_hat = self.v[i] / (1 - self.beta2 ** t)", "v_hat = self.v[i]")),
    ),
    # eps inside the square root.
    "adam_eps_inside_sqrt": Wrong(
        fails={"test_adam_eps_after_the_square_root[cpu]": "value_mismatch"},
        source=variant(OPTIMIZERS, ("(v_hat.sqrt() + self.eps)", "(v_hat + self.eps).sqrt()")),
    ),
    # AdamW's decoupled weight decay instead of Adam's L2 term in the gradient.
    "adam_decoupled_weight_decay": Wrong(
        fails={"test_adam_weight_decay[cpu]": "value_mismatch"},
        only=True,
        source=variant(OPTIMIZERS, ("g = g + self.weight_decay * p\n            self.t[i] += 1",
                                    "p.mul_(1 - self.lr * self.weight_decay)\n            self.t[i] += 1")),
    ),
    # One step count for the whole optimizer: wrong bias correction for a parameter that skipped steps.
    "adam_global_step_count": Wrong(
        fails={"test_state_only_moves_with_a_gradient[cpu-Adam]": "value_mismatch"},
        only=True,
        source=OPTIMIZERS_SGD + variant(OPTIMIZERS_ADAM,
                                        ("    def step(self):\n",
                                         "    def step(self):\n        self.steps = getattr(self, \"steps\", 0) + 1\n"),
                                        ("            self.t[i] += 1\n            t = self.t[i]\n",
                                         "            t = self.steps\n")),
    ),
    # Wraps torch.optim instead of implementing the rules. torch.optim raises wherever it is used (the check's RULE),
    # so every test fails with `forbidden`.
    "wraps_torch_optim": Wrong(
        fails=dict.fromkeys(["test_sgd_plain[cpu]", "test_sgd_first_momentum_step[cpu]", "test_sgd_momentum[cpu-0.9]",
                             "test_sgd_momentum[cpu-0.5]", "test_sgd_weight_decay[cpu]",
                             "test_sgd_skips_parameters_without_gradient[cpu]", "test_adam_first_step[cpu]",
                             "test_adam_steps[cpu]", "test_adam_defaults[cpu]", "test_adam_betas[cpu]",
                             "test_adam_eps_after_the_square_root[cpu]", "test_adam_weight_decay[cpu]",
                             "test_adam_skips_parameters_without_gradient[cpu]",
                             "test_state_only_moves_with_a_gradient[cpu-SGD]",
                             "test_state_only_moves_with_a_gradient[cpu-Adam]", "test_zero_grad[SGD]",
                             "test_zero_grad[Adam]", "test_does_not_use_torch_optim[SGD]",
                             "test_does_not_use_torch_optim[Adam]"], "forbidden"),
        only=True,
        source=OPTIMIZERS + "\nSGD = torch.optim.SGD\nAdam = torch.optim.Adam\n",
    ),
}

OPTIMIZERS_CORRECT = {
    "dict_state": OPT_SGD + OPT_ADAM,
    # SGD as a velocity v = μv − lr·g (the same as torch's buffer times −lr for a constant lr); Adam in
    # torch's own arrangement: step size lr / (1 − β1^t), denominator √v / √(1 − β2^t) + eps; `.data` updates.
    "velocity_and_torch_arrangement": dedent('''
        import math

        import torch


        class SGD:
            def __init__(self, params, lr=0.001, momentum=0.0, weight_decay=0.0):
                self.params = [p for p in params]
                self.lr = lr
                self.momentum = momentum
                self.weight_decay = weight_decay
                self.velocity = [None for _ in self.params]

            def zero_grad(self):
                for p in self.params:
                    p.grad = None

            def step(self):
                for k, p in enumerate(self.params):
                    if p.grad is None:
                        continue
                    g = p.grad.detach()
                    if self.weight_decay:
                        g = g.add(p.detach(), alpha=self.weight_decay)
                    if self.momentum == 0:
                        p.data.add_(-self.lr * g)
                        continue
                    if self.velocity[k] is None:
                        self.velocity[k] = -self.lr * g
                    else:
                        self.velocity[k] = self.momentum * self.velocity[k] - self.lr * g
                    p.data.add_(self.velocity[k])


        class Adam:
            def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
                self.params = list(params)
                self.lr = lr
                self.beta1, self.beta2 = betas
                self.eps = eps
                self.weight_decay = weight_decay
                self.steps = [0] * len(self.params)
                self.m = [torch.zeros_like(p) for p in self.params]
                self.v = [torch.zeros_like(p) for p in self.params]

            def zero_grad(self):
                for p in self.params:
                    p.grad = None

            @torch.no_grad()
            def step(self):
                for k, (p, m, v) in enumerate(zip(self.params, self.m, self.v)):
                    if p.grad is None:
                        continue
                    self.steps[k] += 1
                    bc1 = 1 - self.beta1 ** self.steps[k]
                    bc2 = 1 - self.beta2 ** self.steps[k]
                    g = p.grad if not self.weight_decay else p.grad + self.weight_decay * p
                    m.lerp_(g, 1 - self.beta1)
                    v.mul_(self.beta2).add_(g * g * (1 - self.beta2))
                    denom = v.sqrt() / math.sqrt(bc2) + self.eps
                    p.addcdiv_(m, denom, value=-self.lr / bc1)
    '''),
}


@pytest.mark.parametrize("name, options", [
    ("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1}),
    ("Adam", {}), ("Adam", {"lr": 0.05, "betas": (0.5, 0.9), "eps": 0.1}), ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
])
def test_optimizers_reference_equals_torch(course, name, options):
    solution = load_solution(course, "optimizers")
    g = torch.Generator().manual_seed(5)
    X, Y = torch.randn(8, 3, generator=g, dtype=torch.float64), torch.randn(8, 2, generator=g, dtype=torch.float64)
    start = [torch.randn(3, 2, generator=g, dtype=torch.float64), torch.randn(2, generator=g, dtype=torch.float64)]
    results = []
    for optimizer_class in (getattr(solution, name), getattr(torch.optim, name)):
        params = [t.clone().requires_grad_(True) for t in start]
        optimizer = optimizer_class(iter(params), **options)
        for _ in range(10):
            optimizer.zero_grad()
            ((torch.tanh(X @ params[0] + params[1]) - Y) ** 2).mean().backward()
            optimizer.step()
        results.append(params)
    for ours, theirs in zip(*results):
        torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-14)


# === lr_schedules =========================================================================================
LR_STEP = '''
import math


def step_lr(base_lr, step_size, gamma, epoch):
    return base_lr * gamma ** (epoch // step_size)
'''

LR_PLATEAU = '''

def reduce_on_plateau(base_lr, metrics, factor=0.1, patience=10, threshold=1e-4, min_lr=0.0, eps=1e-8):
    lr, best, bad, out = base_lr, math.inf, 0, []
    for m in metrics:
        if m < best * (1 - threshold):
            best, bad = m, 0
        else:
            bad += 1
        if bad > patience:
            new_lr = max(lr * factor, min_lr)
            if lr - new_lr > eps:
                lr = new_lr
            bad = 0
        out.append(lr)
    return out
'''

LR_SCHEDULES = solution_source("lr_schedules")
LR_IMPROVES = "current < best * (1.0 - threshold)"

LR_SCHEDULES_WRONG = {
    # A smooth exponential decay instead of steps.
    "step_lr_float_division": Wrong(
        fails={"test_step_lr[3-0.5]": "value_mismatch", "test_step_lr[30-0.1]": "value_mismatch"},
        source=variant(LR_SCHEDULES, ("epoch // step_size", "epoch / step_size")),
    ),
    # Drops one epoch early.
    "step_lr_off_by_one": Wrong(
        fails={"test_step_lr[3-0.5]": "value_mismatch", "test_step_lr[1-0.9]": "value_mismatch"},
        source=variant(LR_SCHEDULES, ("epoch // step_size", "(epoch + 1) // step_size")),
    ),
    # `>= patience`: reduces one epoch too early.
    "plateau_reduces_at_patience": Wrong(
        fails={"test_plateau_waits_more_than_patience": "value_mismatch",
               "test_plateau_keeps_reducing": "value_mismatch"},
        source=variant(LR_SCHEDULES, ("if bad_epochs > patience:", "if bad_epochs >= patience:")),
    ),
    # Keeps counting bad epochs after a reduction: then reduces on every following epoch.
    "plateau_no_reset_after_reduction": Wrong(
        fails={"test_plateau_keeps_reducing": "value_mismatch"},
        source=variant(LR_SCHEDULES, ("                lr = new_lr\n            bad_epochs = 0\n",
                                      "                lr = new_lr\n")),
    ),
    # Any decrease counts as an improvement (no threshold).
    "plateau_ignores_threshold": Wrong(
        fails={"test_plateau_relative_threshold": "value_mismatch"},
        source=variant(LR_SCHEDULES, (LR_IMPROVES, "current < best")),
    ),
    # An absolute threshold (torch's threshold_mode="abs") instead of the relative default.
    "plateau_absolute_threshold": Wrong(
        fails={"test_plateau_threshold_is_relative_not_absolute": "value_mismatch"},
        source=variant(LR_SCHEDULES, (LR_IMPROVES, "current < best - threshold")),
    ),
    # Never stops at min_lr.
    "plateau_ignores_min_lr": Wrong(
        fails={"test_plateau_min_lr_and_eps": "value_mismatch"},
        only=True,
        source=variant(LR_SCHEDULES, ("max(lr * factor, min_lr)", "lr * factor")),
    ),
    # Applies reductions smaller than eps.
    "plateau_ignores_eps": Wrong(
        fails={"test_plateau_eps_ignores_tiny_changes": "value_mismatch"},
        only=True,
        source=variant(LR_SCHEDULES, ("if lr - new_lr > eps:", "if True:")),
    ),
    # Starts best at the first metric, so the first epoch already counts as bad.
    "plateau_best_starts_at_first_metric": Wrong(
        fails={"test_plateau_waits_more_than_patience": "value_mismatch"},
        source=variant(LR_SCHEDULES, ("best = math.inf", "best = float(metrics[0])")),
    ),
}

LR_SCHEDULES_CORRECT = {
    "closed_form": LR_STEP + LR_PLATEAU,
    # StepLR as torch computes it (one multiplication at each boundary); the plateau logic in a small class.
    "chained_and_class": dedent('''
        def step_lr(base_lr, step_size, gamma, epoch):
            lr = base_lr
            for e in range(1, epoch + 1):
                if e % step_size == 0:
                    lr *= gamma
            return lr


        class _Plateau:
            def __init__(self, lr, factor, patience, threshold, min_lr, eps):
                self.lr, self.factor, self.patience = lr, factor, patience
                self.threshold, self.min_lr, self.eps = threshold, min_lr, eps
                self.best = None  # no metric seen yet
                self.bad = 0

            def step(self, metric):
                improved = self.best is None or metric < self.best - self.best * self.threshold
                self.best = metric if improved else self.best
                self.bad = 0 if improved else self.bad + 1
                if self.bad <= self.patience:
                    return self.lr
                self.bad = 0
                candidate = self.lr * self.factor
                if candidate < self.min_lr:
                    candidate = self.min_lr
                if self.lr - candidate > self.eps:
                    self.lr = candidate
                return self.lr


        def reduce_on_plateau(base_lr, metrics, factor=0.1, patience=10, threshold=1e-4, min_lr=0.0, eps=1e-8):
            scheduler = _Plateau(base_lr, factor, patience, threshold, min_lr, eps)
            return [scheduler.step(m) for m in metrics]
    '''),
}


def test_lr_schedules_reference_equals_torch(course):
    import random

    solution = load_solution(course, "lr_schedules")

    def optimizer(lr):
        return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)

    for base_lr, step_size, gamma in [(0.1, 30, 0.1), (1.0, 3, 0.5), (0.2, 7, 0.3)]:
        opt = optimizer(base_lr)
        scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size, gamma)
        for epoch in range(40):
            assert solution.step_lr(base_lr, step_size, gamma, epoch) == pytest.approx(opt.param_groups[0]["lr"],
                                                                                     rel=1e-12)
            opt.step()
            scheduler.step()
    rng = random.Random(0)
    cases = [
        (0.1, [1.0] * 8, {"factor": 0.5, "patience": 3}),
        (1.0, [2.0] * 20, {"factor": 0.5, "patience": 2}),
        (0.1, [1000.0 - 0.01 * i for i in range(8)], {"factor": 0.1, "patience": 2}),
        (0.01, [1.0] * 30, {"factor": 0.1, "patience": 1, "min_lr": 2e-5}),
        (5e-8, [1.0] * 12, {"factor": 0.5, "patience": 1, "eps": 1e-8}),
        (0.1, [1.0 / (1 + i) + 0.05 * rng.random() for i in range(60)], {}),
        (0.5, [max(2.0 * 0.9 ** i, 0.8) + rng.uniform(-0.05, 0.05) for i in range(50)],
         {"factor": 0.3, "patience": 4, "threshold": 0.01}),
    ]
    for base_lr, metrics, options in cases:
        opt = optimizer(base_lr)
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", **options)
        expected = []
        for metric in metrics:
            scheduler.step(metric)
            expected.append(opt.param_groups[0]["lr"])
        assert solution.reduce_on_plateau(base_lr, metrics, **options) == expected


# === mlp_numpy ============================================================================================
MLP_GIVEN = '''
import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def init_params(n_in, n_hidden, n_out, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(0.0, 1.0, size=(n_in, n_hidden)),
        "b1": np.zeros(n_hidden),
        "W2": rng.normal(0.0, 1.0, size=(n_hidden, n_out)),
        "b2": np.zeros(n_out),
    }
'''

MLP_FORWARD = '''

def forward(params, X):
    A1 = sigmoid(X @ params["W1"] + params["b1"])
    return sigmoid(A1 @ params["W2"] + params["b2"])


def loss(params, X, Y):
    return float(np.sum((forward(params, X) - Y) ** 2) / (2 * len(X)))
'''

MLP_GRADIENTS = '''

def gradients(params, X, Y):
    n = len(X)
    A1 = sigmoid(X @ params["W1"] + params["b1"])
    A2 = sigmoid(A1 @ params["W2"] + params["b2"])
    dZ2 = (A2 - Y) * A2 * (1 - A2) / n
    dZ1 = dZ2 @ params["W2"].T * A1 * (1 - A1)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}
'''

MLP_TRAIN = '''

def train(X, Y, n_hidden=4, lr=2.0, epochs=5000, seed=0):
    params = init_params(X.shape[1], n_hidden, Y.shape[1], seed)
    losses = []
    for _ in range(epochs):
        losses.append(loss(params, X, Y))
        grads = gradients(params, X, Y)
        params = {k: params[k] - lr * grads[k] for k in params}
    return params, losses
'''

MLP = solution_source("mlp_numpy")

MLP_WRONG = {
    # Forgets the output sigmoid's derivative (the rule for cross-entropy, not for squared error).
    "no_output_sigmoid_derivative": Wrong(
        fails={"test_gradients[5x3-4-2]": "value_mismatch",
               "test_gradients_match_finite_differences": "value_mismatch"},
        source=variant(MLP, ("dZ2 = (A2 - Y) / n * A2 * (1.0 - A2)", "dZ2 = (A2 - Y) / n")),
    ),
    # Applies the sigmoid-derivative formula to the activation: sigmoid(A1) * (1 - sigmoid(A1)).
    "derivative_of_the_activation": Wrong(
        fails={"test_gradients[5x3-4-2]": "value_mismatch",
               "test_gradients_match_finite_differences": "value_mismatch"},
        source=variant(MLP, ("* A1 * (1.0 - A1)", "* sigmoid(A1) * (1.0 - sigmoid(A1))")),
    ),
    # Forgets to divide by n: gradients n times too large (right only for one sample).
    "gradients_not_divided_by_n": Wrong(
        fails={"test_gradients[5x3-4-2]": "value_mismatch",
               "test_gradients_match_finite_differences": "value_mismatch"},
        source=variant(MLP, ("dZ2 = (A2 - Y) / n * A2", "dZ2 = (A2 - Y) * A2")),
    ),
    # Bias gradients kept as (1, h) rows instead of 1-D vectors.
    "bias_gradient_keepdims": Wrong(
        fails={"test_gradients[5x3-4-2]": "shape_mismatch"},
        source=variant(MLP, ('"b1": dZ1.sum(axis=0)', '"b1": dZ1.sum(axis=0, keepdims=True)'),
                       ('"b2": dZ2.sum(axis=0)', '"b2": dZ2.sum(axis=0, keepdims=True)')),
    ),
    # Updates W2 before computing W1's gradient (with the new W2): not gradient descent on L any more.
    "updates_one_layer_at_a_time": Wrong(
        fails={"test_training_trajectory": "value_mismatch"},
        only=True,
        source=variant(MLP, ("        grads = gradients(params, X, Y)\n"
                             "        params = {name: value - lr * grads[name] for name, value in params.items()}\n",
                             "        for name in [\"W2\", \"b2\", \"W1\", \"b1\"]:\n"
                             "            params[name] = params[name] - lr * gradients(params, X, Y)[name]\n")),
    ),
    # A mean over every element (n * k) instead of a sum divided by 2n (the same only when k = 2).
    "loss_is_plain_mse": Wrong(
        fails={"test_loss[1]": "value_mismatch"},
        source=variant(MLP, ("np.sum((A2 - Y) ** 2) / (2 * X.shape[0])", "np.mean((A2 - Y) ** 2)")),
    ),
    # Updates the caller's arrays in place inside gradients (a "helpful" step).
    "gradients_changes_params": Wrong(
        fails={"test_gradients[5x3-4-2]": "value_differs"},
        source=variant(MLP, ('    return {"W1": X.T @ dZ1',
                             '    params["b2"] -= dZ2.sum(axis=0)\n    return {"W1": X.T @ dZ1')),
    ),
}

MLP_CORRECT = {
    "vectorised": MLP_GIVEN + MLP_FORWARD + MLP_GRADIENTS + MLP_TRAIN,
    # One sample at a time, outer products, averaged at the end; in-place updates of copied arrays.
    "per_sample_loops": MLP_GIVEN + dedent('''

        def forward(params, X):
            out = []
            for x in X:
                a1 = sigmoid(params["W1"].T @ x + params["b1"])
                out.append(sigmoid(params["W2"].T @ a1 + params["b2"]))
            return np.array(out)


        def loss(params, X, Y):
            total = 0.0
            for a2, y in zip(forward(params, X), Y):
                total += 0.5 * np.dot(a2 - y, a2 - y)
            return total / len(X)


        def gradients(params, X, Y):
            grads = {k: np.zeros_like(v) for k, v in params.items()}
            for x, y in zip(X, Y):
                a1 = sigmoid(params["W1"].T @ x + params["b1"])
                a2 = sigmoid(params["W2"].T @ a1 + params["b2"])
                delta2 = (a2 - y) * a2 * (1 - a2)
                delta1 = (params["W2"] @ delta2) * a1 * (1 - a1)
                grads["W2"] += np.outer(a1, delta2)
                grads["b2"] += delta2
                grads["W1"] += np.outer(x, delta1)
                grads["b1"] += delta1
            return {k: g / len(X) for k, g in grads.items()}


        def train(X, Y, n_hidden=4, lr=2.0, epochs=5000, seed=0):
            params = {k: v.copy() for k, v in init_params(X.shape[1], n_hidden, Y.shape[1], seed).items()}
            history = []
            for _ in range(epochs):
                grads = gradients(params, X, Y)
                history.append(loss(params, X, Y))
                for k in params:
                    params[k] -= lr * grads[k]
            return params, history
    '''),
}


def test_mlp_numpy_reference_gradients_equal_autograd(course):
    solution = load_solution(course, "mlp_numpy")
    rng = np.random.default_rng(0)
    params = solution.init_params(3, 4, 2, seed=1)
    X, Y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    a1 = torch.sigmoid(torch.tensor(X) @ tensors["W1"] + tensors["b1"])
    a2 = torch.sigmoid(a1 @ tensors["W2"] + tensors["b2"])
    loss = ((a2 - torch.tensor(Y)) ** 2).sum() / (2 * len(X))
    loss.backward()
    assert solution.loss(params, X, Y) == pytest.approx(loss.item(), rel=1e-12)
    for name, grad in solution.gradients(params, X, Y).items():
        np.testing.assert_allclose(grad, tensors[name].grad.numpy(), rtol=1e-10, atol=1e-14)




# === the grading tests ====================================================================================
CASES = {
    "activations": Cases(ACTIVATIONS_WRONG, ACTIVATIONS_CORRECT),
    "losses": Cases(LOSSES_WRONG, LOSSES_CORRECT),
    "grad_clip": Cases(GRAD_CLIP_WRONG, GRAD_CLIP_CORRECT),
    "optimizers": Cases(OPTIMIZERS_WRONG, OPTIMIZERS_CORRECT),
    "lr_schedules": Cases(LR_SCHEDULES_WRONG, LR_SCHEDULES_CORRECT),
    "mlp_numpy": Cases(MLP_WRONG, MLP_CORRECT),
}
(test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
 test_other_correct_implementation_passes) = four_way_tests(CASES)
