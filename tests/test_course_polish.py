"""Estimated minutes (issue 18): every lesson, exercise and guide of the bundled course has one, the manifest
rejects a value that is not a positive whole number, a stage's time is the sum of its items', and
`dlquest list` shows both. Also the prerequisites the lessons' contents call for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dlquest import cli
from dlquest.course import BUNDLED_COURSE, ManifestError, load_course
from dlquest.render import minutes_text

COURSE = load_course()


def test_every_item_and_guide_has_an_estimate():
    missing = [item.id for item in COURSE.items() if not item.minutes]
    missing += [guide.id for guide in COURSE.guides.values() if not guide.minutes]
    assert not missing, f"no `minutes` for: {', '.join(missing)}"
    assert all(isinstance(item.minutes, int) and item.minutes > 0 for item in COURSE.items())


def test_a_stage_takes_the_sum_of_its_items_and_the_outline_months_are_gone():
    for stage in COURSE.stages:
        assert stage.minutes == sum(item.minutes for unit in stage.units for item in unit.items)
        assert not hasattr(stage, "duration")
    manifest = (BUNDLED_COURSE / "lessons" / "course.toml").read_text(encoding="utf-8")
    assert "\nduration = " not in manifest and "months" not in manifest


@pytest.fixture
def course_copy(tmp_path) -> Path:
    copy = tmp_path / "course"
    for part in ("lessons", "exercises", "solutions", "checks", "data"):
        shutil.copytree(BUNDLED_COURSE / part, copy / part)
    return copy


@pytest.mark.parametrize("value", ["0", "-5", "2.5", '"20"', "true", "[20]"])
@pytest.mark.parametrize("entry, anchor", [
    ("lesson 'numpy-broadcasting'", 'id = "numpy-broadcasting"\n'),
    ("exercise 'conv2d'", 'id = "conv2d"\n'),
    ("guide 'faq'", 'id = "faq"\n'),
])
def test_a_bad_estimate_is_a_fault_naming_the_entry(course_copy, value, entry, anchor):
    manifest = course_copy / "lessons" / "course.toml"
    text = manifest.read_text(encoding="utf-8")
    start = text.index(anchor)
    line_start = text.index("\nminutes = ", start) + 1
    line_end = text.index("\n", line_start)
    manifest.write_text(text[:line_start] + f"minutes = {value}" + text[line_end:], encoding="utf-8")
    with pytest.raises(ManifestError) as err:
        load_course(course_copy)
    problems = [p for p in err.value.problems if entry in p]
    assert problems and all("minutes" in p for p in problems), err.value.problems


def test_an_estimate_may_be_left_out(course_copy):
    manifest = course_copy / "lessons" / "course.toml"
    text = manifest.read_text(encoding="utf-8")
    start = text.index('id = "conv2d"\n')
    line_start = text.index("\nminutes = ", start) + 1
    line_end = text.index("\n", line_start) + 1
    manifest.write_text(text[:line_start] + text[line_end:], encoding="utf-8")
    course = load_course(course_copy)
    assert course.exercises["conv2d"].minutes is None
    stage = next(s for s in course.stages if s.id == course.exercises["conv2d"].stage)
    assert stage.minutes == next(s for s in COURSE.stages if s.id == stage.id).minutes - COURSE.exercises["conv2d"].minutes


@pytest.mark.parametrize("minutes, en, zh", [
    (5, "5 min", "5 分钟"), (60, "1 h", "1 小时"), (250, "4 h 10 min", "4 小时 10 分钟"),
])
def test_minutes_read_as_hours_and_minutes(minutes, en, zh):
    assert minutes_text(minutes, "en") == en and minutes_text(minutes, "zh") == zh
    assert minutes_text(minutes, "en", hours=False) == f"{minutes} min"


def test_list_shows_each_estimate_and_each_stage_total(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["init", "ws"]) == 0
    monkeypatch.chdir(tmp_path / "ws")
    capsys.readouterr()
    for lang in ("en", "zh"):
        assert cli.main(["list", "--lang", lang]) == 0
        out = capsys.readouterr().out
        for stage in COURSE.stages:
            total = minutes_text(stage.minutes, lang)
            assert any(line.startswith(stage.title.get(lang)) and total in line for line in out.splitlines()), \
                (lang, stage.id)
        for item in [*COURSE.items(), *COURSE.guides.values()]:
            line = next(line for line in out.splitlines() if line.strip()[2:].strip().startswith(f"{item.id} "))
            assert minutes_text(item.minutes, lang, hours=False) in line, (lang, item.id)


def test_prerequisites_follow_what_each_exercise_uses():
    ex = COURSE.exercises
    assert "perceptron" not in ex["conv2d"].requires  # a convolution needs tensors, not the perceptron rule
    for uses_batch_norm in ("cnn_classifier", "resnet"):
        assert "batchnorm" in ex[uses_batch_norm].requires, uses_batch_norm
