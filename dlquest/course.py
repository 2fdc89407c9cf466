"""The course: load and validate the curriculum manifest.

A course is a folder with this layout (the bundled course is the `dlquest` package folder itself):

    lessons/course.toml      the manifest: stages -> units -> items (lessons and exercises), in order;
                             then guides (pages linked from the roadmap: the learning path, resources, FAQ)
    lessons/<lang>/*.md      lesson pages, one per language
    lessons/<lang>/tasks/    an exercise's task in that language (<id>.md); the stub's docstring otherwise
    lessons/examples/*.py    runnable examples (`dlquest run LESSON`)
    exercises/*.py           stubs the learner starts from
    solutions/*.py           reference solutions (hidden from learner code while grading)
    checks/test_*.py         one pytest module per exercise
    data/                    data sets the course ships (optional; nothing is downloaded at run time)

The manifest is the only place that lists exercises: the engine never names one. Loading validates every
reference and reports *all* faults at once, each with the file, the entry and what to do.
This module imports neither textual nor torch.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

LANGUAGES = ("en", "zh")
MANIFEST = Path("lessons") / "course.toml"
BUNDLED_COURSE = Path(__file__).resolve().parent


class ManifestError(Exception):
    """The manifest is broken. `problems` holds one line per fault, each naming the entry and the fix."""

    def __init__(self, manifest: Path, problems: list[str]):
        self.manifest = manifest
        self.problems = problems
        super().__init__(f"{manifest}: " + "; ".join(problems))


@dataclass(frozen=True)
class Text:
    """A piece of learner-facing text in every course language."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Lesson:
    id: str
    title: Text
    pages: dict[str, Path]  # language -> Markdown file
    example: Path | None  # a script `dlquest run` executes
    stage: str
    unit: str
    kind: str = "lesson"
    minutes: int | None = None  # estimated time: reading the page and running the example


@dataclass(frozen=True)
class Guide:
    """A page of the course outside the stages (the learning path, resources, FAQ, careers), linked from the
    roadmap. Shown like a lesson, without an example or exercises."""

    id: str
    title: Text
    pages: dict[str, Path]
    example: None = None
    kind: str = "guide"
    minutes: int | None = None  # estimated reading time


@dataclass(frozen=True)
class Exercise:
    id: str
    title: Text
    stub: Path  # relative to the course's exercises/ folder is where the learner's copy lives
    solution: Path
    check: Path
    lesson: str | None
    hints: tuple[Text, ...]
    points: float
    requires: tuple[str, ...]  # ids of exercises that must pass first
    timeout: float  # seconds of wall time for one call into learner code
    stage: str
    unit: str
    kind: str = "exercise"
    minutes: int | None = None  # estimated time: reading the task, writing and debugging the code

    @property
    def workspace_path(self) -> Path:
        """Where the learner's copy lives, relative to the workspace root."""
        return self.stub


@dataclass(frozen=True)
class Unit:
    id: str
    title: Text
    items: tuple[Lesson | Exercise, ...]


@dataclass(frozen=True)
class Stage:
    id: str
    title: Text
    goal: Text | None
    units: tuple[Unit, ...]

    @property
    def minutes(self) -> int:
        """The stage's estimated time: the sum of its items' estimates (items without one count 0)."""
        return sum(item.minutes or 0 for unit in self.units for item in unit.items)


@dataclass
class Course:
    root: Path
    id: str
    title: Text
    stages: tuple[Stage, ...]
    lessons: dict[str, Lesson] = field(default_factory=dict)
    exercises: dict[str, Exercise] = field(default_factory=dict)
    guides: dict[str, Guide] = field(default_factory=dict)  # in manifest order

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST

    def items(self):
        for stage in self.stages:
            for unit in stage.units:
                yield from unit.items

    def path(self, relative: Path) -> Path:
        return self.root / relative

    def exercise(self, name: str) -> Exercise:
        """The exercise called `name`, or UnknownItem with the closest names."""
        if name in self.exercises:
            return self.exercises[name]
        raise UnknownItem("exercise", name, difflib.get_close_matches(name, list(self.exercises), n=3))

    def lesson(self, name: str) -> Lesson:
        if name in self.lessons:
            return self.lessons[name]
        raise UnknownItem("lesson", name, difflib.get_close_matches(name, list(self.lessons), n=3))

    def task_page(self, exercise: Exercise, lang: str) -> Path | None:
        """The exercise's task in `lang` when the course translates it (lessons/<lang>/tasks/<id>.md); else None,
        and the stub's docstring, which states the contract, is the task."""
        page = self.root / "lessons" / lang / "tasks" / f"{exercise.id}.md"
        return page if page.is_file() else None

    def guide(self, name: str) -> Guide:
        if name in self.guides:
            return self.guides[name]
        raise UnknownItem("guide", name, difflib.get_close_matches(name, list(self.guides), n=3))


class UnknownItem(LookupError):
    def __init__(self, kind: str, name: str, suggestions: list[str]):
        self.kind, self.name, self.suggestions = kind, name, suggestions
        super().__init__(f"no {kind} {name}")


def load_course(root: Path | str | None = None) -> Course:
    """Load and validate the course in `root` (the bundled course when None)."""
    root = Path(root).resolve() if root else BUNDLED_COURSE
    manifest = root / MANIFEST
    if not root.is_dir():
        raise ManifestError(manifest, [f"course folder {root} does not exist; pass --course DIR with a course folder"])
    if not manifest.is_file():
        raise ManifestError(
            manifest, [f"no manifest: a course folder needs {MANIFEST} (see docs/authoring.md)"]
        )
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ManifestError(manifest, [f"not valid TOML: {err}"]) from None
    except UnicodeDecodeError as err:
        raise ManifestError(manifest, [f"not UTF-8 text: {err}"]) from None
    return _Loader(root, manifest).load(data)


class _Loader:
    """Turns the parsed TOML into a Course, collecting every fault instead of stopping at the first."""

    def __init__(self, root: Path, manifest: Path):
        self.root = root
        self.manifest = manifest
        self.problems: list[str] = []

    def fault(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    def text(self, where: str, table: dict, key: str, required: bool = True) -> Text | None:
        value = table.get(key)
        if value is None:
            if required:
                self.fault(where, f"missing `{key}` (give it as {key} = {{ en = \"…\", zh = \"…\" }})")
            return None
        if isinstance(value, str):
            self.fault(where, f"`{key}` must be given in every language: {key} = {{ en = \"…\", zh = \"…\" }}")
            return Text(value, value)
        if not isinstance(value, dict):
            self.fault(where, f"`{key}` must be a table {{ en = \"…\", zh = \"…\" }}")
            return None
        missing = [lang for lang in LANGUAGES if not str(value.get(lang, "")).strip()]
        if missing:
            self.fault(where, f"`{key}` has no text for {', '.join(missing)}")
        return Text(str(value.get("en", "")), str(value.get("zh", "")))

    def file(self, where: str, table: dict, key: str, required: bool = True) -> Path | None:
        value = table.get(key)
        if value is None:
            if required:
                self.fault(where, f"missing `{key}` (a path relative to the course folder)")
            return None
        if not isinstance(value, str):
            self.fault(where, f"`{key}` must be a path string")
            return None
        path = Path(value)
        if path.is_absolute() or ".." in path.parts:
            self.fault(where, f"`{key}` = {value!r} must be a relative path inside the course folder")
            return None
        if not (self.root / path).is_file():
            self.fault(where, f"`{key}` names {value}, which does not exist in {self.root}")
        return path

    def ident(self, where: str, table: dict) -> str:
        value = table.get("id")
        if not isinstance(value, str) or not value:
            self.fault(where, "missing `id` (a short name such as \"conv2d\")")
            return f"?{len(self.problems)}"
        if not all(c.isalnum() or c in "-_" for c in value):
            self.fault(where, f"id {value!r} may hold only letters, digits, '-' and '_'")
        return value

    def load(self, data: dict) -> Course:
        meta = data.get("course", {})
        course_title = self.text("[course]", meta, "title") or Text("", "")
        course_id = meta.get("id", "course")
        stages = []
        seen: dict[str, str] = {}
        lessons: dict[str, Lesson] = {}
        exercises: dict[str, Exercise] = {}
        raw_stages = data.get("stages")
        if not isinstance(raw_stages, list) or not raw_stages:
            self.fault("[[stages]]", "the manifest lists no stages; add at least one [[stages]] table")
            raw_stages = []
        for s_index, raw_stage in enumerate(raw_stages, 1):
            s_where = f"stage {s_index}"
            stage_id = self.ident(s_where, raw_stage)
            s_where = f"stage {stage_id!r}"
            units = []
            for u_index, raw_unit in enumerate(raw_stage.get("units", []), 1):
                unit_id = self.ident(f"{s_where}, unit {u_index}", raw_unit)
                u_where = f"{s_where}, unit {unit_id!r}"
                items = []
                for raw in raw_unit.get("items", []):
                    item = self.item(u_where, raw, stage_id, unit_id)
                    if item is None:
                        continue
                    if item.id in seen:
                        self.fault(
                            f"{item.kind} {item.id!r}",
                            f"duplicate id: {seen[item.id]} already uses it; ids must be unique in a course",
                        )
                        continue
                    seen[item.id] = f"{item.kind} in {u_where}"
                    (lessons if item.kind == "lesson" else exercises)[item.id] = item
                    items.append(item)
                units.append(Unit(unit_id, self.text(u_where, raw_unit, "title") or Text("", ""), tuple(items)))
            stage_title = self.text(s_where, raw_stage, "title") or Text("", "")
            stage_goal = self.text(s_where, raw_stage, "goal", required=False)
            stages.append(Stage(stage_id, stage_title, stage_goal, tuple(units)))

        guides: dict[str, Guide] = {}
        raw_guides = data.get("guides", [])
        if not isinstance(raw_guides, list):
            self.fault("[[guides]]", "`guides` must be a list of [[guides]] tables")
            raw_guides = []
        for g_index, raw in enumerate(raw_guides, 1):
            guide_id = self.ident(f"guide {g_index}", raw)
            where = f"guide {guide_id!r}"
            if guide_id in seen:
                self.fault(where, f"duplicate id: {seen[guide_id]} already uses it; ids must be unique in a course")
                continue
            seen[guide_id] = "a guide"
            guides[guide_id] = Guide(guide_id, self.text(where, raw, "title") or Text("", ""),
                                     self.pages(where, raw), minutes=self.minutes(where, raw))

        # Cross references, checked once every item is known.
        order = {ex_id: n for n, ex_id in enumerate(exercises)}
        for ex in exercises.values():
            where = f"exercise {ex.id!r}"
            if ex.lesson is not None and ex.lesson not in lessons:
                self.fault(where, f"lesson = {ex.lesson!r} names no lesson in the manifest")
            for req in ex.requires:
                if req not in exercises:
                    hint = difflib.get_close_matches(req, list(exercises), n=1)
                    self.fault(
                        where,
                        f"unknown prerequisite {req!r} in `requires`"
                        + (f" (did you mean {hint[0]!r}?)" if hint else ""),
                    )
                elif order[req] >= order[ex.id]:
                    self.fault(where, f"prerequisite {req!r} comes after it; list prerequisites earlier in the course")

        if self.problems:
            raise ManifestError(self.manifest, self.problems)
        return Course(self.root, course_id, course_title, tuple(stages), lessons, exercises, guides)

    def minutes(self, where: str, raw: dict) -> int | None:
        """An item's optional `minutes`: its estimated time, a positive whole number of minutes."""
        value = raw.get("minutes")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fault(where, f"minutes = {value!r} must be a positive whole number of minutes (minutes = 20)")
            return None
        return value

    def pages(self, where: str, raw: dict) -> dict[str, Path]:
        """A lesson's or guide's `pages = { en = …, zh = … }`: one Markdown file per language."""
        pages_raw = raw.get("pages")
        pages: dict[str, Path] = {}
        if not isinstance(pages_raw, dict):
            self.fault(where, "missing `pages` (pages = { en = \"lessons/en/x.md\", zh = \"lessons/zh/x.md\" })")
            return pages
        for lang in LANGUAGES:
            path = self.file(where, pages_raw, lang)
            if path is not None:
                pages[lang] = path
        return pages

    def item(self, u_where: str, raw: dict, stage: str, unit: str) -> Lesson | Exercise | None:
        kind = raw.get("kind")
        item_id = self.ident(f"{u_where}, an item", raw)
        where = f"{kind or 'item'} {item_id!r} ({u_where})"
        title = self.text(where, raw, "title") or Text("", "")
        if kind == "lesson":
            pages = self.pages(where, raw)
            example = self.file(where, raw, "example", required=False)
            return Lesson(item_id, title, pages, example, stage, unit, minutes=self.minutes(where, raw))
        if kind == "exercise":
            stub = self.file(where, raw, "stub")
            solution = self.file(where, raw, "solution")
            check = self.file(where, raw, "check")
            if stub is not None and stub.parts[:1] != ("exercises",):
                self.fault(where, f"stub = {str(stub)!r} must lie in the course's exercises/ folder")
            hints = []
            raw_hints = raw.get("hints", [])
            if not isinstance(raw_hints, list) or not raw_hints:
                self.fault(where, "no hints: give at least one [[…hints]] entry with en and zh text")
                raw_hints = []
            for n, raw_hint in enumerate(raw_hints, 1):
                hint = self.text(f"{where}, hint {n}", {"text": raw_hint}, "text")
                if hint:
                    hints.append(hint)
            points = raw.get("points", 1)
            if not isinstance(points, (int, float)) or points < 0:
                self.fault(where, f"points = {points!r} must be a number >= 0")
                points = 0
            timeout = raw.get("timeout", 10)
            if not isinstance(timeout, (int, float)) or timeout <= 0:
                self.fault(where, f"timeout = {timeout!r} must be a positive number of seconds")
                timeout = 10
            requires = raw.get("requires", [])
            if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
                self.fault(where, "`requires` must be a list of exercise ids")
                requires = []
            lesson = raw.get("lesson")
            return Exercise(
                item_id, title, stub or Path("?"), solution or Path("?"), check or Path("?"),
                lesson, tuple(hints), float(points), tuple(requires), float(timeout), stage, unit,
                minutes=self.minutes(where, raw),
            )
        self.fault(where, f"kind = {kind!r}: every item needs kind = \"lesson\" or kind = \"exercise\"")
        return None
