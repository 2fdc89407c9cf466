"""Stage 3, unit `residual-networks`: the checks of `resnet` and `preact_block` discriminate; the lesson runs.

For each exercise: the untouched stub fails, the reference solution passes, typical wrong implementations fail
on the test aimed at their mistake with a meaningful feedback code, and correct implementations written
differently from the reference pass. Graded on the CPU through `grade_source` (tests/conftest.py). Most wrong
versions are the reference with one or two lines changed (`variant`), so each shows exactly one mistake.
"""

from __future__ import annotations

import re
from pathlib import Path
from textwrap import dedent

import pytest

from discrimination import Cases, Wrong, four_way_tests, variant

SOLUTIONS = Path(__file__).resolve().parents[1] / "dlquest" / "solutions"

# === resnet ===============================================================================================
RESNET = (SOLUTIONS / "resnet.py").read_text()

BASIC_LAYOUT = "test_block_layout[BasicBlock]"
BOTTLENECK_LAYOUT = "test_block_layout[Bottleneck]"
BASIC_TRAIN = "test_block_forward_and_gradients[cpu-BasicBlock-train]"
BASIC_EVAL = "test_block_forward_and_gradients[cpu-BasicBlock-eval]"
BOTTLENECK_TRAIN = "test_block_forward_and_gradients[cpu-Bottleneck-train]"
BOTTLENECK_EVAL = "test_block_forward_and_gradients[cpu-Bottleneck-eval]"
R18 = "test_architecture[resnet18]"
R50 = "test_architecture[resnet50]"
R18_TRAIN = "test_whole_network_output[cpu-resnet18-train]"
R18_EVAL = "test_whole_network_output[cpu-resnet18-eval]"
BOTTLENECK_NET_TRAIN = "test_whole_network_output[cpu-bottleneck-resnet-1-1-1-1-train]"

BASIC_TAIL = "        out = self.bn2(self.conv2(out))\n        return F.relu(out + self.shortcut(x))\n"
RESNET_WRONG = {
    # The ReLU moved before the addition: the block's output can now be negative, the identity path is bent.
    "relu_before_the_addition": Wrong(
        fails={BASIC_TRAIN: "value_mismatch", BASIC_EVAL: "value_mismatch", R18_TRAIN: "value_mismatch",
               R18_EVAL: "value_mismatch"},
        source=variant(RESNET, (BASIC_TAIL, "        out = F.relu(self.bn2(self.conv2(out)))\n"
                                            "        return out + self.shortcut(x)\n")),
    ),
    # ReLU both before and after the addition (a ReLU too many on the residual branch).
    "extra_relu_on_the_branch": Wrong(
        fails={BASIC_TRAIN: "value_mismatch", BASIC_EVAL: "value_mismatch"},
        source=variant(RESNET, (BASIC_TAIL, "        out = F.relu(self.bn2(self.conv2(out)))\n"
                                            "        return F.relu(out + self.shortcut(x))\n")),
    ),
    # Convolutions with a bias: extra parameters the BN right after makes useless, and state_dicts do not load.
    "convs_with_bias": Wrong(
        fails={BASIC_LAYOUT: "keys_mismatch", BOTTLENECK_LAYOUT: "keys_mismatch", R18: "value_mismatch",
               R18_TRAIN: "exception"},
        source=RESNET.replace("bias=False", "bias=True"),
    ),
    # The Bottleneck's stride on the first 1x1 conv instead of the 3x3: same shapes and counts, other values.
    "stride_on_the_1x1_conv": Wrong(
        fails={BOTTLENECK_TRAIN: "value_mismatch", BOTTLENECK_EVAL: "value_mismatch",
               BOTTLENECK_NET_TRAIN: "value_mismatch"},
        source=variant(RESNET,
                       ("nn.Conv2d(in_channels, out_channels, 1, bias=False)",
                        "nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)"),
                       ("nn.Conv2d(out_channels, out_channels, 3, stride=stride, padding=1, bias=False)\n"
                        "        self.bn2 = nn.BatchNorm2d(out_channels)\n        self.conv3",
                        "nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)\n"
                        "        self.bn2 = nn.BatchNorm2d(out_channels)\n        self.conv3")),
    ),
    # The projection without its batch norm.
    "shortcut_without_batch_norm": Wrong(
        fails={BASIC_LAYOUT: "keys_mismatch", BOTTLENECK_LAYOUT: "keys_mismatch", R18_TRAIN: "exception"},
        source=variant(RESNET, ("            nn.BatchNorm2d(out_channels),\n        )\n", "        )\n")),
    ),
    # A projection even where the shape is kept.
    "shortcut_always_a_conv": Wrong(
        fails={BASIC_LAYOUT: "keys_mismatch", BOTTLENECK_LAYOUT: "keys_mismatch", R18: "value_mismatch"},
        source=variant(RESNET, ("    if stride != 1 or in_channels != out_channels:\n", "    if True:\n")),
    ),
    # A Bottleneck that expands by 2 instead of 4.
    "expansion_two": Wrong(
        fails={BOTTLENECK_LAYOUT: "value_mismatch", R50: "value_mismatch"},
        source=variant(RESNET, ("    expansion = 4\n", "    expansion = 2\n")),
    ),
    # The classifier ignores the expansion: resnet50's 2048 features do not fit nn.Linear(512, …).
    "fc_ignores_the_expansion": Wrong(
        fails={R50: "exception", BOTTLENECK_NET_TRAIN: "exception"},
        source=variant(RESNET, ("nn.Linear(512 * block.expansion, num_classes)", "nn.Linear(512, num_classes)")),
    ),
    # The ImageNet stem's max-pool kept for 32x32 inputs: every feature map is half as large.
    "max_pool_in_the_stem": Wrong(
        fails={R18: "value_mismatch", R18_TRAIN: "value_mismatch"},
        source=variant(RESNET, ("        out = F.relu(self.bn1(self.conv1(x)))\n        out = self.layer4",
                                "        out = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)\n"
                                "        out = self.layer4")),
    ),
}

RESNET_CORRECT = {
    # nn.Identity shortcuts, in-place additions and ReLUs, a shared base class, layer widths from a table,
    # flattening with view, and the pooling done by the avgpool module's functional twin.
    "identity_inplace_and_tables": dedent('''
        import torch
        from torch import nn
        import torch.nn.functional as F


        def conv(cin, cout, k, s=1):
            return nn.Conv2d(cin, cout, kernel_size=k, stride=s, padding=k // 2, bias=False)


        class _Residual(nn.Module):
            def make_shortcut(self, cin, cout, stride):
                if stride == 1 and cin == cout:
                    return nn.Identity()
                return nn.Sequential(conv(cin, cout, 1, stride), nn.BatchNorm2d(cout))


        class BasicBlock(_Residual):
            expansion = 1

            def __init__(self, in_channels, out_channels, stride=1):
                super().__init__()
                self.conv1 = conv(in_channels, out_channels, 3, stride)
                self.bn1 = nn.BatchNorm2d(out_channels)
                self.conv2 = conv(out_channels, out_channels, 3)
                self.bn2 = nn.BatchNorm2d(out_channels)
                self.shortcut = self.make_shortcut(in_channels, out_channels, stride)

            def forward(self, x):
                y = self.conv1(x)
                y = self.bn1(y)
                y = F.relu(y, inplace=True)
                y = self.bn2(self.conv2(y))
                y += self.shortcut(x)
                return F.relu(y, inplace=True)


        class Bottleneck(_Residual):
            expansion = 4

            def __init__(self, in_channels, out_channels, stride=1):
                super().__init__()
                self.conv1 = conv(in_channels, out_channels, 1)
                self.bn1 = nn.BatchNorm2d(out_channels)
                self.conv2 = conv(out_channels, out_channels, 3, stride)
                self.bn2 = nn.BatchNorm2d(out_channels)
                self.conv3 = conv(out_channels, 4 * out_channels, 1)
                self.bn3 = nn.BatchNorm2d(4 * out_channels)
                self.shortcut = self.make_shortcut(in_channels, 4 * out_channels, stride)

            def forward(self, x):
                y = torch.relu(self.bn1(self.conv1(x)))
                y = torch.relu(self.bn2(self.conv2(y)))
                y = self.bn3(self.conv3(y))
                return torch.relu(self.shortcut(x) + y)


        class ResNet(nn.Module):
            def __init__(self, block, num_blocks, num_classes=10):
                super().__init__()
                self.conv1 = conv(3, 64, 3)
                self.bn1 = nn.BatchNorm2d(64)
                channels = 64
                for index, (width, stride, count) in enumerate(zip((64, 128, 256, 512), (1, 2, 2, 2), num_blocks)):
                    blocks = nn.Sequential()
                    for j in range(count):
                        blocks.append(block(channels, width, stride if j == 0 else 1))
                        channels = width * block.expansion
                    setattr(self, f"layer{index + 1}", blocks)
                self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
                self.fc = nn.Linear(channels, num_classes)

            def forward(self, x):
                x = torch.relu(self.bn1(self.conv1(x)))
                for name in ("layer1", "layer2", "layer3", "layer4"):
                    x = getattr(self, name)(x)
                x = self.avgpool(x)
                return self.fc(x.view(x.size(0), -1))


        def resnet18(num_classes=10):
            return ResNet(BasicBlock, [2] * 4, num_classes=num_classes)


        def resnet34(num_classes=10):
            return ResNet(BasicBlock, [3, 4, 6, 3], num_classes=num_classes)


        def resnet50(num_classes=10):
            return ResNet(Bottleneck, [3, 4, 6, 3], num_classes=num_classes)
    '''),
}


def test_resnet_parameter_counts_match_the_stub():
    """The counts the stub promises are what the reference builds."""
    import importlib.util

    import torch

    spec = importlib.util.spec_from_file_location("resnet_solution", SOLUTIONS / "resnet.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stub = (SOLUTIONS.parent / "exercises" / "resnet.py").read_text()
    with torch.device("meta"):
        counts = [sum(p.numel() for p in factory().parameters())
                  for factory in (module.resnet18, module.resnet34, module.resnet50)]
    assert counts == [11_173_962, 21_282_122, 23_520_842]
    assert "11,173,962, 21,282,122 and 23,520,842" in stub


# === preact_block =========================================================================================
PREACT = (SOLUTIONS / "preact_block.py").read_text()
LAYOUT = "test_layout"
OUT_TRAIN, OUT_EVAL = "test_output[cpu-train]", "test_output[cpu-eval]"
GRAD_TRAIN, GRAD_EVAL = "test_gradients[cpu-train]", "test_gradients[cpu-eval]"
SKIP = "        skip = self.shortcut(pre) if self.projects else x\n"

PREACT_WRONG = {
    # The identity path carries the pre-activated input relu(bn1(x)) instead of x: it is no longer clean.
    "identity_path_preactivated": Wrong(
        fails={OUT_TRAIN: "value_mismatch", OUT_EVAL: "value_mismatch", GRAD_TRAIN: "value_mismatch",
               GRAD_EVAL: "value_mismatch"},
        only=True,
        source=variant(PREACT, (SKIP, "        skip = self.shortcut(pre)\n")),
    ),
    # The projection applied to the raw input x rather than to the pre-activated one.
    "projection_of_the_raw_input": Wrong(
        fails={OUT_TRAIN: "value_mismatch", OUT_EVAL: "value_mismatch", GRAD_TRAIN: "value_mismatch",
               GRAD_EVAL: "value_mismatch"},
        only=True,
        source=variant(PREACT, (SKIP, "        skip = self.shortcut(x)\n")),
    ),
    # A ReLU after the addition, as in the original (post-activation) block.
    "relu_after_the_addition": Wrong(
        fails={OUT_TRAIN: "value_mismatch", OUT_EVAL: "value_mismatch", GRAD_TRAIN: "value_mismatch",
               GRAD_EVAL: "value_mismatch"},
        only=True,
        source=variant(PREACT, ("        return out + skip\n", "        return F.relu(out + skip)\n")),
    ),
    # Batch norm inside the projection, copied from BasicBlock.
    "batch_norm_in_the_projection": Wrong(
        fails={LAYOUT: "keys_mismatch", OUT_TRAIN: "exception"},
        source=variant(PREACT, ("nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False))",
                                "nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),\n"
                                "                                          nn.BatchNorm2d(out_channels))")),
    ),
    # bn1 sized for the output, as if BN came after conv1 (post-activation habits).
    "bn1_on_the_output_channels": Wrong(
        fails={LAYOUT: "value_mismatch", OUT_TRAIN: "exception"},
        source=variant(PREACT, ("self.bn1 = nn.BatchNorm2d(in_channels)", "self.bn1 = nn.BatchNorm2d(out_channels)")),
    ),
    # Convolutions with a bias.
    "convs_with_bias": Wrong(
        fails={LAYOUT: "keys_mismatch", OUT_TRAIN: "exception"},
        source=PREACT.replace("bias=False", "bias=True"),
    ),
}

PREACT_CORRECT = {
    # nn.Identity for the identity path, told apart by type; a BN-ReLU-conv helper; the sum written the other way.
    "identity_module_and_helper": dedent('''
        import torch
        import torch.nn as nn


        class PreActBlock(nn.Module):
            def __init__(self, in_channels, out_channels, stride=1):
                super().__init__()
                self.bn1 = nn.BatchNorm2d(in_channels)
                self.conv1 = nn.Conv2d(in_channels, out_channels, (3, 3), (stride, stride), (1, 1), bias=False)
                self.bn2 = nn.BatchNorm2d(out_channels)
                self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
                if (stride, in_channels) == (1, out_channels):
                    self.shortcut = nn.Identity()
                else:
                    self.shortcut = nn.Sequential()
                    self.shortcut.append(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False))

            @staticmethod
            def _act(bn, t):
                return torch.clamp(bn(t), min=0)

            def forward(self, x):
                a = self._act(self.bn1, x)
                if isinstance(self.shortcut, nn.Identity):
                    skip = x
                else:
                    skip = self.shortcut(a)
                residual = self.conv2(self._act(self.bn2, self.conv1(a)))
                return skip + residual
    '''),
}


# === the grading tests ====================================================================================
CASES = {
    "resnet": Cases(RESNET_WRONG, RESNET_CORRECT),
    "preact_block": Cases(PREACT_WRONG, PREACT_CORRECT),
}
(test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
 test_other_correct_implementation_passes) = four_way_tests(CASES)


# === lesson and manifest ==================================================================================
EXERCISES = ["resnet", "preact_block"]


# Three hints in both languages and a lesson are tested for the whole course in tests/test_lessons.py; what is
# particular to this unit is which lesson teaches its exercises.
@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_exercise_is_taught_by_the_residual_networks_lesson(course, exercise_id):
    assert course.exercises[exercise_id].lesson == "residual-networks"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lesson_page_is_terminal_markdown(course, lang):
    text = course.path(course.lessons["residual-networks"].pages[lang]).read_text(encoding="utf-8")
    assert text.startswith("# "), "a page starts with its title"
    assert len(re.findall(r"^## ", text, flags=re.M)) >= 4, "sections for the table of contents"
    assert "$" not in text and "\\frac" not in text, "no LaTeX: Unicode math or code spans"
    assert not re.search(r"<(div|span|img|br|p|table|sub|sup)\b", text), "no HTML"
    assert "![" not in text, "no images"
    assert text.count("```") % 2 == 0, "code fences are closed"
