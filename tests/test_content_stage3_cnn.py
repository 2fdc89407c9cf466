"""Stage 3, unit `cnn`: every exercise's check discriminates, and the unit's lessons are sound.

For each exercise: the untouched stub fails, the reference solution passes, typical wrong implementations
fail on the test aimed at their mistake with a meaningful feedback code, and correct implementations
written differently from the reference pass. Graded on the CPU through `grade_source` (tests/conftest.py).
Each source is graded once; the references are also compared with PyTorch directly (no grading needed).
"""

from __future__ import annotations

from textwrap import dedent

import torch

from discrimination import Cases, Wrong, four_way_tests, load_solution, variant

EXERCISES = ["pooling", "conv_arithmetic", "lenet5", "vgg_blocks"]


# === pooling ==============================================================================================
POOL_LOOPS = dedent('''
    import torch


    def _pair(value):
        return (value, value) if isinstance(value, int) else tuple(value)


    def _pool(input, kernel_size, stride, reduce):
        kh, kw = _pair(kernel_size)
        sh, sw = _pair(kernel_size if stride is None else stride)
        height, width = input.shape[-2:]
        out_h = (height - kh) // sh + 1
        out_w = (width - kw) // sw + 1
        rows = []
        for i in range(out_h):
            row = []
            for j in range(out_w):
                window = input[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                row.append(reduce(window, kh, kw))
            rows.append(torch.stack(row, dim=-1))
        return torch.stack(rows, dim=-2)


    def max_pool2d(input, kernel_size, stride=None):
        return _pool(input, kernel_size, stride, lambda window, kh, kw: window.amax(dim=(2, 3)))


    def avg_pool2d(input, kernel_size, stride=None):
        return _pool(input, kernel_size, stride, lambda window, kh, kw: window.sum(dim=(2, 3)) / (kh * kw))
''')

POOL_FORWARD = {f"test_forward[cpu-{name}]" for name in ("max_pool2d", "avg_pool2d")}
POOL_GRADIENTS = {f"test_gradients[cpu-{name}]" for name in ("max_pool2d", "avg_pool2d")}

POOLING_WRONG = {
    # A missing stride taken as 1 instead of the kernel size: overlapping windows, too many outputs.
    "default_stride_one": Wrong(
        fails={name: "shape_mismatch" for name in POOL_FORWARD},
        source=variant(POOL_LOOPS, ("_pair(kernel_size if stride is None else stride)",
                                    "_pair(1 if stride is None else stride)")),
    ),
    # Rounds the output size up (ceil mode): a partial window at the bottom and right edges.
    "rounds_the_output_size_up": Wrong(
        fails={name: "shape_mismatch" for name in POOL_FORWARD},
        source=variant(POOL_LOOPS, ("out_h = (height - kh) // sh + 1", "out_h = -(-(height - kh) // sh) + 1"),
                       ("out_w = (width - kw) // sw + 1", "out_w = -(-(width - kw) // sw) + 1")),
    ),
    # Divides by kH² instead of kH·kW: right for square kernels only.
    "average_over_a_square_kernel": Wrong(
        fails={"test_forward[cpu-avg_pool2d]": "value_mismatch", "test_gradients[cpu-avg_pool2d]": "value_mismatch"},
        only=True,
        source=variant(POOL_LOOPS, ("/ (kh * kw))", "/ (kh * kh))")),
    ),
    # Writes the maxima into a fresh tensor as plain numbers: right values, but no gradient reaches the input.
    "max_without_gradient": Wrong(
        fails={"test_gradients[cpu-max_pool2d]": "exception"},
        only=True,
        source=variant(POOL_LOOPS, ("lambda window, kh, kw: window.amax(dim=(2, 3)))",
                                    "lambda window, kh, kw: torch.tensor(window.amax(dim=(2, 3)).tolist(), "
                                    "dtype=window.dtype))")),
    ),
    # Calls PyTorch's own max pooling.
    # A forbidden operator raises wherever it runs (the check's rule), so every test that reaches it fails.
    "calls_the_builtin_max_pool": Wrong(
        fails={name: "forbidden" for name in ("test_does_not_call_a_builtin_pooling", "test_forward[cpu-max_pool2d]",
                                              "test_gradients[cpu-max_pool2d]", "test_keeps_float32[cpu]")},
        only=True,
        source=POOL_LOOPS + dedent('''

            def max_pool2d(input, kernel_size, stride=None):
                return torch.nn.functional.max_pool2d(input, kernel_size, stride)
        '''),
    ),
}

POOLING_CORRECT = {
    # Loops over output positions, torch.stack, amax and an explicit sum / count.
    "loops_and_stack": POOL_LOOPS,
    # F.unfold im2col: one column per window, max and mean down the columns.
    "functional_unfold": dedent('''
        import torch
        import torch.nn.functional as F


        def _columns(x, kernel_size, stride):
            k = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
            s = k if stride is None else ((stride, stride) if isinstance(stride, int) else tuple(stride))
            n, c, h, w = x.shape
            out_h, out_w = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
            cols = F.unfold(x.reshape(n * c, 1, h, w), k, stride=s)  # (N*C, kH*kW, L)
            return cols, (n, c, out_h, out_w)


        def max_pool2d(input, kernel_size, stride=None):
            cols, shape = _columns(input, kernel_size, stride)
            return cols.max(dim=1).values.reshape(shape)


        def avg_pool2d(input, kernel_size, stride=None):
            cols, shape = _columns(input, kernel_size, stride)
            return cols.mean(dim=1).reshape(shape)
    '''),
}


# === conv_arithmetic ======================================================================================
ARITHMETIC = dedent('''
    def _pair(value):
        return (value, value) if isinstance(value, int) else tuple(value)


    def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
        span = dilation * (kernel_size - 1) + 1
        if size + 2 * padding < span:
            raise ValueError("kernel too big")
        return (size + 2 * padding - span) // stride + 1


    def conv2d_output_shape(input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1):
        n, _, h, w = input_shape
        k, s, p, d = _pair(kernel_size), _pair(stride), _pair(padding), _pair(dilation)
        return (n, out_channels, conv_output_size(h, k[0], s[0], p[0], d[0]), conv_output_size(w, k[1], s[1], p[1], d[1]))


    def conv2d_parameter_count(in_channels, out_channels, kernel_size, bias=True, groups=1):
        if in_channels % groups or out_channels % groups:
            raise ValueError("groups must divide the channels")
        kh, kw = _pair(kernel_size)
        return out_channels * (in_channels // groups) * kh * kw + (out_channels if bias else 0)
''')

ARITHMETIC_WRONG = {
    # Ignores dilation: right for d = 1 only.
    "ignores_dilation": Wrong(
        fails={"test_output_size_with_dilation": "value_mismatch", "test_output_shape": "value_mismatch"},
        source=variant(ARITHMETIC, ("span = dilation * (kernel_size - 1) + 1", "span = kernel_size")),
    ),
    # Pads one side only: n + p - k instead of n + 2p - k.
    "pads_one_side": Wrong(
        fails={"test_output_size": "value_mismatch", "test_output_shape": "value_mismatch"},
        source=ARITHMETIC.replace("size + 2 * padding", "size + padding"),
    ),
    # Rounds up instead of down when the stride does not divide evenly.
    "rounds_up": Wrong(
        fails={"test_output_size": "value_mismatch"},
        source=variant(ARITHMETIC, ("return (size + 2 * padding - span) // stride + 1",
                                    "return -(-(size + 2 * padding - span) // stride) + 1")),
    ),
    # Forgets the groups: every output channel sees all input channels.
    "ignores_groups": Wrong(
        fails={"test_parameter_count_with_groups": "value_mismatch"},
        only=True,
        source=variant(ARITHMETIC, ("out_channels * (in_channels // groups) * kh", "out_channels * in_channels * kh"),
                       ("    if in_channels % groups or out_channels % groups:\n"
                        "        raise ValueError(\"groups must divide the channels\")\n", "")),
    ),
    # Counts the bias even for bias=False.
    "always_counts_the_bias": Wrong(
        fails={"test_parameter_count": "value_mismatch", "test_parameter_count_with_groups": "value_mismatch"},
        only=True,
        source=variant(ARITHMETIC, (" + (out_channels if bias else 0)", " + out_channels")),
    ),
    # True division: floats, and fractional sizes when the stride does not divide evenly.
    "true_division": Wrong(
        fails={"test_output_size": "value_mismatch", "test_results_are_python_ints": "value_differs"},
        source=variant(ARITHMETIC, ("return (size + 2 * padding - span) // stride + 1",
                                    "return (size + 2 * padding - span) / stride + 1")),
    ),
}

ARITHMETIC_CORRECT = {
    # math.floor of a true division, the effective kernel written out, a weight shape multiplied up.
    "floor_and_shapes": dedent('''
        import math


        def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
            effective = kernel_size + (kernel_size - 1) * (dilation - 1)
            out = math.floor((size + 2 * padding - effective) / stride) + 1
            if out < 1:
                raise ValueError(f"output size {out} < 1")
            return int(out)


        def conv2d_output_shape(input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1):
            def two(v):
                return [v, v] if isinstance(v, int) else list(v)
            sizes = [conv_output_size(n, k, s, p, d)
                     for n, k, s, p, d in zip(input_shape[2:], two(kernel_size), two(stride), two(padding), two(dilation))]
            return tuple([input_shape[0], out_channels] + sizes)


        def conv2d_parameter_count(in_channels, out_channels, kernel_size, bias=True, groups=1):
            for channels in (in_channels, out_channels):
                if channels % groups != 0:
                    raise ValueError(f"{channels} channels cannot be split into {groups} groups")
            kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            weight_shape = (out_channels, in_channels // groups, kh, kw)
            total = math.prod(weight_shape)
            if bias:
                total += out_channels
            return total
    '''),
}


# === lenet5 ===============================================================================================
LENET = dedent('''
    import torch.nn as nn
    import torch.nn.functional as F


    class LeNet5(nn.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, kernel_size=5)
            self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
            self.fc1 = nn.Linear(16 * 4 * 4, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, num_classes)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.flatten(1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)
''')
LENET_FORWARD = ["test_forward_with_reference_weights[cpu-10-4]", "test_forward_with_reference_weights[cpu-3-1]"]
LENET_VALUES = LENET_FORWARD + ["test_gradients_with_reference_weights[cpu]"]

LENET_WRONG = {
    # The 32x32 recipe (16*5*5 = 400 inputs to fc1) on 28x28 images.
    "fc1_sized_for_32x32_inputs": Wrong(
        fails={"test_parameter_names_and_shapes[10]": "value_mismatch", "test_parameter_count": "value_mismatch",
               LENET_FORWARD[0]: "exception"},
        source=variant(LENET, ("nn.Linear(16 * 4 * 4, 120)", "nn.Linear(16 * 5 * 5, 120)")),
    ),
    # A ReLU on the logits: negative scores become 0.
    "relu_on_the_logits": Wrong(
        fails={name: "value_mismatch" for name in LENET_VALUES},
        only=True,
        source=variant(LENET, ("return self.fc3(x)", "return F.relu(self.fc3(x))")),
    ),
    # Average pooling instead of max pooling.
    "average_pooling": Wrong(
        fails={name: "value_mismatch" for name in LENET_VALUES},
        only=True,
        source=LENET.replace("F.max_pool2d(", "F.avg_pool2d("),
    ),
    # No activation after the convolutions.
    "no_relu_after_the_convolutions": Wrong(
        fails={name: "value_mismatch" for name in LENET_VALUES},
        only=True,
        source=variant(LENET, ("F.max_pool2d(F.relu(self.conv1(x)), 2)", "F.max_pool2d(self.conv1(x), 2)"),
                       ("F.max_pool2d(F.relu(self.conv2(x)), 2)", "F.max_pool2d(self.conv2(x), 2)")),
    ),
    # num_classes ignored: always 10 outputs.
    "ignores_num_classes": Wrong(
        fails={"test_parameter_names_and_shapes[3]": "value_mismatch", LENET_FORWARD[1]: "exception"},
        only=True,
        source=variant(LENET, ("nn.Linear(84, num_classes)", "nn.Linear(84, 10)")),
    ),
}

LENET_CORRECT = {
    # Pooling and ReLU as modules in nn.Sequential-free attributes, view(-1, 256) to flatten, torch.relu.
    "modules_and_view": dedent('''
        import torch
        from torch import nn


        class LeNet5(nn.Module):
            def __init__(self, num_classes=10):
                super(LeNet5, self).__init__()
                self.conv1 = nn.Conv2d(in_channels=1, out_channels=6, kernel_size=(5, 5), stride=1, padding=0)
                self.act = nn.ReLU()
                self.pool = nn.MaxPool2d(kernel_size=2)
                self.conv2 = nn.Conv2d(6, 16, 5, bias=True)
                self.fc1 = nn.Linear(256, 120)
                self.fc2 = nn.Linear(120, 84)
                self.fc3 = nn.Linear(84, num_classes)

            def forward(self, x):
                x = self.act(self.pool(self.conv1(x)))   # max pooling and ReLU commute
                x = self.act(self.pool(self.conv2(x)))
                x = x.view(-1, 16 * 4 * 4)
                x = torch.relu(self.fc2(torch.relu(self.fc1(x))))
                return self.fc3(x)
    '''),
}


# === vgg_blocks ===========================================================================================
VGG = dedent('''
    import torch.nn as nn


    def make_vgg_features(config, in_channels=3, batch_norm=False):
        layers = []
        for v in config:
            if v == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            else:
                layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
                if batch_norm:
                    layers.append(nn.BatchNorm2d(v))
                layers.append(nn.ReLU(inplace=True))
                in_channels = v
        return nn.Sequential(*layers)


    class TinyVGG(nn.Module):
        def __init__(self, config, num_classes, in_channels=3, batch_norm=False):
            super().__init__()
            channels = [v for v in config if v != "M"][-1]
            self.features = make_vgg_features(config, in_channels, batch_norm)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.classifier = nn.Linear(channels, num_classes)

        def forward(self, x):
            return self.classifier(self.pool(self.features(x)).flatten(1))
''')
VGG_OUTPUTS = [f"test_outputs_and_gradients_with_reference_weights[cpu-{case}]"
               for case in ("plain", "batch-norm", "ends-with-conv-bn")]

VGG_WRONG = {
    # ReLU before batch norm: other layer order, so the batch-norm layers get other numbers in the state_dict.
    "relu_before_batch_norm": Wrong(
        fails={"test_layer_types[batch-norm]": "value_differs", "test_features_state_dict[batch-norm]": "keys_mismatch",
               VGG_OUTPUTS[1]: "exception"},
        source=variant(VGG, ("            if batch_norm:\n                layers.append(nn.BatchNorm2d(v))\n"
                             "            layers.append(nn.ReLU(inplace=True))\n",
                             "            layers.append(nn.ReLU(inplace=True))\n"
                             "            if batch_norm:\n                layers.append(nn.BatchNorm2d(v))\n")),
    ),
    # No padding: every convolution shrinks the image by 2.
    "no_padding": Wrong(
        fails={"test_layer_settings": "value_mismatch", VGG_OUTPUTS[0]: "exception"},
        source=variant(VGG, ("kernel_size=3, padding=1)", "kernel_size=3)")),
    ),
    # Forgets to carry the channel count forward: every convolution expects in_channels inputs.
    "channels_not_carried": Wrong(
        fails={"test_features_state_dict[plain]": "value_mismatch", "test_layer_settings": "value_mismatch",
               VGG_OUTPUTS[0]: "exception"},
        source=variant(VGG, ("            in_channels = v\n", "")),
    ),
    # Drops the convolution's bias when batch norm follows: fewer parameters, other state_dict keys.
    "no_bias_with_batch_norm": Wrong(
        fails={"test_features_state_dict[batch-norm]": "keys_mismatch",
               "test_tiny_vgg_state_dict_and_parameter_count": "keys_mismatch", VGG_OUTPUTS[1]: "exception"},
        source=variant(VGG, ("nn.Conv2d(in_channels, v, kernel_size=3, padding=1)",
                             "nn.Conv2d(in_channels, v, kernel_size=3, padding=1, bias=not batch_norm)")),
    ),
    # Pools with stride 1: the image hardly shrinks.
    "pool_stride_one": Wrong(
        fails={"test_layer_settings": "value_mismatch", VGG_OUTPUTS[0]: "value_mismatch"},
        source=variant(VGG, ("nn.MaxPool2d(kernel_size=2, stride=2)", "nn.MaxPool2d(kernel_size=2, stride=1)")),
    ),
}

VGG_CORRECT = {
    # add_module with explicit indices, non-inplace ReLU, a helper for the last channel count, nn.Flatten-free.
    "add_module_and_counting": dedent('''
        import torch
        from torch import nn


        def make_vgg_features(config, in_channels=3, batch_norm=False):
            features = nn.Sequential()
            index = 0
            channels = in_channels
            for item in config:
                if isinstance(item, str):
                    new = [nn.MaxPool2d(2)]
                else:
                    new = [nn.Conv2d(channels, item, 3, 1, 1)]
                    new += [nn.BatchNorm2d(item)] if batch_norm else []
                    new.append(nn.ReLU())
                    channels = item
                for layer in new:
                    features.add_module(str(index), layer)
                    index += 1
            return features


        class TinyVGG(nn.Module):
            def __init__(self, config, num_classes, in_channels=3, batch_norm=False):
                super().__init__()
                self.features = make_vgg_features(config, in_channels, batch_norm)
                self.pool = nn.AdaptiveAvgPool2d((1, 1))
                last = next(v for v in reversed(config) if not isinstance(v, str))
                self.classifier = nn.Linear(last, num_classes)

            def forward(self, x):
                x = self.pool(self.features(x))
                return self.classifier(torch.flatten(x, start_dim=1))
    '''),
}


# === the grading tests ====================================================================================
CASES = {
    "pooling": Cases(POOLING_WRONG, POOLING_CORRECT),
    "conv_arithmetic": Cases(ARITHMETIC_WRONG, ARITHMETIC_CORRECT),
    "lenet5": Cases(LENET_WRONG, LENET_CORRECT),
    "vgg_blocks": Cases(VGG_WRONG, VGG_CORRECT),
}
(test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
 test_other_correct_implementation_passes) = four_way_tests(CASES)


# === the references equal PyTorch =========================================================================
def load_check(course, exercise_id):
    import importlib.util

    path = course.path(course.exercises[exercise_id].check)
    spec = importlib.util.spec_from_file_location(f"check_{exercise_id}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pooling_reference_equals_torch(course):
    import torch.nn.functional as F

    solution, check = load_solution(course, "pooling"), load_check(course, "pooling")
    for case in check.CASES:
        for name in check.FUNCTIONS:
            x, kernel_size, stride = check.make_input(case, 5)
            ours, theirs = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
            out = check.call(solution, name, ours, kernel_size, stride)
            expected = getattr(F, name)(theirs, kernel_size, stride)
            torch.testing.assert_close(out, expected, msg=f"{name} {case}")
            upstream = torch.randn(out.shape, dtype=out.dtype)
            out.backward(upstream)
            expected.backward(upstream)
            torch.testing.assert_close(ours.grad, theirs.grad, msg=f"gradient of {name} {case}")


def test_conv_arithmetic_reference_equals_torch(course):
    import torch.nn.functional as F
    from torch import nn

    solution, check = load_solution(course, "conv_arithmetic"), load_check(course, "conv_arithmetic")

    def torch_shape(input_shape, out_channels, kernel_size, stride, padding, dilation):
        k = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        x = torch.empty(input_shape, device="meta")
        weight = torch.empty(out_channels, input_shape[1], *k, device="meta")
        try:
            return tuple(F.conv2d(x, weight, stride=stride, padding=padding, dilation=dilation).shape)
        except RuntimeError:
            return "ValueError"

    for size, k, s, p, d in check.SIZES + check.DILATED + check.TOO_SMALL:
        expected = torch_shape((1, 1, size, 1), 1, (k, 1), (s, 1), (p, 0), (d, 1))
        expected = expected if isinstance(expected, str) else expected[2]
        assert check.attempt(solution.conv_output_size, (size, k, s, p, d)) == expected, (size, k, s, p, d)
    for case in check.SHAPES + check.SHAPE_TOO_SMALL:
        assert check.attempt(solution.conv2d_output_shape, case) == torch_shape(*case), case
    for in_channels, out_channels, kernel_size, bias, groups in check.COUNTS + check.GROUPED + check.NOT_DIVISIBLE:
        try:
            layer = nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias, groups=groups, device="meta")
            expected = sum(p.numel() for p in layer.parameters())
        except ValueError:
            expected = "ValueError"
        got = check.attempt(solution.conv2d_parameter_count, (in_channels, out_channels, kernel_size, bias, groups))
        assert got == expected, (in_channels, out_channels, kernel_size, bias, groups)


def test_lenet5_reference_has_the_documented_layers(course):
    import torch.nn.functional as F

    model = load_solution(course, "lenet5").LeNet5(10)
    shapes = {name: tuple(t.shape) for name, t in model.state_dict().items()}
    assert shapes == {"conv1.weight": (6, 1, 5, 5), "conv1.bias": (6,), "conv2.weight": (16, 6, 5, 5),
                      "conv2.bias": (16,), "fc1.weight": (120, 256), "fc1.bias": (120,), "fc2.weight": (84, 120),
                      "fc2.bias": (84,), "fc3.weight": (10, 84), "fc3.bias": (10,)}
    assert sum(p.numel() for p in model.parameters()) == 44426  # the count the stub's docstring promises
    x = torch.randn(2, 1, 28, 28)
    with torch.no_grad():
        h = F.max_pool2d(F.relu(model.conv1(x)), 2)
        h = F.max_pool2d(F.relu(model.conv2(h)), 2).flatten(1)
        expected = model.fc3(F.relu(model.fc2(F.relu(model.fc1(h)))))
        torch.testing.assert_close(model(x), expected)


def test_vgg_blocks_reference_equals_torchvision(course):
    from torchvision.models import vgg11, vgg11_bn, vgg16

    solution = load_solution(course, "vgg_blocks")
    configs = {
        vgg11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
        vgg16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    }
    with torch.device("meta"):
        for builder, batch_norm in ((vgg11, False), (vgg16, False), (vgg11_bn, True)):
            config = configs[vgg16 if builder is vgg16 else vgg11]
            expected = builder(weights=None).features
            ours = solution.make_vgg_features(config, 3, batch_norm)
            assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in expected]
            assert {k: v.shape for k, v in ours.state_dict().items()} == \
                   {k: v.shape for k, v in expected.state_dict().items()}


# === manifest and lessons =================================================================================
