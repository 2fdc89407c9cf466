"""Stage 3, unit `image-classification`: every exercise's check discriminates, and the lessons are complete.

For each exercise: the untouched stub fails, the reference solution passes, typical wrong implementations
fail on the test aimed at their mistake with a meaningful feedback code, and correct implementations
written differently from the reference pass. Graded on the CPU through `grade_source` (tests/conftest.py).
"""

from __future__ import annotations

import re
from textwrap import dedent

import pytest

from discrimination import Cases, Wrong, assert_fails_as_expected, four_way_tests, variant

# === augmentation =========================================================================================
NOISE = dedent('''
    import torch


    class GaussianNoise:
        def __init__(self, std, generator=None):
            self.std = std
            self.generator = generator

        def __call__(self, img):
            noise = torch.randn(img.shape, generator=self.generator, dtype=img.dtype)
            return (img + self.std * noise).clamp(0, 1)
''')

NOISE_VALUES = [f"test_values[{case}]" for case in ("one-image", "batch", "strong-noise")]
NOISE_CALL = "        noise = torch.randn(img.shape, generator=self.generator, dtype=img.dtype)\n"

NOISE_WRONG = {
    # torchvision's own transform: it draws from the global generator, never from the one given.
    "torchvision_gaussian_noise": Wrong(
        fails={"test_draws_from_the_given_generator": "forbidden", **{name: "value_mismatch" for name in NOISE_VALUES}},
        source=dedent('''
            import torch
            from torchvision.transforms import v2


            class GaussianNoise:
                def __init__(self, std, generator=None):
                    self.std = std
                    self.generator = generator
                    self.noise = v2.GaussianNoise(sigma=std)

                def __call__(self, img):
                    return self.noise(img)
        '''),
    ),
    # Forgets to clip: values leave [0, 1].
    "no_clipping": Wrong(
        fails={"test_output_is_clipped_to_unit_interval": "assertion",
               **{name: "value_mismatch" for name in NOISE_VALUES}},
        source=variant(NOISE, ("(img + self.std * noise).clamp(0, 1)", "img + self.std * noise")),
    ),
    # Adds the noise in place: the caller's image changes (and the second call starts from the noisy one).
    "in_place": Wrong(
        fails={"test_does_not_modify_the_input": "value_mismatch", "test_values[batch]": "value_mismatch"},
        source=variant(NOISE, ("return (img + self.std * noise).clamp(0, 1)",
                               "return img.add_(self.std * noise).clamp_(0, 1)")),
    ),
    # Re-seeds the generator on every call: both calls add the same noise.
    "reseeds_every_call": Wrong(
        fails={name: "value_mismatch" for name in NOISE_VALUES},
        source=variant(NOISE, (NOISE_CALL, "        self.generator.manual_seed(0)\n" + NOISE_CALL)),
    ),
    # Draws float32 noise for every image: float64 images come back with float32 noise added (values differ
    # beyond float64's tolerance).
    "noise_always_float32": Wrong(
        fails={"test_values[one-image]": "value_mismatch"},
        source=variant(NOISE, ("dtype=img.dtype)", "dtype=torch.float32)")),
    ),
    # Uses the variance instead of the standard deviation (the same only when std = 1).
    "std_squared": Wrong(
        fails={"test_values[one-image]": "value_mismatch", "test_values[batch]": "value_mismatch"},
        source=variant(NOISE, ("img + self.std * noise", "img + self.std ** 2 * noise")),
    ),
}

NOISE_CORRECT = {
    # randn_like with the generator, torch.clip, an nn.Module subclass.
    "module_with_randn_like": dedent('''
        import torch
        from torch import nn


        class GaussianNoise(nn.Module):
            def __init__(self, std, generator=None):
                super().__init__()
                self.std = float(std)
                self.generator = generator

            def forward(self, img):
                noisy = img + torch.randn_like(img, generator=self.generator).mul(self.std)
                return torch.clip(noisy, min=0.0, max=1.0)
    '''),
}


# === mixup ================================================================================================
MIXUP = dedent('''
    import torch


    def mixup_batch(x, y, lam, perm):
        mixed_x = lam * x + (1 - lam) * x[perm]
        return mixed_x, y, y[perm]


    def mixup_loss(loss_fn, pred, y_a, y_b, lam):
        return lam * loss_fn(pred, y_a) + (1 - lam) * loss_fn(pred, y_b)
''')

BATCH_VALUES = {f"test_mixup_batch[cpu-{case}]": "value_mismatch" for case in ("images", "vectors")}
LOSS_VALUES = {f"test_mixup_loss[cpu-{name}]": "value_mismatch" for name in ("cross_entropy", "per_sample", "custom")}

MIXUP_WRONG = {
    # λ on the partners instead of the original batch.
    "lambda_on_the_partner": Wrong(
        fails={**BATCH_VALUES, "test_mixup_batch[cpu-lam-one]": "value_mismatch",
               "test_mixup_batch_gradient[cpu-images]": "value_mismatch"},
        source=variant(MIXUP, ("lam * x + (1 - lam) * x[perm]", "(1 - lam) * x + lam * x[perm]")),
    ),
    # Forgets to reorder the second label set.
    "labels_not_permuted": Wrong(
        fails=BATCH_VALUES,
        source=variant(MIXUP, ("return mixed_x, y, y[perm]", "return mixed_x, y, y")),
    ),
    # Weighs the two losses the wrong way round.
    "loss_weights_swapped": Wrong(
        fails={**LOSS_VALUES, "test_training_step[cpu]": "value_mismatch"},
        only=True,
        source=variant(MIXUP, ("lam * loss_fn(pred, y_a) + (1 - lam) * loss_fn(pred, y_b)",
                               "(1 - lam) * loss_fn(pred, y_a) + lam * loss_fn(pred, y_b)")),
    ),
    # Detaches the partners: right values, but half of the gradient is lost.
    "partners_detached": Wrong(
        fails={"test_mixup_batch_gradient[cpu-images]": "value_mismatch",
               "test_mixup_batch_gradient[cpu-vectors]": "value_mismatch"},
        only=True,
        source=variant(MIXUP, ("(1 - lam) * x[perm]", "(1 - lam) * x[perm].detach()")),
    ),
    # Mixes in place: x itself is overwritten.
    "mixes_in_place": Wrong(
        fails={"test_mixup_batch_leaves_its_inputs_alone": "value_mismatch"},
        source=variant(MIXUP, ("    mixed_x = lam * x + (1 - lam) * x[perm]\n",
                               "    partner = x[perm]\n    mixed_x = x.mul_(lam).add_((1 - lam) * partner)\n")),
    ),
}

MIXUP_CORRECT = {
    # torch.lerp and index_select; the loss as an interpolation between the two losses.
    "lerp_and_index_select": dedent('''
        import torch


        def mixup_batch(x, y, lam, perm):
            partners = x.index_select(0, perm)
            return torch.lerp(partners, x, lam), y.clone(), y.index_select(0, perm)


        def mixup_loss(loss_fn, pred, y_a, y_b, lam):
            loss_b = loss_fn(pred, y_b)
            return loss_b + lam * (loss_fn(pred, y_a) - loss_b)
    '''),
}


# === cnn_classifier =======================================================================================
CNN = dedent('''
    import torch
    import torch.nn as nn


    def build_model():
        return nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 4 * 4, 10),
        )


    def train_model(model, X_train, y_train):
        torch.manual_seed(0)
        optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
        loss_fn = nn.CrossEntropyLoss()
        model.train()
        for _ in range(12):
            order = torch.randperm(len(X_train))
            for start in range(0, len(X_train), 64):
                batch = order[start:start + 64]
                optimizer.zero_grad()
                loss_fn(model(X_train[batch]), y_train[batch]).backward()
                optimizer.step()
        return model
''')

CNN_STRUCTURE = "test_model_is_a_cnn_with_batch_norm"
CNN_SHAPE = "test_model_gives_ten_scores_per_image"
CNN_ACCURACY = "test_reaches_97_percent_on_held_out_digits"
CNN_BUDGET = "test_training_stays_within_the_time_budget"

CNN_WRONG = {
    # A CNN without batch normalisation: it may learn well, but it is not what the project asks for.
    "no_batch_norm": Wrong(
        fails={CNN_STRUCTURE: "assertion", CNN_ACCURACY: "assertion"},
        only=True,
        source=variant(CNN, ("nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),",
                             "nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(),"),
                       ("nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),",
                        "nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(),")),
    ),
    # An MLP with batch norm: no convolution at all.
    "mlp_without_convolution": Wrong(
        fails={CNN_STRUCTURE: "assertion", CNN_ACCURACY: "assertion"},
        only=True,
        source=variant(CNN, (
            "        nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),\n"
            "        nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),\n"
            "        nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 4 * 4, 10),\n",
            "        nn.Flatten(), nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Linear(128, 10),\n")),
    ),
    # Forgets to train: the model is returned as it was built.
    "never_trained": Wrong(
        fails={CNN_ACCURACY: "assertion"},
        only=True,
        source=variant(CNN, ("    torch.manual_seed(0)\n", "    return model\n")),
    ),
    # Trains, but forgets to return the model.
    "returns_nothing": Wrong(
        fails={CNN_ACCURACY: "assertion"},
        only=True,
        source=variant(CNN, ("    return model\n", "")),
    ),
    # Nine outputs: one class short (training then stops on the label 9).
    "nine_scores": Wrong(
        fails={CNN_SHAPE: "shape_mismatch", CNN_ACCURACY: "exception"},
        source=variant(CNN, ("nn.Linear(32 * 4 * 4, 10)", "nn.Linear(32 * 4 * 4, 9)")),
    ),
}

# Never finishes: stopped by the exercise's time-out. Graded on its own (test_cnn_classifier_never_finishing_fails),
# with a shorter limit that keeps it quick and is still far above what the other cases need.
CNN_NEVER_FINISHES = Wrong(
    fails={CNN_ACCURACY: "timeout", CNN_BUDGET: "timeout"},
    only=True,
    source=variant(CNN, ("    torch.manual_seed(0)\n", "    import time\n    while True:\n        time.sleep(0.5)\n")),
)

CNN_CORRECT = {
    # The loop the hints describe (Adam at a constant 2e-3, 12 epochs), the base of the wrong versions above.
    "plain_adam": CNN,
    # A module class that upsamples to 16×16, BatchNorm1d in the head, SGD with Nesterov momentum, a DataLoader.
    "upsampled_module_class_with_sgd": dedent('''
        import torch
        from torch import nn
        import torch.nn.functional as F


        class DigitNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
                self.bn1 = nn.BatchNorm2d(8)
                self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
                self.bn2 = nn.BatchNorm2d(16)
                self.fc1 = nn.Linear(16 * 4 * 4, 64)
                self.bn3 = nn.BatchNorm1d(64)
                self.fc2 = nn.Linear(64, 10)

            def forward(self, x):
                x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)   # 16 x 16
                x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)                         # 8 x 8
                x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)                         # 4 x 4
                x = F.relu(self.bn3(self.fc1(x.flatten(1))))
                return self.fc2(x)


        def build_model():
            return DigitNet()


        def train_model(model, X_train, y_train):
            torch.manual_seed(1)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
            data = torch.utils.data.TensorDataset(X_train, y_train)
            loader = torch.utils.data.DataLoader(data, batch_size=32, shuffle=True, drop_last=True)
            model.train()
            for epoch in range(10):
                for images, labels in loader:
                    loss = F.cross_entropy(model(images), labels)
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    optimizer.step()
            return model
    '''),
}


# === the grading tests ====================================================================================
CASES = {
    "augmentation": Cases(NOISE_WRONG, NOISE_CORRECT),
    "mixup": Cases(MIXUP_WRONG, MIXUP_CORRECT),
    "cnn_classifier": Cases(CNN_WRONG, CNN_CORRECT),
}
(test_stub_fails, test_solution_passes, test_wrong_implementation_fails,
 test_other_correct_implementation_passes) = four_way_tests(CASES)


def test_cnn_classifier_never_finishing_fails(grade_source):
    assert_fails_as_expected(grade_source("cnn_classifier", CNN_NEVER_FINISHES.source, wall_time=8), CNN_NEVER_FINISHES)


# === lessons and manifest =================================================================================
IMAGE_LESSONS = ["image-classification", "data-augmentation"]
IMAGE_EXERCISES = {"augmentation": "data-augmentation", "mixup": "data-augmentation",
                   "cnn_classifier": "image-classification"}


def test_image_classification_example_runs_and_falls_back_to_fake_data(course, tmp_path):
    """Without CIFAR-10 on disk the example says so and uses FakeData; it never downloads anything."""
    import os
    import subprocess
    import sys

    from dlquest.authoring import EXAMPLE_TIMEOUT

    empty = tmp_path / "no-cifar"
    empty.mkdir()
    script = course.path(course.lessons["image-classification"].example)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=EXAMPLE_TIMEOUT, env={**os.environ, "DLQUEST_CIFAR10": str(empty)})
    assert done.returncode == 0, done.stderr[-800:]
    assert f"CIFAR-10 not found at {empty.resolve()}; using FakeData — accuracy will be chance" in done.stdout
    assert "test accuracy" in done.stdout and "most frequent mistake" in done.stdout
    assert list(empty.iterdir()) == [], "nothing may be downloaded or written into the data folder"


@pytest.mark.parametrize("lesson", IMAGE_LESSONS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_image_lesson_page_is_terminal_markdown(course, lesson, lang):
    text = course.path(course.lessons[lesson].pages[lang]).read_text(encoding="utf-8")
    assert text.startswith("# "), "a page starts with its title"
    assert len(re.findall(r"^## ", text, flags=re.M)) >= 4, "sections for the table of contents"
    assert "$" not in text and "\\frac" not in text, "no LaTeX: Unicode math or code spans"
    assert not re.search(r"<(div|span|img|br|p|table|sub|sup)\b", text), "no HTML"
    assert "![" not in text, "no images"
    assert text.count("```") % 2 == 0, "code fences are closed"


@pytest.mark.parametrize("lesson", IMAGE_LESSONS)
def test_image_lesson_zh_paragraphs_are_single_lines(course, lesson):
    """Chinese prose is not hard-wrapped: a line break inside a Chinese sentence shows as a stray space."""
    text = course.path(course.lessons[lesson].pages["zh"]).read_text(encoding="utf-8")
    in_code, previous = False, ""
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        prose = (not in_code and line.strip() and not line.startswith(("    ", "#", "|", "- ", "```")))
        previous_prose = previous.strip() and not previous.startswith(("    ", "#", "|", "- ", "```"))
        assert not (prose and previous_prose and not in_code), f"wrapped paragraph: {previous!r} / {line!r}"
        previous = line if not in_code else ""


# Three hints in both languages and a lesson: tested for the whole course in tests/test_lessons.py.
@pytest.mark.parametrize("exercise_id", list(IMAGE_EXERCISES))
def test_image_exercise_is_taught_by_its_lesson(course, exercise_id):
    assert course.exercises[exercise_id].lesson == IMAGE_EXERCISES[exercise_id]


def test_cnn_classifier_budget_is_stated_once(course):
    """The stub, the solution and the check state the same time budget."""
    exercise = course.exercises["cnn_classifier"]
    budgets = set()
    for path in (exercise.stub, exercise.solution, exercise.check):
        source = course.path(path).read_text(encoding="utf-8")
        budgets.add(int(re.search(r"^TIME_BUDGET_SECONDS = (\d+)", source, flags=re.M).group(1)))
    assert budgets == {20}
    assert exercise.timeout >= 3 * 20, "the hard wall-time stop leaves room above the CPU budget"
