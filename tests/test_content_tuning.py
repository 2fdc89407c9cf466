"""Stage 3, unit `tuning` (issue 17): the `early_stopping` check discriminates, and its lesson says what it must.

Graded exactly as `dlquest check` does (on the CPU):

- the untouched stub fails every test, and the reference solution passes;
- typical wrong implementations fail, each on the test aimed at its mistake, with its feedback code: a state
  saved without copying its tensors, patience off by one, an equal value counted as an improvement, a fit that
  does not put the best weights back, a count of bad epochs that never resets;
- correct implementations written differently from the reference pass: the check judges the contract.

The lesson's pages, in both languages, state the rules the check judges, and the figures they quote are what
the example prints.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dlquest.course import BUNDLED_COURSE

from discrimination import Cases, Wrong, four_way_tests, solution_source, variant

EARLY_STOPPING = solution_source("early_stopping")

SAVE = "self.best_state = copy.deepcopy(model.state_dict())"
RESTORED_WEIGHTS = {
    "test_restore_brings_back_the_best_epochs_weights_bit_for_bit[cpu]": "value_mismatch",
    "test_the_saved_state_is_a_copy_that_later_training_leaves_alone[cpu]": "value_mismatch",
    "test_fit_stops_in_time_and_ends_with_the_best_weights[cpu-stops-early]": "value_mismatch",
}
STOPS = [f"test_stops_after_patience_bad_epochs_in_a_row[cpu-{name}]"
         for name in ("docstring", "count-resets", "patience-1")]

EARLY_STOPPING_WRONG = {
    # The classic: state_dict()'s tensors are the live weights, so the "best" state follows every later step.
    "state_dict_without_copy": Wrong(
        fails=RESTORED_WEIGHTS,
        only=False,
        source=variant(EARLY_STOPPING, (SAVE, "self.best_state = model.state_dict()")),
    ),
    # A shallow copy (the seed outline's own code): a new dict, holding the same live tensors.
    "shallow_dict_copy": Wrong(
        fails=RESTORED_WEIGHTS,
        source=variant(EARLY_STOPPING, (SAVE, "self.best_state = model.state_dict().copy()")),
    ),
    # Stops one bad epoch too late.
    "patience_off_by_one": Wrong(
        fails={name: "value_differs" for name in STOPS},
        source=variant(EARLY_STOPPING, ("return self.bad_epochs >= self.patience",
                                        "return self.bad_epochs > self.patience")),
    ),
    # An equal value counts as an improvement, so a plateau never runs out of patience.
    "equal_counts_as_improvement": Wrong(
        fails={"test_an_equal_value_is_not_an_improvement[cpu-min-curve0]": "value_differs",
               "test_an_equal_value_is_not_an_improvement[cpu-max-curve1]": "value_differs"},
        source=variant(EARLY_STOPPING, ("return value < self.best - self.min_delta",
                                        "return value <= self.best - self.min_delta"),
                                       ("return value > self.best + self.min_delta",
                                        "return value >= self.best + self.min_delta")),
    ),
    # fit_with_early_stopping leaves the model with the last epoch's weights.
    "fit_does_not_restore": Wrong(
        fails={f"test_fit_stops_in_time_and_ends_with_the_best_weights[cpu-{name}]": "value_mismatch"
               for name in ("stops-early", "runs-all-epochs", "accuracy")},
        only=True,
        source=variant(EARLY_STOPPING, ("    stopper.restore(model)\n", "")),
    ),
    # Restores only when it stopped early: a run that used up max_epochs keeps its last weights.
    "restores_only_after_an_early_stop": Wrong(
        fails={"test_fit_stops_in_time_and_ends_with_the_best_weights[cpu-runs-all-epochs]": "value_mismatch"},
        only=True,
        source=variant(EARLY_STOPPING, ("            break\n    stopper.restore(model)\n",
                                        "            stopper.restore(model)\n            break\n")),
    ),
    # Counts every bad epoch since the start, not those in a row.
    "bad_epochs_never_reset": Wrong(
        fails={"test_stops_after_patience_bad_epochs_in_a_row[cpu-count-resets]": "value_differs"},
        source=variant(EARLY_STOPPING, ("self.best, self.best_epoch, self.bad_epochs = value, self.epoch, 0",
                                        "self.best, self.best_epoch = value, self.epoch")),
    ),
    # Ignores min_delta.
    "min_delta_ignored": Wrong(
        fails={"test_an_improvement_must_beat_the_best_by_more_than_min_delta[cpu-min]": "value_differs",
               "test_an_improvement_must_beat_the_best_by_more_than_min_delta[cpu-max]": "value_differs"},
        only=True,
        source=variant(EARLY_STOPPING, ("self.min_delta = min_delta", "self.min_delta = 0.0")),
    ),
}

EARLY_STOPPING_CORRECT = {
    # Tensors cloned one by one (detached, kept on the CPU); restore copies them back onto the model's device.
    "clone_each_tensor_to_cpu": variant(
        EARLY_STOPPING, (SAVE, "self.best_state = {k: v.detach().cpu().clone() for k, v in "
                               "model.state_dict().items()}")),
    # The snapshot as bytes: torch.save into memory, torch.load back.
    "serialised_snapshot": variant(
        EARLY_STOPPING,
        ("import copy\n", "import copy\nimport io\n\nimport torch\n"),
        (SAVE, "self.best_state = io.BytesIO()\n            torch.save(model.state_dict(), self.best_state)"),
        ("model.load_state_dict(self.best_state)",
         "self.best_state.seek(0)\n        model.load_state_dict(torch.load(self.best_state, weights_only=True))")),
    # The improvement written as a signed difference, and the epoch counted from the history's length.
    "signed_difference": """
import copy


class EarlyStopping:
    def __init__(self, patience, min_delta=0.0, mode="min"):
        self.patience, self.min_delta = patience, min_delta
        self.sign = 1.0 if mode == "min" else -1.0
        self.best = self.best_epoch = self._state = None
        self.values = []
        self.since_best = 0

    def step(self, value, model):
        self.values.append(value)
        if self.best is None or self.sign * (self.best - value) > self.min_delta:
            self.best, self.best_epoch = value, len(self.values) - 1
            self._state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
            self.since_best = 0
            return False
        self.since_best += 1
        return self.since_best == self.patience

    def restore(self, model):
        with __import__("torch").no_grad():
            for name, tensor in model.state_dict().items():
                tensor.copy_(self._state[name])


def fit_with_early_stopping(model, train_step, evaluate, max_epochs, patience, min_delta=0.0, mode="min"):
    stopper, history, epoch = EarlyStopping(patience, min_delta, mode), [], 0
    while epoch < max_epochs:
        train_step(model)
        history.append(evaluate(model))
        epoch += 1
        if stopper.step(history[-1], model):
            break
    stopper.restore(model)
    return stopper.best_epoch, history
""",
}

CASES = {"early_stopping": Cases(EARLY_STOPPING_WRONG, EARLY_STOPPING_CORRECT)}

(test_stub_fails, test_solution_passes, test_typical_mistake_fails_with_its_code,
 test_other_correct_implementation_passes) = four_way_tests(CASES)


PAGES = {lang: Path(BUNDLED_COURSE, "lessons", lang, "tuning-experiments.md").read_text(encoding="utf-8")
         for lang in ("en", "zh")}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_lesson_states_the_rules_the_check_judges(lang):
    page = PAGES[lang]
    for rule in ("copy.deepcopy(model.state_dict())", "value < best − min_delta", "patience = 2",
                 "1.0、0.8、0.9、0.85" if lang == "zh" else "1.0, 0.8, 0.9, 0.85", "dlquest check early_stopping"):
        assert rule in page, f"{lang}: {rule!r}"


# What the pages quote from the example's output: (the text in the output, the same figure on the page).
QUOTED = [("at lr = 1.3", "1.3"), ("steepest fall at lr = 0.19", "0.19"), ("best lr = 0.001, error 0.0591", "0.0591"),
          ("best lr = 0.0043, error 0.0525", "0.0525"), ("in 98.0% of 1000", "98%"),
          ("lowest at epoch 16 (0.500)", "epoch 16"), ("at epoch 26", "26"), ("accuracy 90.5%", "90.5%"),
          ("accuracy 77.9%", "77.9%"), ("mean 75.7% ± 6.7%", "75.7% ± 6.7%"), ("mean 82.3% ± 4.6%", "82.3% ± 4.6%"),
          ("+6.6%; with one seed each, hidden 24 loses 2 time(s)", "6.6"), ("the same as before: True", "same")]


@pytest.mark.slow
def test_the_figures_on_the_pages_are_what_the_example_prints():
    example = Path(BUNDLED_COURSE, "lessons", "examples", "tuning_experiments.py")
    run = subprocess.run([sys.executable, str(example)], capture_output=True, text=True, timeout=300,
                         cwd=example.parent, env={**os.environ, "DLQUEST_LANG": "en"})
    assert run.returncode == 0, run.stderr
    for printed, quoted in QUOTED:
        assert printed in run.stdout, f"the example no longer prints {printed!r}:\n{run.stdout}"
        assert quoted in PAGES["en"], quoted
