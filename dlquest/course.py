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
key (FIELDS declares the keys each table takes), every value's type and every reference, and reports *all*
faults at once, each with the file, the entry (and its line), the key as the author writes it and what to do.
This module imports neither textual nor torch.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

LANGUAGES = ("en", "zh")
MANIFEST = Path("lessons") / "course.toml"
BUNDLED_COURSE = Path(__file__).resolve().parent


class ManifestError(Exception):
    """The manifest is broken. `problems` holds one line per fault, each naming the entry and the fix."""

    def __init__(self, manifest: Path, problems: list[str]) -> None:
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
    # Earlier exercises whose files *of the learner's own workspace* the grader loads beside this one (never a
    # reference's: that would put a solution in the learner's process).
    uses: tuple[str, ...] = ()

    @property
    def workspace_path(self) -> Path:
        """Where the learner's copy lives, relative to the workspace root."""
        return self.stub


@dataclass(frozen=True)
class Quiz:
    """A concept check: a few questions on one lesson, placed after it. The questions live in their own file
    (`questions`), read and judged by dlquest.quiz in the dlquest process; no learner code runs, and `dlquest
    grade` never scores one (its answers are in the course files)."""

    id: str
    title: Text
    lesson: str  # the lesson it asks about, listed earlier in the course
    questions: Path  # the question file, relative to the course folder
    stage: str
    unit: str
    kind: str = "quiz"
    minutes: int | None = None  # estimated time: answering and reading the feedback


Item = Lesson | Exercise | Quiz


@dataclass(frozen=True)
class Unit:
    id: str
    title: Text
    items: tuple[Item, ...]


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
    quizzes: dict[str, Quiz] = field(default_factory=dict)  # concept checks, in course order

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST

    def items(self) -> Iterator[Item]:
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

    def quiz_for(self, lesson: str) -> Quiz | None:
        """The concept check on the lesson `lesson`, if the course has one (a lesson has at most one)."""
        return next((quiz for quiz in self.quizzes.values() if quiz.lesson == lesson), None)

    def quiz(self, name: str) -> Quiz:
        """The concept check called `name`, or the one on the lesson `name`; UnknownItem with the closest."""
        found = self.quizzes.get(name) or self.quiz_for(name)
        if found is not None:
            return found
        names = [q.lesson for q in self.quizzes.values()] + list(self.quizzes)
        raise UnknownItem("quiz", name, difflib.get_close_matches(name, names, n=3))


class UnknownItem(LookupError):
    def __init__(self, kind: str, name: str, suggestions: list[str]) -> None:
        self.kind, self.name, self.suggestions = kind, name, suggestions
        super().__init__(f"no {kind} {name}")


# --- what an author may write ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    """One key of a manifest table: the kind of value it takes, whether it must be given, what it means."""

    type: str  # a key of VALUE_FORMS
    doc: str
    required: bool = False


# How each type of value is written, for messages that name the expected type.
VALUE_FORMS = {
    "table": "a table (a [{path}] section)",
    "tables": "a list of tables ([[{path}]] sections)",
    "id": "a short name such as \"conv2d\" (letters, digits, '-' and '_')",
    "kind": "\"lesson\", \"exercise\" or \"quiz\"",
    "text": "a text in every language: {key} = {{ en = \"…\", zh = \"…\" }}",
    "pages": "a table of pages: {key} = {{ en = \"lessons/en/x.md\", zh = \"lessons/zh/x.md\" }}",
    "path": "a path string relative to the course folder",
    "number": "a number",
    "minutes": "a whole number of minutes greater than 0 ({key} = 20)",
    "ids": "a list of exercise ids: {key} = [\"perceptron\"]",
    "hints": "a list of texts: {key} = [{{ en = \"…\", zh = \"…\" }}, …]",
}

_ID = Field("id", "unique across the course's items and guides", required=True)
_TITLE = Field("text", "shown in lists, the roadmap and headings", required=True)
_MINUTES = Field("minutes", "estimated time, in whole minutes (optional)")
# Every key the manifest knows, table by table: the loader rejects any other key, names the nearest known
# one, and checks each value against its type. A new key is declared here (and docs/authoring.md) and read
# by _Loader where its table is read; the key lists of messages and checks follow from this table alone.
FIELDS: dict[str, dict[str, Field]] = {
    "manifest": {
        "course": Field("table", "the course's id and title", required=True),
        "stages": Field("tables", "the stages, in teaching order", required=True),
        "guides": Field("tables", "pages outside the stages, linked from the roadmap"),
    },
    "course": {
        "id": Field("id", "the course's name, recorded with the grades given for it", required=True),
        "title": _TITLE,
    },
    "stage": {
        "id": _ID,
        "title": _TITLE,
        "goal": Field("text", "what a learner can do after the stage (optional)"),
        "units": Field("tables", "the stage's units, in order"),
    },
    "unit": {
        "id": _ID,
        "title": _TITLE,
        "items": Field("tables", "the unit's lessons and exercises, in order"),
    },
    "lesson": {
        "kind": Field("kind", "\"lesson\"", required=True),
        "id": _ID,
        "title": _TITLE,
        "pages": Field("pages", "the lesson's Markdown page in each language", required=True),
        "example": Field("path", "a script `dlquest run LESSON` runs (optional)"),
        "minutes": _MINUTES,
    },
    "exercise": {
        "kind": Field("kind", "\"exercise\"", required=True),
        "id": _ID,
        "title": _TITLE,
        "lesson": Field("id", "the lesson that teaches it (optional)"),
        "stub": Field("path", "the file the learner starts from, in exercises/", required=True),
        "solution": Field("path", "the reference solution", required=True),
        "check": Field("path", "the pytest module that grades it", required=True),
        "points": Field("number", "points for gradebooks, >= 0 (default 1)"),
        "timeout": Field("number", "seconds of wall time for one call into learner code, > 0 (default 10)"),
        "requires": Field("ids", "exercises that must pass first, listed earlier (optional)"),
        "uses": Field("ids", "earlier exercises whose files of the learner's workspace it imports (optional)"),
        "hints": Field("hints", "ordered from a nudge to nearly the answer; at least one", required=True),
        "minutes": _MINUTES,
    },
    "guide": {
        "id": _ID,
        "title": _TITLE,
        "pages": Field("pages", "the guide's Markdown page in each language", required=True),
        "minutes": _MINUTES,
    },
    "quiz": {
        "kind": Field("kind", "\"quiz\"", required=True),
        "id": _ID,
        "title": _TITLE,
        "lesson": Field("id", "the lesson it asks about, listed before it", required=True),
        "questions": Field("path", "the question file (lessons/quizzes/<lesson>.toml; see dlquest.quiz)",
                           required=True),
        "minutes": _MINUTES,
    },
}
# Where each table sits in the TOML file: the section header an author writes.
TABLE_PATHS = {"manifest": "", "course": "course", "stage": "stages", "unit": "stages.units",
               "item": "stages.units.items", "lesson": "stages.units.items", "exercise": "stages.units.items",
               "guide": "guides", "quiz": "stages.units.items"}
_ITEM_KINDS = ("lesson", "exercise", "quiz")


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
        text = manifest.read_text(encoding="utf-8")
        data = _parsed_manifest(text)
    except tomllib.TOMLDecodeError as err:
        raise ManifestError(manifest, [f"not valid TOML: {err}"]) from None
    except UnicodeDecodeError as err:
        raise ManifestError(manifest, [f"not UTF-8 text: {err}"]) from None
    except OSError as err:
        raise ManifestError(manifest, [f"cannot be read: {err}"]) from None
    return build_course(root, data, text)


# Parsed manifests by their text: the grading daemon parses the bundled course once, before it forks a child per
# `dlquest check` (parsing the 1,500-line manifest is ~0.1 s of a warm check's ~0.4 s). Keyed on the text itself,
# so an edited manifest is parsed anew; each caller gets its own copy.
_PARSED: dict[str, dict[str, Any]] = {}


def _parsed_manifest(text: str) -> dict[str, Any]:
    if text not in _PARSED:
        if len(_PARSED) >= 4:
            _PARSED.clear()
        _PARSED[text] = tomllib.loads(text)
    return copy.deepcopy(_PARSED[text])


def build_course(root: Path, data: dict[str, Any], text: str = "") -> Course:
    """The Course a parsed manifest describes, or ManifestError with every fault (`text`, the manifest's
    source, lets each fault name its line)."""
    return _Loader(Path(root), Path(root) / MANIFEST, text).load(data)


def manifest_digest(course: Course) -> str:
    """The SHA-256 of the course's manifest: which version of a course a set of grades was given for."""
    return hashlib.sha256(course.manifest.read_bytes()).hexdigest()


def empty_parts(course: Course) -> list[tuple[str, str]]:
    """What a sound course may not have, as (entry, what to do): a unit without items, a stage without units, a
    course without items. The loader allows them (a course being written still opens and shows what is coming);
    `dlquest course check` refuses them."""
    faults = []
    for stage in course.stages:
        if not stage.units:
            faults.append((f"stage {stage.id!r}", "has no units; add a [[stages.units]] table under it or remove it"))
        for unit in stage.units:
            if not unit.items:
                faults.append((f"unit {unit.id!r} (stage {stage.id!r})",
                               "has no items; add [[stages.units.items]] under it or remove it"))
    if not any(True for _ in course.items()):
        faults.append(("the course", "has no lessons and no exercises; add [[stages.units.items]] tables"))
    return faults


def _found(value: object) -> str:
    """What an author wrote, in TOML's words: `a string ("x")`, `an integer (3)`, `a table`."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f"a string ({json.dumps(shown, ensure_ascii=False)})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list" + (f" holding {_found(value[0])}" if value and not isinstance(value[0], dict) else "")
    return f"a {type(value).__name__}"  # TOML dates and times


def _named(raw: dict[str, Any]) -> str | None:
    """The entry's id when it has a usable one (to name it in messages before it is checked)."""
    value = raw.get("id")
    return value if isinstance(value, str) and value else None


def _near(name: str, candidates: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def _header(prefix: str, key: str, value: object) -> str | None:
    """The section header that made `value`, when it is a table ([[stages.unit.items]] for a misspelt `unit`)."""
    path = f"{prefix}.{key}" if prefix else key
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return f"[[{path}]]"
    if isinstance(value, dict):
        for sub, inner in value.items():
            deeper = _header(path, sub, inner)
            if deeper:
                return deeper
        return f"[{path}]"
    return None


class _EntryLines:
    """The line where an entry starts (its section header), found from its id in the manifest's source."""

    _ID_LINE = re.compile(r"""^\s*id\s*=\s*(?:"([^"]*)"|'([^']*)')""")

    def __init__(self, text: str):
        self.starts: dict[tuple[str, str], list[int]] = {}
        self.headers: set[str] = set()
        header, start = "", 0
        for number, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("["):
                header, start = stripped.split("#")[0].replace(" ", ""), number
                self.headers.add(header)
                continue
            match = self._ID_LINE.match(line)
            if match and header:
                self.starts.setdefault((header, match.group(1) or match.group(2) or ""), []).append(start)

    def of(self, table: str, ident: str, last: bool = False) -> int | None:
        path = TABLE_PATHS[table]
        found = self.starts.get((f"[{path}]" if table == "course" else f"[[{path}]]", ident))
        return (found[-1] if last else found[0]) if found else None


class _Loader:
    """Turns the parsed TOML into a Course, collecting every fault instead of stopping at the first.

    Every message names the entry, its line when the source shows it, the key as the author writes it
    (`hints[2].zh`, `pages.en`) and what to write instead."""

    def __init__(self, root: Path, manifest: Path, text: str = ""):
        self.root = root
        self.manifest = manifest
        self.lines = _EntryLines(text)
        self.problems: list[str] = []
        self.misspelt: dict[tuple[str, str], str] = {}  # (entry, required key) -> the near miss written instead
        self._files: list[str] | None = None
        self.broken: set[str] = set()  # ids of items too broken to load, so that references to them are no fault

    def fault(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    def entry(self, table: str, ident: str | None, fallback: str, last: bool = False) -> str:
        """How messages name an entry: `exercise 'conv2d'`, with `line 212, ` in front when it can be found
        (`last`: its last occurrence, for a duplicate)."""
        name = "[course]" if table == "course" else f"{table} {ident!r}" if ident else fallback
        line = self.lines.of(table, ident, last) if ident else None
        return f"line {line}, {name}" if line else name

    # --- keys ------------------------------------------------------------------------------------------
    def keys(self, where: str, table: str, raw: dict[str, Any], known: dict[str, Field] | None = None) -> None:
        """Unknown keys (with the nearest known one) and required keys written under a near name."""
        known = FIELDS[table] if known is None else known
        unknown = [key for key in raw if key not in known]
        for key, spec in known.items():
            if spec.required and key not in raw:
                near = _near(key, unknown)
                if near:
                    unknown.remove(near)
                    self.misspelt[(where, key)] = near
        noun = {"manifest": "the manifest", "exercise": "an exercise", "item": "an item"}.get(table, f"a {table}")
        for key in unknown:
            header = _header(TABLE_PATHS[table], key, raw[key])
            origin = f" (from {header})" if header in self.lines.headers else ""  # a section, not an inline table
            others = [kind for kind in _ITEM_KINDS if kind != table and key in FIELDS[kind]]
            near = _near(key, known)
            if others and table in _ITEM_KINDS:
                plural = {"quiz": "concept checks (kind = \"quiz\")"}.get(others[0], others[0] + "s")
                self.fault(where, f"unknown key {key!r}{origin} in {noun}: only {plural} take `{key}`")
            elif near:
                self.fault(where, f"unknown key {key!r}{origin}; did you mean {near!r}?")
            else:
                self.fault(where, f"unknown key {key!r}{origin}; {noun} takes {', '.join(known)}")

    def missing(self, where: str, key: str, form: str) -> None:
        near = self.misspelt.get((where, key))
        if near:
            self.fault(where, f"missing `{key}` — found `{near}`; did you mean `{key}`?")
        else:
            self.fault(where, f"missing `{key}` ({form})")

    def wrong_type(self, where: str, name: str, expected: str, value: object, table_path: str = "") -> None:
        form = VALUE_FORMS[expected].format(key=name, path=table_path)
        self.fault(where, f"`{name}` must be {form}, not {_found(value)}")

    def tables(self, where: str, raw: dict[str, Any], key: str, path: str) -> list[dict[str, Any]]:
        """A list of tables (`[[stages]]`, `[[stages.units]]`, …): the tables in it, every other element a fault."""
        value = raw.get(key, [])
        if not isinstance(value, list):
            self.wrong_type(where, key, "tables", value, path)
            return []
        good = []
        for n, element in enumerate(value, 1):
            if isinstance(element, dict):
                good.append(element)
            else:
                self.fault(where, f"`{key}[{n}]` must be a table (a [[{path}]] section), not {_found(element)}")
        return good

    # --- values ----------------------------------------------------------------------------------------
    def text(self, where: str, table: dict[str, Any], key: str, required: bool = True,
             name: str | None = None) -> Text | None:
        """A `{ en = …, zh = … }` text; `name` is how the author's file spells the key (`hints[2]`)."""
        name = name or key
        value = table.get(key)
        if value is None:
            if required:
                self.missing(where, name, f"give it as {name} = {{ en = \"…\", zh = \"…\" }}")
            return None
        if isinstance(value, str):
            self.fault(where, f"`{name}` must be given in every language: {name} = {{ en = \"…\", zh = \"…\" }}")
            return Text(value, value)
        if not isinstance(value, dict):
            self.wrong_type(where, name, "text", value)
            return None
        for extra in (k for k in value if k not in LANGUAGES):
            near = _near(extra, LANGUAGES)
            self.fault(where, f"unknown language `{name}.{extra}`" + (f"; did you mean `{name}.{near}`?" if near
                              else f"; a text takes {' and '.join(LANGUAGES)}"))
        texts = {}
        for lang in LANGUAGES:
            given = value.get(lang, "")
            if not isinstance(given, str):
                self.fault(where, f"`{name}.{lang}` must be a string, not {_found(given)}")
                given = ""
            elif not given.strip():
                self.fault(where, f"`{name}` has no text for {lang} (`{name}.{lang}` is missing or empty)")
            texts[lang] = given
        return Text(texts["en"], texts["zh"])

    def file(self, where: str, table: dict[str, Any], key: str, required: bool = True,
             name: str | None = None) -> Path | None:
        name = name or key
        value = table.get(key)
        if value is None:
            if required:
                self.missing(where, name, "a path relative to the course folder")
            return None
        if not isinstance(value, str):
            self.wrong_type(where, name, "path", value)
            return None
        path = Path(value)
        if not value or path.is_absolute() or ".." in path.parts:
            self.fault(where, f"`{name}` = {value!r} must be a relative path inside the course folder")
            return None
        if not (self.root / path).is_file():
            near = difflib.get_close_matches(path.as_posix(), self.course_files(), n=1, cutoff=0.75)
            self.fault(where, f"`{name}` names {value}, which does not exist in {self.root}"
                       + (f"; did you mean {near[0]}?" if near else ""))
        return path

    def course_files(self) -> list[str]:
        """Every file of the course folder (for near names), read once."""
        if self._files is None:
            self._files = []
            for folder, dirs, files in os.walk(self.root):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
                base = Path(folder).relative_to(self.root)
                self._files.extend((base / f).as_posix() for f in sorted(files))
                if len(self._files) > 50_000:
                    break
        return self._files

    def ident(self, where: str, table: dict[str, Any], key: str = "id", required: bool = True,
              example: str = "conv2d") -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.missing(where, key, f"a short name such as \"{example}\"")
            return None
        if not isinstance(value, str) or not value:
            self.wrong_type(where, key, "id", value)
            return None
        if not all(c.isalnum() or c in "-_" for c in value):
            self.fault(where, f"{key} {value!r} may hold only letters, digits, '-' and '_'")
        return value

    def number(self, where: str, table: dict[str, Any], key: str, default: float, positive: bool) -> float:
        value = table.get(key, default)
        bound = "> 0" if positive else ">= 0"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fault(where, f"`{key}` must be a number {bound}, not {_found(value)}")
            return default
        if value < 0 or (positive and value == 0) or value != value:  # NaN is no number of anything
            self.fault(where, f"{key} = {value!r} must be a number {bound}")
            return default
        return float(value)

    def minutes(self, where: str, raw: dict[str, Any]) -> int | None:
        """An item's optional `minutes`: its estimated time, a positive whole number of minutes."""
        value = raw.get("minutes")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fault(where, f"minutes = {value!r} must be a positive whole number of minutes (minutes = 20)")
            return None
        return value

    def pages(self, where: str, raw: dict[str, Any]) -> dict[str, Path]:
        """A lesson's or guide's `pages = { en = …, zh = … }`: one Markdown file per language."""
        pages_raw = raw.get("pages")
        pages: dict[str, Path] = {}
        if pages_raw is None:
            self.missing(where, "pages", "pages = { en = \"lessons/en/x.md\", zh = \"lessons/zh/x.md\" }")
            return pages
        if not isinstance(pages_raw, dict):
            self.wrong_type(where, "pages", "pages", pages_raw)
            return pages
        for extra in (k for k in pages_raw if k not in LANGUAGES):
            near = _near(extra, LANGUAGES)
            self.fault(where, f"unknown language `pages.{extra}`" + (f"; did you mean `pages.{near}`?" if near
                              else f"; pages takes {' and '.join(LANGUAGES)}"))
        for lang in LANGUAGES:
            path = self.file(where, pages_raw, lang, name=f"pages.{lang}")
            if path is not None:
                pages[lang] = path
        return pages

    # --- the tables ------------------------------------------------------------------------------------
    def load(self, data: dict[str, Any]) -> Course:
        top = "the manifest"
        self.keys(top, "manifest", data)
        meta = data.get("course")
        course_id, course_title = "course", Text("", "")
        if meta is None:
            self.missing(top, "course", "a [course] table with id and title")
        elif not isinstance(meta, dict):
            self.wrong_type(top, "course", "table", meta, "course")
        else:
            where = self.entry("course", _named(meta), "[course]")
            self.keys(where, "course", meta)
            course_title = self.text(where, meta, "title") or course_title
            course_id = self.ident(where, meta, example="my-course") or course_id
        seen: dict[str, str] = {}
        lessons: dict[str, Lesson] = {}
        quizzes: dict[str, Quiz] = {}
        exercises: dict[str, Exercise] = {}
        stages = []
        if "stages" not in data:
            self.missing(top, "stages", "the manifest lists no stages; add at least one [[stages]] table")
        raw_stages = self.tables(top, data, "stages", "stages")
        stage_ids: set[str] = set()
        unit_ids: dict[str, str] = {}
        for s_index, raw_stage in enumerate(raw_stages, 1):
            s_where = self.entry("stage", _named(raw_stage), f"stage {s_index}")
            self.keys(s_where, "stage", raw_stage)
            stage_id = self.ident(s_where, raw_stage)
            if stage_id in stage_ids:
                self.fault(s_where, "duplicate id: another stage uses it; stage ids must be unique")
            stage_ids.add(stage_id or "")
            stage_name = stage_id or str(s_index)
            units = []
            for u_index, raw_unit in enumerate(self.tables(s_where, raw_stage, "units", "stages.units"), 1):
                u_where = self.entry("unit", _named(raw_unit), f"unit {u_index} of stage {stage_name!r}")
                if _named(raw_unit):
                    u_where += f" (stage {stage_name!r})"
                self.keys(u_where, "unit", raw_unit)
                unit_id = self.ident(u_where, raw_unit)
                if unit_id in unit_ids:
                    self.fault(u_where, f"duplicate id: a unit of stage {unit_ids[unit_id]!r} uses it; unit ids "
                               "must be unique in a course")
                unit_ids.setdefault(unit_id or "", stage_name)
                items = []
                raw_items = self.tables(u_where, raw_unit, "items", "stages.units.items")
                for i_index, raw in enumerate(raw_items, 1):
                    item = self.item(f"item {i_index} of unit {unit_id or u_index!r} (stage {stage_name!r})", raw,
                                     stage_id or "", unit_id or "")
                    if item is None:
                        continue
                    if item.id in seen:
                        self.fault(
                            self.entry(item.kind, item.id, item.id, last=True),
                            f"duplicate id: {seen[item.id]} already uses it; ids must be unique in a course",
                        )
                        continue
                    seen[item.id] = f"{item.kind} in {u_where}"
                    if isinstance(item, Lesson):
                        lessons[item.id] = item
                    elif isinstance(item, Quiz):
                        quizzes[item.id] = item
                    else:
                        exercises[item.id] = item
                    items.append(item)
                units.append(Unit(unit_id or "", self.text(u_where, raw_unit, "title") or Text("", ""), tuple(items)))
            stage_title = self.text(s_where, raw_stage, "title") or Text("", "")
            stage_goal = self.text(s_where, raw_stage, "goal", required=False)
            stages.append(Stage(stage_id or "", stage_title, stage_goal, tuple(units)))

        guides: dict[str, Guide] = {}
        for g_index, raw in enumerate(self.tables(top, data, "guides", "guides"), 1):
            where = self.entry("guide", _named(raw), f"guide {g_index}", last=_named(raw) in seen)
            self.keys(where, "guide", raw)
            guide_id = self.ident(where, raw)
            title = self.text(where, raw, "title") or Text("", "")
            pages = self.pages(where, raw)
            minutes = self.minutes(where, raw)
            if guide_id is None:
                continue
            if guide_id in seen:
                self.fault(where, f"duplicate id: {seen[guide_id]} already uses it; ids must be unique in a course")
                continue
            seen[guide_id] = "a guide"
            guides[guide_id] = Guide(guide_id, title, pages, minutes=minutes)

        # Cross references, checked once every item is known.
        order = {ex_id: n for n, ex_id in enumerate(exercises)}
        for ex in exercises.values():
            where = self.entry("exercise", ex.id, ex.id)
            if ex.lesson is not None and ex.lesson not in lessons and ex.lesson not in self.broken:
                hint = _near(ex.lesson, lessons)
                self.fault(where, f"lesson = {ex.lesson!r} names no lesson in the manifest"
                           + (f"; did you mean {hint!r}?" if hint else ""))
            for req in ex.requires:
                if req in self.broken:
                    continue
                if req not in exercises:
                    hint = _near(req, exercises)
                    self.fault(
                        where,
                        f"unknown prerequisite {req!r} in `requires`"
                        + (f" (did you mean {hint!r}?)" if hint else ""),
                    )
                elif order[req] >= order[ex.id]:
                    self.fault(where, f"prerequisite {req!r} comes after it; list prerequisites earlier in the course")
            for used in ex.uses:
                if used in self.broken:
                    continue
                if used not in exercises:
                    hint = _near(used, exercises)
                    self.fault(where, f"`uses` names {used!r}, which is no exercise of the course"
                               + (f"; did you mean {hint!r}?" if hint else ""))
                elif order[used] >= order[ex.id]:
                    self.fault(where, f"`uses` names {used!r}, which comes after it; an exercise can only build on "
                                      "earlier ones")

        self.quiz_references(quizzes, lessons, [item.id for stage in stages for unit in stage.units
                                                for item in unit.items])
        if self.problems:
            raise ManifestError(self.manifest, self.problems)
        return Course(self.root, course_id, course_title, tuple(stages), lessons, exercises, guides, quizzes)

    def quiz_references(self, quizzes: dict[str, Quiz], lessons: dict[str, Lesson], order: list[str]) -> None:
        """A concept check names a lesson listed before it, and a lesson has one concept check at most (so that
        `dlquest quiz LESSON` names one). Its questions are checked by dlquest.quiz (`dlquest course check`)."""
        asked: dict[str, str] = {}
        for quiz in quizzes.values():
            where = self.entry("quiz", quiz.id, quiz.id)
            if quiz.lesson in self.broken:
                continue
            if quiz.lesson not in lessons:
                hint = _near(quiz.lesson, lessons)
                self.fault(where, f"lesson = {quiz.lesson!r} names no lesson in the manifest"
                           + (f"; did you mean {hint!r}?" if hint else ""))
            elif order.index(quiz.lesson) > order.index(quiz.id):
                self.fault(where, f"it comes before its lesson {quiz.lesson!r}; list the concept check after it")
            if quiz.lesson in asked:
                self.fault(where, f"lesson {quiz.lesson!r} already has the concept check {asked[quiz.lesson]!r}; "
                           "a lesson has one at most (merge their questions)")
            asked.setdefault(quiz.lesson, quiz.id)

    def item(self, fallback: str, raw: dict[str, Any], stage: str, unit: str) -> Item | None:
        kind = raw.get("kind")
        table = kind if isinstance(kind, str) and kind in _ITEM_KINDS else "item"
        where = self.entry(table, _named(raw), fallback)
        self.keys(where, table, raw, {**FIELDS["lesson"], **FIELDS["exercise"], **FIELDS["quiz"]}
                  if table == "item" else None)
        item_id = self.ident(where, raw)
        if table == "item":
            if item_id:
                self.broken.add(item_id)  # references to it are not faults of their own
            if kind is None:
                self.missing(where, "kind", "kind = \"lesson\" or kind = \"exercise\" (or kind = \"quiz\")")
            else:
                near = _near(kind, _ITEM_KINDS) if isinstance(kind, str) else None
                self.fault(where, f"kind = {kind!r}: every item needs kind = \"lesson\" or kind = \"exercise\" "
                           "(or kind = \"quiz\" for a concept check)"
                           + (f"; did you mean {near!r}?" if near else ""))
            return None
        title = self.text(where, raw, "title") or Text("", "")
        minutes = self.minutes(where, raw)
        if kind == "lesson":
            pages = self.pages(where, raw)
            example = self.file(where, raw, "example", required=False)
            return Lesson(item_id or "", title, pages, example, stage, unit, minutes=minutes) if item_id else None
        if kind == "quiz":
            lesson_id = self.ident(where, raw, "lesson")
            questions = self.file(where, raw, "questions")
            if item_id is None or lesson_id is None or questions is None:
                return None
            return Quiz(item_id, title, lesson_id, questions, stage, unit, minutes=minutes)
        stub = self.file(where, raw, "stub")
        solution = self.file(where, raw, "solution")
        check = self.file(where, raw, "check")
        if stub is not None and stub.parts[:1] != ("exercises",):
            self.fault(where, f"stub = {str(stub)!r} must lie in the course's exercises/ folder")
        hints = []
        raw_hints = raw.get("hints")
        if raw_hints is None:
            self.missing(where, "hints", "no hints: give at least one, hints = [{ en = \"…\", zh = \"…\" }]")
            raw_hints = []
        elif not isinstance(raw_hints, list):
            self.wrong_type(where, "hints", "hints", raw_hints)
            raw_hints = []
        elif not raw_hints:
            self.fault(where, "no hints: give at least one, hints = [{ en = \"…\", zh = \"…\" }]")
        for n, raw_hint in enumerate(raw_hints, 1):
            hint = self.text(where, {"hint": raw_hint}, "hint", name=f"hints[{n}]")
            if hint:
                hints.append(hint)
        points = self.number(where, raw, "points", 1, positive=False)
        timeout = self.number(where, raw, "timeout", 10, positive=True)
        requires = raw.get("requires", [])
        if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
            self.wrong_type(where, "requires", "ids", requires)
            requires = []
        uses = raw.get("uses", [])
        if not isinstance(uses, list) or not all(isinstance(u, str) for u in uses):
            self.wrong_type(where, "uses", "ids", uses)
            uses = []
        lesson = self.ident(where, raw, "lesson", required=False)
        if item_id is None:
            return None
        return Exercise(
            item_id, title, stub or Path("?"), solution or Path("?"), check or Path("?"),
            lesson, tuple(hints), points, tuple(requires), timeout, stage, unit, minutes=minutes,
            uses=tuple(uses),
        )
