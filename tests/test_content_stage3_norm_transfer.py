"""Stage 3, units `normalisation` and `transfer-learning`: the checks discriminate, the lessons are sound.

For `batchnorm`, `layer_group_norm` and `transfer_learning`: the untouched stub fails, the reference solution
passes, typical wrong implementations fail on the test aimed at their mistake with a meaningful feedback code,
and correct implementations written differently from the reference pass. The references are also compared with
PyTorch's own layers directly. Graded on the CPU through `grade_source` (tests/conftest.py).
"""

from __future__ import annotations

from textwrap import dedent

import torch
import torch.nn.functional as F

from discrimination import Cases, Wrong, four_way_tests, load_solution, variant

# === batchnorm ============================================================================================
BATCHNORM = dedent('''
    import torch
    import torch.nn as nn

    AXES = (0, 2, 3)


    class BatchNorm2d(nn.Module):
        def __init__(self, num_features, eps=1e-5, momentum=0.1):
            super().__init__()
            self.eps, self.momentum = eps, momentum
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

        def forward(self, x):
            if self.training:
                mean = x.mean(dim=AXES, keepdim=True)
                var = x.var(dim=AXES, unbiased=False, keepdim=True)
                m = x.numel() // x.shape[1]
                with torch.no_grad():
                    batch_mean = mean.mean(dim=(0, 2, 3))
                    batch_var = var.mean(dim=(0, 2, 3)) * m / (m - 1)
                    self.running_mean.copy_((1 - self.momentum) * self.running_mean + self.momentum * batch_mean)
                    self.running_var.copy_((1 - self.momentum) * self.running_var + self.momentum * batch_var)
                    self.num_batches_tracked += 1
            else:
                mean = self.running_mean.reshape(1, -1, 1, 1)
                var = self.running_var.reshape(1, -1, 1, 1)
            x_hat = (x - mean) / torch.sqrt(var + self.eps)
            return x_hat * self.weight.reshape(1, -1, 1, 1) + self.bias.reshape(1, -1, 1, 1)
''')

BN_OUT = [f"test_training_output_uses_batch_statistics[cpu-{c}]" for c in ("basic", "eps-momentum")]
BN_RUNNING = [f"test_running_statistics_after_each_step[cpu-{c}]" for c in ("basic", "eps-momentum")]

BATCHNORM_WRONG = {
    # The biased batch variance goes into running_var too (torch stores the unbiased one).
    "biased_running_var": Wrong(
        fails={name: "value_mismatch" for name in BN_RUNNING},
        only=True,
        source=variant(BATCHNORM, ("var.mean(dim=(0, 2, 3)) * m / (m - 1)", "var.mean(dim=(0, 2, 3))")),
    ),
    # Updates the running statistics, then normalises the training batch with them.
    "running_stats_in_training": Wrong(
        fails={name: "value_mismatch" for name in BN_OUT},
        source=variant(BATCHNORM, ("                self.num_batches_tracked += 1\n",
                                   "                self.num_batches_tracked += 1\n"
                                   "            mean = self.running_mean.reshape(1, -1, 1, 1)\n"
                                   "            var = self.running_var.reshape(1, -1, 1, 1)\n")),
    ),
    # momentum weighs the old value instead of the new batch: running = momentum·running + (1 − momentum)·batch.
    "momentum_the_other_way_round": Wrong(
        fails={name: "value_mismatch" for name in BN_RUNNING},
        only=True,
        source=variant(BATCHNORM, (
            "(1 - self.momentum) * self.running_mean + self.momentum * batch_mean",
            "self.momentum * self.running_mean + (1 - self.momentum) * batch_mean"), (
            "(1 - self.momentum) * self.running_var + self.momentum * batch_var",
            "self.momentum * self.running_var + (1 - self.momentum) * batch_var")),
    ),
    # Normalises over the batch axis only, as BatchNorm1d does: one mean per (c, h, w) position.
    "batch_axis_only": Wrong(
        fails={name: "value_mismatch" for name in BN_OUT},
        source=variant(BATCHNORM, ("AXES = (0, 2, 3)", "AXES = (0,)")),
    ),
    # Detaches the batch statistics: right values, but the gradient w.r.t. the input misses their terms.
    "detached_batch_statistics": Wrong(
        fails={"test_training_gradients[cpu-basic]": "value_mismatch",
               "test_training_gradients[cpu-eps-momentum]": "value_mismatch"},
        only=True,
        source=variant(BATCHNORM, ("mean = x.mean(dim=AXES, keepdim=True)",
                                   "mean = x.mean(dim=AXES, keepdim=True).detach()"),
                       ("var = x.var(dim=AXES, unbiased=False, keepdim=True)",
                        "var = x.var(dim=AXES, unbiased=False, keepdim=True).detach()")),
    ),
    # Forgets num_batches_tracked: the state_dict no longer interchanges with nn.BatchNorm2d.
    "no_num_batches_tracked": Wrong(
        fails={"test_parameters_buffers_and_initial_values": "exception"},
        source=variant(BATCHNORM, (
            '        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))\n', ""),
            ("                self.num_batches_tracked += 1\n", "")),
    ),
}

BATCHNORM_CORRECT = {
    # The base of the wrong versions above.
    "variant_base": BATCHNORM,
    # Channels first and flattened, statistics along dim 1, lerp_ for the running averages, rsqrt.
    "channels_first_and_lerp": dedent('''
        import torch
        from torch import nn


        class BatchNorm2d(nn.Module):
            def __init__(self, num_features, eps=1e-5, momentum=0.1):
                super().__init__()
                self.eps = eps
                self.momentum = momentum
                self.register_parameter("weight", nn.Parameter(torch.full((num_features,), 1.0)))
                self.register_parameter("bias", nn.Parameter(torch.zeros(num_features)))
                self.register_buffer("running_mean", torch.zeros(num_features))
                self.register_buffer("running_var", torch.ones(num_features))
                self.register_buffer("num_batches_tracked", torch.zeros((), dtype=torch.long))

            def forward(self, x):
                c = x.shape[1]
                view = (1, c, 1, 1)
                if not self.training:
                    scale = torch.rsqrt(self.running_var + self.eps)
                    return (x - self.running_mean.view(view)) * (scale * self.weight).view(view) + self.bias.view(view)
                flat = x.transpose(0, 1).reshape(c, -1)
                n = flat.shape[1]
                mean = flat.sum(dim=1) / n
                centred = flat - mean[:, None]
                var = (centred * centred).sum(dim=1) / n
                self.running_mean.lerp_(mean.detach(), self.momentum)
                self.running_var.lerp_(var.detach() * n / (n - 1), self.momentum)
                self.num_batches_tracked.add_(1)
                out = centred * torch.rsqrt(var + self.eps)[:, None] * self.weight[:, None] + self.bias[:, None]
                return out.reshape(c, x.shape[0], *x.shape[2:]).transpose(0, 1)
    '''),
}


def test_batchnorm_reference_equals_torch(course):
    solution = load_solution(course, "batchnorm")
    torch.manual_seed(0)
    mine = solution.BatchNorm2d(3, eps=1e-3, momentum=0.2).double()
    theirs = torch.nn.BatchNorm2d(3, eps=1e-3, momentum=0.2).double()
    with torch.no_grad():
        theirs.weight.normal_()
        theirs.bias.normal_()
    mine.load_state_dict(theirs.state_dict())
    for step in range(3):
        x = (2 * torch.randn(4, 3, 5, 6, dtype=torch.float64) + step).requires_grad_(True)
        upstream = torch.randn(4, 3, 5, 6, dtype=torch.float64)
        outputs = []
        for model in (mine, theirs):
            x.grad = None
            model.zero_grad()
            out = model(x)
            out.backward(upstream)
            outputs.append((out.detach(), x.grad.clone(), model.weight.grad.clone(), model.bias.grad.clone()))
        for got, expected in zip(*outputs):
            torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-12)
    for key, value in theirs.state_dict().items():
        torch.testing.assert_close(mine.state_dict()[key], value, rtol=1e-12, atol=1e-14)
    mine.eval()
    theirs.eval()
    x = torch.randn(2, 3, 4, 4, dtype=torch.float64)
    torch.testing.assert_close(mine(x), theirs(x), rtol=1e-12, atol=1e-12)


# === layer_group_norm =====================================================================================
LAYER_GROUP = dedent('''
    import torch


    def _normalise(x, dims, eps):
        mean = x.mean(dim=dims, keepdim=True)
        var = x.var(dim=dims, unbiased=False, keepdim=True)
        return (x - mean) / torch.sqrt(var + eps)


    def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
        k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
        out = _normalise(x, tuple(range(x.dim() - k, x.dim())), eps)
        if weight is not None:
            out = out * weight
        if bias is not None:
            out = out + bias
        return out


    def group_norm(x, num_groups, weight=None, bias=None, eps=1e-5):
        n, c = x.shape[:2]
        out = _normalise(x.reshape(n, num_groups, -1), (2,), eps).reshape(x.shape)
        shape = (1, c) + (1,) * (x.dim() - 2)
        if weight is not None:
            out = out * weight.reshape(shape)
        if bias is not None:
            out = out + bias.reshape(shape)
        return out
''')

LAYER_VALUES = "test_layer_norm_values[cpu-{}]"
GROUP_VALUES = "test_group_norm_values[cpu-{}]"

LAYER_GROUP_WRONG = {
    # Normalises over the last axis only, whatever normalized_shape says.
    "layer_norm_last_axis_only": Wrong(
        fails={LAYER_VALUES.format("two-axes"): "value_mismatch",
               LAYER_VALUES.format("list-no-affine"): "value_mismatch",
               "test_layer_norm_gradients[cpu]": "value_mismatch"},
        source=variant(LAYER_GROUP, ("k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)",
                                     "k = 1")),
    ),
    # Tensor.var's default: the unbiased variance (divides by n − 1).
    "unbiased_variance": Wrong(
        fails={LAYER_VALUES.format("int-last-axis"): "value_mismatch",
               GROUP_VALUES.format("three-groups"): "value_mismatch",
               "test_group_norm_gradients[cpu]": "value_mismatch"},
        source=variant(LAYER_GROUP, ("x.var(dim=dims, unbiased=False, keepdim=True)", "x.var(dim=dims, keepdim=True)")),
    ),
    # Groups every num_groups-th channel together (interleaved) instead of consecutive channels.
    "interleaved_groups": Wrong(
        fails={GROUP_VALUES.format("three-groups"): "value_mismatch",
               GROUP_VALUES.format("no-trailing-axes"): "value_mismatch",
               "test_group_norm_gradients[cpu]": "value_mismatch"},
        source=variant(LAYER_GROUP, (
            "out = _normalise(x.reshape(n, num_groups, -1), (2,), eps).reshape(x.shape)",
            "out = _normalise(x.reshape(n, c // num_groups, num_groups, -1), (1, 3), eps).reshape(x.shape)")),
    ),
    # eps added after the square root.
    "eps_outside_the_root": Wrong(
        fails={LAYER_VALUES.format("two-axes"): "value_mismatch",
               GROUP_VALUES.format("one-group-1d"): "value_mismatch"},
        source=variant(LAYER_GROUP, ("torch.sqrt(var + eps)", "(torch.sqrt(var) + eps)")),
    ),
    # Calls the built-in functions: right values, but the exercise is to write them. A forbidden operator raises
    # wherever it is called (the check's RULE), so every test that calls layer_norm fails with `forbidden`.
    "calls_the_builtins": Wrong(
        fails={"test_does_not_call_a_builtin_normalisation": "forbidden",
               **{LAYER_VALUES.format(case): "forbidden" for case in ("int-last-axis", "two-axes", "list-no-affine")},
               "test_layer_norm_gradients[cpu]": "forbidden", "test_keeps_float32[cpu]": "forbidden"},
        only=True,
        source=LAYER_GROUP + dedent('''

            import torch.nn.functional as F


            def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
                shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
                return F.layer_norm(x, shape, weight, bias, eps)
        '''),
    ),
}

LAYER_GROUP_CORRECT = {
    # The base of the wrong versions above.
    "variant_base": LAYER_GROUP,
    # layer_norm on the flattened trailing axes with rsqrt; group_norm as a layer norm of each group.
    "flatten_and_reuse": dedent('''
        import math

        import torch


        def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
            shape = [normalized_shape] if isinstance(normalized_shape, int) else list(normalized_shape)
            lead = x.shape[:x.dim() - len(shape)]
            flat = x.reshape(*lead, math.prod(shape))
            centred = flat - flat.mean(-1, keepdim=True)
            var = centred.pow(2).sum(-1, keepdim=True) / flat.shape[-1]
            out = (centred * torch.rsqrt(var + eps)).reshape(x.shape)
            if weight is not None:
                out = weight * out
            return out if bias is None else out + bias


        def group_norm(x, num_groups, weight=None, bias=None, eps=1e-5):
            n, c = x.shape[0], x.shape[1]
            grouped = x.reshape(n, num_groups, c // num_groups, -1)
            out = layer_norm(grouped, list(grouped.shape[2:]), eps=eps).reshape(n, c, -1)
            if weight is not None:
                out = out * weight[None, :, None]
            if bias is not None:
                out = out + bias[None, :, None]
            return out.reshape(x.shape)
    '''),
}


def test_layer_group_norm_reference_equals_torch(course):
    solution = load_solution(course, "layer_group_norm")
    g = torch.Generator().manual_seed(1)
    x = (3 * torch.randn(2, 6, 3, 4, generator=g, dtype=torch.float64)).requires_grad_(True)
    for normalized_shape in [4, (3, 4), [6, 3, 4]]:
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        w = torch.randn(shape, generator=g, dtype=torch.float64)
        b = torch.randn(shape, generator=g, dtype=torch.float64)
        torch.testing.assert_close(solution.layer_norm(x, normalized_shape, w, b, eps=1e-3),
                                   F.layer_norm(x, shape, w, b, eps=1e-3), rtol=1e-10, atol=1e-12)
    w, b = torch.randn(6, generator=g, dtype=torch.float64), torch.randn(6, generator=g, dtype=torch.float64)
    for groups in (1, 2, 3, 6):
        got = solution.group_norm(x, groups, w, b)
        expected = F.group_norm(x, groups, w, b)
        torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-12)
        (g1,) = torch.autograd.grad(got.sum() + (got ** 2).sum(), x)
        (g2,) = torch.autograd.grad(expected.sum() + (expected ** 2).sum(), x)
        torch.testing.assert_close(g1, g2, rtol=1e-8, atol=1e-10)


# === transfer_learning ====================================================================================
TRANSFER = dedent('''
    import torch
    import torch.nn as nn


    def _is_batch_norm(module):
        return isinstance(module, nn.modules.batchnorm._BatchNorm)


    def freeze_backbone(model):
        for parameter in model.parameters():
            parameter.requires_grad = False
        for parameter in model.fc.parameters():
            parameter.requires_grad = True
        for name, module in model.named_modules():
            if _is_batch_norm(module) and not name.startswith("fc"):
                module.eval()


    def replace_head(model, num_classes):
        old = model.fc
        model.fc = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
        return model.fc


    def param_groups(model, head_lr, backbone_lr):
        head, backbone = [], []
        for name, parameter in model.named_parameters():
            if parameter.requires_grad:
                (head if name.startswith("fc.") else backbone).append(parameter)
        return [g for g in ({"params": head, "lr": head_lr}, {"params": backbone, "lr": backbone_lr}) if g["params"]]


    def unfreeze(model, stage_names):
        for name in stage_names:
            stage = getattr(model, name)
            stage.requires_grad_(True)
            for module in stage.modules():
                if _is_batch_norm(module):
                    module.train()


    def set_train_mode(model):
        model.train()
        for module in model.modules():
            if _is_batch_norm(module):
                flags = [p.requires_grad for p in module.parameters()]
                if flags and not any(flags):
                    module.eval()
''')

FREEZE = "test_freeze_backbone"
UNFREEZE = "test_unfreeze_stage_by_stage"
GROUPS = "test_param_groups_learning_rates[{}]"
ONE_STEP = "test_one_training_step_changes_only_the_trainable_parts[cpu]"

TRANSFER_WRONG = {
    # Freezes the head as well: nothing would train.
    "freezes_the_head_too": Wrong(
        fails={FREEZE: "value_differs"},
        source=variant(TRANSFER, ("""    for parameter in model.fc.parameters():
        parameter.requires_grad = True
""", "")),
    ),
    # model.eval() instead of evaluating the BatchNorm layers only: the dropout is switched off too.
    "whole_model_to_eval": Wrong(
        fails={FREEZE: "value_differs", UNFREEZE: "value_differs"},
        source=variant(TRANSFER, ("""    for name, module in model.named_modules():
        if _is_batch_norm(module) and not name.startswith("fc"):
            module.eval()
""", "    model.eval()\n")),
    ),
    # Frozen parameters in the optimizer: harmless here (their .grad stays None), but not what was asked; a
    # parameter frozen after training would keep moving under momentum or weight decay.
    "frozen_parameters_in_the_optimizer": Wrong(
        fails={GROUPS.format("head-only"): "value_differs", GROUPS.format("layer3-unfrozen"): "value_differs"},
        only=True,
        source=variant(TRANSFER, ("        if parameter.requires_grad:\n            (head",
                                  "        if True:\n            (head")),
    ),
    # The two learning rates swapped.
    "learning_rates_swapped": Wrong(
        fails={GROUPS.format("layer3-unfrozen"): "value_mismatch", ONE_STEP: "value_mismatch"},
        source=variant(TRANSFER, ('{"params": head, "lr": head_lr}, {"params": backbone, "lr": backbone_lr}',
                                  '{"params": head, "lr": backbone_lr}, {"params": backbone, "lr": head_lr}')),
    ),
    # set_train_mode is plain model.train(): the frozen BatchNorm layers update their running statistics.
    "train_mode_forgets_frozen_batch_norm": Wrong(
        fails={"test_set_train_mode": "value_differs", ONE_STEP: "value_mismatch"},
        only=True,
        source=variant(TRANSFER, ("""    for module in model.modules():
        if _is_batch_norm(module):
            flags""", """    for module in []:
        if _is_batch_norm(module):
            flags""")),
    ),
    # unfreeze sets requires_grad but leaves the stage's BatchNorm layers in eval mode.
    "unfreeze_keeps_batch_norm_in_eval": Wrong(
        fails={UNFREEZE: "value_differs"},
        only=True,
        source=variant(TRANSFER, ("""        for module in stage.modules():
            if _is_batch_norm(module):
                module.train()
""", "")),
    ),
    # A new head in the default float32 (and on the CPU), whatever the model uses.
    "head_in_the_default_dtype": Wrong(
        fails={"test_replace_head[cpu]": "value_differs", ONE_STEP: "exception"},
        source=variant(TRANSFER, (", device=old.weight.device, dtype=old.weight.dtype)", ")")),
    ),
}

TRANSFER_CORRECT = {
    # The base of the wrong versions above.
    "variant_base": TRANSFER,
    # By identity sets, requires_grad_ on whole modules, filter() for the groups, a named_modules walk.
    "identity_sets_and_filters": dedent('''
        from torch import nn
        from torch.nn.modules.batchnorm import _BatchNorm


        def freeze_backbone(model):
            model.requires_grad_(False)
            model.fc.requires_grad_(True)
            in_head = set(map(id, model.fc.modules()))
            for m in model.modules():
                if isinstance(m, _BatchNorm) and id(m) not in in_head:
                    m.train(False)
            return None


        def replace_head(model, num_classes):
            w = model.fc.weight
            head = nn.Linear(w.shape[1], num_classes, bias=True)
            model.fc = head.to(w)
            return head


        def param_groups(model, head_lr, backbone_lr):
            head_ids = set(map(id, model.fc.parameters()))
            trainable = list(filter(lambda p: p.requires_grad, model.parameters()))
            groups = []
            backbone = [p for p in trainable if id(p) not in head_ids]
            if backbone:
                groups.append(dict(params=backbone, lr=backbone_lr))
            head = [p for p in trainable if id(p) in head_ids]
            if head:
                groups.append(dict(params=head, lr=head_lr))
            return groups


        def unfreeze(model, stage_names):
            for stage in (model.get_submodule(n) for n in stage_names):
                for p in stage.parameters():
                    p.requires_grad_(True)
                for m in stage.modules():
                    if isinstance(m, _BatchNorm):
                        m.train(True)


        def set_train_mode(model):
            model.train(True)
            for _, m in model.named_modules():
                ps = list(m.parameters(recurse=False))
                if isinstance(m, _BatchNorm) and ps and all(not p.requires_grad for p in ps):
                    m.eval()
    '''),
}


# === the grading tests ====================================================================================
CASES = {
    "batchnorm": Cases(BATCHNORM_WRONG, BATCHNORM_CORRECT),
    "layer_group_norm": Cases(LAYER_GROUP_WRONG, LAYER_GROUP_CORRECT),
    "transfer_learning": Cases(TRANSFER_WRONG, TRANSFER_CORRECT),
}
(test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
 test_other_correct_implementation_passes) = four_way_tests(CASES)
