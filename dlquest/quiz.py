"""Concept checks: the questions of a quiz item, how they are read and validated, how an answer is judged,
and the record of one run through them.

A concept check (`kind = "quiz"` in the manifest) asks 3-6 questions on one lesson. Its questions live in a
file of their own (`questions = "lessons/quizzes/<lesson>.toml"`), one `[[questions]]` table each:

    id       unique in the file; stored with the learner's answers
    form     one (choose one) | many (choose all that apply) | number | shape | line ("which line has the bug")
    section  { en, zh }: the heading of the lesson section the question comes from, as the page writes it
    prompt   { en, zh }: the question
    one, many, line:  answer (a choice key; a list of keys for many; a line number for line) and
                      [[questions.choices]] with key (line for `line`), text (not for `line`) and feedback
                      { en, zh } saying why that choice is right or wrong; `line` also gives `code`
    number:           answer (a number), tolerance (absolute, >= 0)
    number, shape:    answer (a shape: "(8, 16, 14, 14)"), right and wrong { en, zh } (why the answer is
                      the answer), and optional [[questions.mistakes]]: value and feedback for a common wrong
                      answer

Answers are judged here, in the dlquest process: no learner code runs. Both faces (the app's QuizScreen and
`dlquest quiz`) drive a QuizRun and store its QuizResult in the progress store. Feedback is kept as texts in
both languages and chosen at display time, so a learner may switch language in the middle of a quiz.
This module imports neither textual nor torch, and never names a question: the course files do.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from dlquest.course import LANGUAGES, Course, Quiz, Text
from dlquest.i18n import t

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

FORMS = ("one", "many", "number", "shape", "line")
CHOICE_FORMS = ("one", "many", "line")
MIN_QUESTIONS, MAX_QUESTIONS = 3, 6
# A run passes with at least this share of its questions right (rounded up: 3 of 3, 3 of 4, 4 of 5, 5 of 6).
PASS_SHARE = 0.75

# The keys each form takes (beyond the ones every question takes), and those of a choice and a mistake.
_COMMON = ("id", "form", "section", "prompt")
_KEYS = {
    "one": _COMMON + ("answer", "choices"),
    "many": _COMMON + ("answer", "choices"),
    "line": _COMMON + ("code", "answer", "choices"),
    "number": _COMMON + ("answer", "tolerance", "right", "wrong", "mistakes"),
    "shape": _COMMON + ("answer", "right", "wrong", "mistakes"),
}
_CHOICE_KEYS = ("key", "text", "feedback")
_LINE_CHOICE_KEYS = ("line", "feedback")
_MISTAKE_KEYS = ("value", "feedback")


class QuizError(Exception):
    """A concept check's question file is broken: `problems` holds every fault, each naming the file, the
    question and the fix."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


class AnswerError(ValueError):
    """What the learner typed is no answer to the question (not a choice, not a number, not a shape).
    `code` names the reason for the faces to word (quiz.bad_choice, quiz.bad_number, …); `values` fills it."""

    def __init__(self, code: str, **values: object) -> None:
        self.code = code
        self.values = values
        super().__init__(code)


# --- the model --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    """One choice of a one/many/line question. For `line`, `key` is the line number and `text` the line."""

    key: str
    text: Text
    feedback: Text


@dataclass(frozen=True)
class Mistake:
    """A common wrong answer to a number or shape question, and why it is wrong."""

    value: float | tuple[int, ...]
    feedback: Text


@dataclass(frozen=True)
class Question:
    id: str
    form: str
    section: Text
    prompt: Text
    choices: tuple[Choice, ...] = ()  # one, many, line
    keys: frozenset[str] = frozenset()  # the right choices' keys (one, many, line)
    code: str = ""  # line: the code whose bug is asked for
    number: float = 0.0  # number: the answer
    tolerance: float = 0.0  # number: how far an answer may be off (absolute)
    shape: tuple[int, ...] = ()  # shape: the answer
    right: Text | None = None  # number, shape: why the answer is the answer (shown after a right answer)
    wrong: Text | None = None  # number, shape: shown after a wrong answer no mistake matches
    mistakes: tuple[Mistake, ...] = ()

    def choice(self, key: str) -> Choice | None:
        return next((c for c in self.choices if c.key == key), None)

    @property
    def answer_text(self) -> str:
        """The right answer, written as the learner would enter it."""
        if self.form in CHOICE_FORMS:
            return ",".join(c.key for c in self.choices if c.key in self.keys)
        if self.form == "number":
            return format_number(self.number)
        return format_shape(self.shape)


@dataclass(frozen=True)
class QuizContent:
    """A concept check with its questions, in the file's order."""

    quiz: Quiz
    questions: tuple[Question, ...]


# --- judging ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Note:
    """One piece of feedback after an answer: `role` is picked (a choice the learner chose), missed (a right
    choice not chosen), answer (the right choice, after a wrong one), right, wrong or mistake; `key` the
    choice it is about ("" for none)."""

    role: str
    key: str
    text: Text


@dataclass(frozen=True)
class Judgement:
    question: str
    answer: str  # the learner's answer, normalised ("a,c", "14", "(8, 16, 14, 14)", "3")
    correct: bool
    notes: tuple[Note, ...]


def parse_answer(question: Question, text: str) -> str:
    """What the learner typed, normalised for `question`; AnswerError when it is no answer to it."""
    text = text.strip()
    if not text:
        raise AnswerError("quiz.empty")
    if question.form in CHOICE_FORMS:
        keys = {c.key.lower(): c.key for c in question.choices}
        parts = [p for p in re.split(r"[\s,;]+", text.lower()) if p]
        if len(parts) == 1 and parts[0] not in keys and all(ch in keys for ch in parts[0]):
            parts = list(parts[0])  # "ac" for a and c
        unknown = [p for p in parts if p not in keys]
        if unknown:
            raise AnswerError("quiz.bad_choice", given=unknown[0], keys=", ".join(c.key for c in question.choices))
        chosen = [c.key for c in question.choices if c.key.lower() in parts]
        if question.form != "many" and len(chosen) != 1:
            raise AnswerError("quiz.one_choice")
        return ",".join(chosen)
    if question.form == "number":
        return format_number(parse_number(text))
    return format_shape(parse_shape(text))


def judge(question: Question, answer: str) -> Judgement:
    """Judge an answer (as parse_answer gives it) and choose the feedback it gets."""
    answer = parse_answer(question, answer)
    notes: list[Note] = []
    if question.form in CHOICE_FORMS:
        chosen = set(answer.split(","))
        correct = chosen == question.keys
        for choice in question.choices:
            if choice.key in chosen:
                notes.append(Note("picked", choice.key, choice.feedback))
            elif choice.key in question.keys:
                notes.append(Note("missed" if question.form == "many" else "answer", choice.key, choice.feedback))
            elif question.form == "many":
                notes.append(Note("other", choice.key, choice.feedback))
        if question.form != "many":  # the learner's choice first, then the right one
            notes.sort(key=lambda note: note.role != "picked")
        return Judgement(question.id, answer, correct, tuple(notes))
    if question.form == "number":
        value = parse_number(answer)
        correct = abs(value - question.number) <= question.tolerance + 1e-12 * max(1.0, abs(question.number))
        mistake = next((m for m in question.mistakes if isinstance(m.value, float)
                        and abs(value - m.value) <= question.tolerance + 1e-12 * max(1.0, abs(m.value))), None)
    else:
        shape = parse_shape(answer)
        correct = shape == question.shape
        mistake = next((m for m in question.mistakes if m.value == shape), None)
    if correct:
        assert question.right is not None
        notes.append(Note("right", "", question.right))
    else:
        if mistake is not None:
            notes.append(Note("mistake", "", mistake.feedback))
        assert question.wrong is not None
        notes.append(Note("wrong", "", question.wrong))
    return Judgement(question.id, answer, correct, tuple(notes))


def parse_number(text: str) -> float:
    """A number as a learner writes it: 14, 0.25, -1e-3, 3/4 (commas between thousands are not numbers)."""
    cleaned = text.strip().replace("−", "-")
    try:
        value = float(Fraction(cleaned)) if "/" in cleaned else float(cleaned)
    except (ValueError, ZeroDivisionError):
        raise AnswerError("quiz.bad_number", given=text.strip()) from None
    if not math.isfinite(value):
        raise AnswerError("quiz.bad_number", given=text.strip())
    return value


def parse_shape(text: str) -> tuple[int, ...]:
    """A shape as a learner writes it: (8, 16, 14, 14), [8, 16, 14, 14], 8x16x14x14, torch.Size([8, 16]), ()."""
    cleaned = text.strip()
    cleaned = re.sub(r"^(torch\.)?Size\s*", "", cleaned)
    cleaned = cleaned.strip("()[] ")
    if not cleaned:
        return ()
    parts = [p for p in re.split(r"[\s,x×*]+", cleaned) if p]
    if not parts or not all(p.isdigit() for p in parts):
        raise AnswerError("quiz.bad_shape", given=text.strip())
    return tuple(int(p) for p in parts)


def format_number(value: float) -> str:
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else f"{value:.6g}"


def format_shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def pass_mark(total: int) -> int:
    """How many questions of `total` a passing run gets right."""
    return math.ceil(PASS_SHARE * total)


# --- a run through a concept check, and its record ---------------------------------------------------------
@dataclass(frozen=True)
class AnswerRecord:
    question: str
    answer: str
    correct: bool


@dataclass(frozen=True)
class QuizResult:
    """One run through a concept check, as the progress store keeps it and `dlquest quiz --json` prints it."""

    quiz: str
    lesson: str
    started_at: float
    duration: float
    answers: tuple[AnswerRecord, ...]
    total: int

    @property
    def correct(self) -> int:
        return sum(a.correct for a in self.answers)

    @property
    def passed(self) -> bool:
        return len(self.answers) == self.total and self.correct >= pass_mark(self.total)

    @property
    def outcome(self) -> str:
        return "passed" if self.passed else "failed"

    def to_dict(self) -> dict[str, Any]:
        return {"quiz": self.quiz, "lesson": self.lesson, "outcome": self.outcome, "correct": self.correct,
                "total": self.total, "pass_mark": pass_mark(self.total), "started_at": self.started_at,
                "duration": self.duration,
                "answers": [{"question": a.question, "answer": a.answer, "correct": a.correct} for a in self.answers]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuizResult:
        answers = tuple(AnswerRecord(str(a["question"]), str(a["answer"]), bool(a["correct"]))
                        for a in data.get("answers", []))
        return cls(str(data["quiz"]), str(data["lesson"]), float(data["started_at"]), float(data["duration"]),
                   answers, int(data["total"]))


@dataclass
class QuizRun:
    """A learner's way through a concept check: one question at a time, each judged as it is answered.
    A retake is a new run."""

    content: QuizContent
    started_at: float = field(default_factory=time.time)
    judgements: list[Judgement] = field(default_factory=list)

    @property
    def questions(self) -> tuple[Question, ...]:
        return self.content.questions

    @property
    def finished(self) -> bool:
        return len(self.judgements) >= len(self.questions)

    @property
    def current(self) -> Question | None:
        """The question to answer now; None when every question is answered."""
        return None if self.finished else self.questions[len(self.judgements)]

    @property
    def number(self) -> int:
        """The 1-based number of the question being answered (of len(questions))."""
        return min(len(self.judgements) + 1, len(self.questions))

    def answer(self, text: str) -> Judgement:
        """Judge `text` as the answer to the current question and move on; AnswerError leaves the run where
        it is (the learner tries again)."""
        question = self.current
        if question is None:
            raise AnswerError("quiz.finished")
        judgement = judge(question, text)
        self.judgements.append(judgement)
        return judgement

    def result(self, now: float | None = None) -> QuizResult:
        quiz = self.content.quiz
        ended = time.time() if now is None else now
        return QuizResult(quiz.id, quiz.lesson, self.started_at, max(0.0, ended - self.started_at),
                          tuple(AnswerRecord(j.question, j.answer, j.correct) for j in self.judgements),
                          len(self.questions))

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


# --- what both faces show ---------------------------------------------------------------------------------
def feedback_lines(question: Question, judgement: Judgement, lang: str) -> list[tuple[str, str]]:
    """The feedback after an answer as (role, line) pairs in `lang`: the verdict (role right or wrong), the
    right answer after a wrong one (role answer), then each note (its Note.role). Faces style by role."""
    lines = [("right" if judgement.correct else "wrong", t("quiz.right" if judgement.correct else "quiz.wrong", lang))]
    if not judgement.correct:
        lines.append(("answer", t("quiz.the_answer", lang, answer=question.answer_text)))
    for note in judgement.notes:
        lines.append((note.role, t(f"quiz.note_{note.role}", lang, choice=note.key) + " " + note.text.get(lang)))
    return lines


def summary_lines(run: QuizRun, lang: str) -> list[tuple[bool, str]]:
    """One line per answered question for the summary: (right?, "section  you: …  The answer: …")."""
    lines = []
    for judgement in run.judgements:
        question = run.question(judgement.question)
        if question is None:
            continue
        line = question.section.get(lang) + "  " + t("quiz.your_answer", lang, answer=judgement.answer)
        if not judgement.correct:
            line += "  " + t("quiz.the_answer", lang, answer=question.answer_text)
        lines.append((judgement.correct, line))
    return lines


# --- reading and validating a question file ----------------------------------------------------------------
def load_quiz(course: Course, quiz: Quiz) -> QuizContent:
    """The questions of `quiz`, validated; QuizError with every fault when the file is broken."""
    path = course.path(quiz.questions)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise QuizError(path, [f"not valid TOML: {err}"]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise QuizError(path, [f"cannot be read: {err}"]) from None
    reader = _Reader()
    questions = reader.questions(data)
    if reader.problems:
        raise QuizError(path, reader.problems)
    return QuizContent(quiz, tuple(questions))


def check_quiz(course: Course, quiz: Quiz) -> list[str]:
    """Every fault of a concept check, for `dlquest course check`: its file's faults, and each question's
    section that is no heading of its lesson's page in that language. [] when it is sound."""
    try:
        content = load_quiz(course, quiz)
    except QuizError as err:
        return [f"{quiz.questions}: {p}" for p in err.problems]
    lesson = course.lessons.get(quiz.lesson)
    if lesson is None:  # the manifest's loader has said so already
        return []
    problems = []
    for lang in LANGUAGES:
        page = lesson.pages.get(lang)
        try:
            headings = _headings(course.path(page).read_text(encoding="utf-8")) if page else []
        except (OSError, UnicodeDecodeError):
            continue  # the manifest's loader reports a missing page
        for question in content.questions:
            section = question.section.get(lang)
            if _plain_heading(section) not in {_plain_heading(h) for h in headings}:
                near = difflib.get_close_matches(section, headings, n=1, cutoff=0.5)
                problems.append(f"{quiz.questions}: question {question.id!r}: section.{lang} = {section!r} is no "
                                f"heading of {page}" + (f"; did you mean {near[0]!r}?" if near else
                                                       "; name the heading the question comes from"))
    return problems


def _headings(markdown: str) -> list[str]:
    """The headings of a Markdown page (outside code fences), without their #s."""
    found, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6}\s", line):
            found.append(line.lstrip("#").strip().rstrip("#").strip())
    return found


def _plain_heading(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("`", "").replace("*", "")).strip().casefold()


def _near(name: str, candidates: Iterable[str]) -> str:
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {found[0]!r}?" if found else ""


class _Reader:
    """Turns a parsed question file into Questions, collecting every fault instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fault(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    def questions(self, data: dict[str, Any]) -> list[Question]:
        for key in data:
            if key != "questions":
                self.fault("the file", f"unknown key {key!r}{_near(key, ['questions'])}; a question file holds "
                           "[[questions]] tables only")
        raw = data.get("questions")
        if not isinstance(raw, list) or not all(isinstance(q, dict) for q in raw):
            self.fault("the file", "no questions: give each one as a [[questions]] table")
            return []
        if not MIN_QUESTIONS <= len(raw) <= MAX_QUESTIONS:
            self.fault("the file", f"{len(raw)} questions; a concept check asks {MIN_QUESTIONS} to {MAX_QUESTIONS}")
        questions, seen = [], set()
        for n, table in enumerate(raw, 1):
            question = self.question(n, table)
            if question is None:
                continue
            if question.id in seen:
                self.fault(f"question {question.id!r}", "duplicate id; ids must be unique in the file")
            seen.add(question.id)
            questions.append(question)
        return questions

    def text(self, where: str, table: dict[str, Any], key: str) -> Text:
        value = table.get(key)
        if not isinstance(value, dict):
            self.fault(where, f"`{key}` must be given in every language: {key} = {{ en = \"…\", zh = \"…\" }}"
                       + ("" if value is None else f", not {type(value).__name__}"))
            return Text("", "")
        for extra in (k for k in value if k not in LANGUAGES):
            self.fault(where, f"unknown language `{key}.{extra}`; a text takes {' and '.join(LANGUAGES)}")
        texts = {}
        for lang in LANGUAGES:
            given = value.get(lang)
            if not isinstance(given, str) or not given.strip():
                self.fault(where, f"`{key}` has no text for {lang} (`{key}.{lang}` is missing or empty)")
                given = ""
            texts[lang] = given.strip()
        return Text(texts["en"], texts["zh"])

    def keys(self, where: str, table: dict[str, Any], known: tuple[str, ...], what: str) -> None:
        for key in table:
            if key not in known:
                self.fault(where, f"unknown key {key!r}{_near(key, known)}; {what} takes {', '.join(known)}")

    def question(self, n: int, raw: dict[str, Any]) -> Question | None:
        ident = raw.get("id")
        where = f"question {ident!r}" if isinstance(ident, str) and ident else f"question {n}"
        if not isinstance(ident, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", ident):
            self.fault(where, "`id` must be a short name such as \"output-shape\" (letters, digits, '-', '_')")
            ident = f"#{n}"
        form = raw.get("form")
        if form not in FORMS:
            self.fault(where, f"form = {form!r}{_near(str(form), FORMS)}; a question's form is "
                       + ", ".join(FORMS))
            return None
        self.keys(where, raw, _KEYS[form], f"a `{form}` question")
        section = self.text(where, raw, "section")
        prompt = self.text(where, raw, "prompt")
        if form in CHOICE_FORMS:
            return self.choice_question(where, ident, form, section, prompt, raw)
        right = self.text(where, raw, "right")
        wrong = self.text(where, raw, "wrong")
        if form == "number":
            number = self.number(where, raw.get("answer"), "answer")
            tolerance = raw.get("tolerance")
            if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance >= 0:
                self.fault(where, "`tolerance` must be given as a number >= 0 (how far an answer may be off: "
                           "tolerance = 0 for a count, 0.01 for a value to two decimals)")
                tolerance = 0.0
            mistakes = self.mistakes(where, raw, "number")
            for mistake in mistakes:
                if isinstance(mistake.value, float) and abs(mistake.value - number) <= float(tolerance):
                    self.fault(where, f"mistake value {format_number(mistake.value)} is within the tolerance of "
                               "the answer; a mistake must be wrong")
            return Question(ident, form, section, prompt, number=number, tolerance=float(tolerance), right=right,
                            wrong=wrong, mistakes=tuple(mistakes))
        shape = self.shape(where, raw.get("answer"), "answer")
        mistakes = self.mistakes(where, raw, "shape")
        if any(m.value == shape for m in mistakes):
            self.fault(where, "a mistake's value is the answer itself; a mistake must be wrong")
        return Question(ident, form, section, prompt, shape=shape, right=right, wrong=wrong,
                        mistakes=tuple(mistakes))

    def number(self, where: str, value: object, name: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.fault(where, f"`{name}` must be a number (answer = 14 or answer = 0.25)")
            return 0.0
        try:
            return parse_number(str(value))
        except AnswerError:
            self.fault(where, f"`{name}` = {value!r} does not parse as a number")
            return 0.0

    def shape(self, where: str, value: object, name: str) -> tuple[int, ...]:
        if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                                           for v in value):
            return tuple(value)
        if isinstance(value, str):
            try:
                return parse_shape(value)
            except AnswerError:
                pass
        self.fault(where, f"`{name}` = {value!r} does not parse as a shape; write it as \"(8, 16, 14, 14)\"")
        return ()

    def mistakes(self, where: str, raw: dict[str, Any], form: str) -> list[Mistake]:
        tables = raw.get("mistakes", [])
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            self.fault(where, "`mistakes` must be [[questions.mistakes]] tables with value and feedback")
            return []
        found = []
        for m, table in enumerate(tables, 1):
            at = f"{where}, mistake {m}"
            self.keys(at, table, _MISTAKE_KEYS, "a mistake")
            value: float | tuple[int, ...] = (self.number(at, table.get("value"), "value") if form == "number"
                                              else self.shape(at, table.get("value"), "value"))
            found.append(Mistake(value, self.text(at, table, "feedback")))
        return found

    def choice_question(self, where: str, ident: str, form: str, section: Text, prompt: Text,
                        raw: dict[str, Any]) -> Question:
        code = ""
        lines: list[str] = []
        if form == "line":
            code = raw.get("code", "")
            if not isinstance(code, str) or not code.strip():
                self.fault(where, "`code` must hold the code whose buggy line is asked for: code = '''…'''")
                code = ""
            code = code.strip("\n")
            lines = code.splitlines()
        tables = raw.get("choices")
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            self.fault(where, "no choices: give each one as a [[questions.choices]] table")
            tables = []
        choices: list[Choice] = []
        for m, table in enumerate(tables, 1):
            at = f"{where}, choice {m}"
            if form == "line":
                self.keys(at, table, _LINE_CHOICE_KEYS, "a choice of a `line` question")
                line = table.get("line")
                if isinstance(line, bool) or not isinstance(line, int) or not 1 <= line <= max(1, len(lines)):
                    self.fault(at, f"`line` must be a line number of `code`, 1 to {len(lines)}")
                    continue
                if not lines[line - 1].strip():
                    self.fault(at, f"line {line} of `code` is blank; a choice is a line of code")
                key, text = str(line), Text(lines[line - 1], lines[line - 1])
            else:
                self.keys(at, table, _CHOICE_KEYS, "a choice")
                key = table.get("key")
                if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9]+", key):
                    self.fault(at, "`key` must be a short name such as \"a\" (letters and digits)")
                    continue
                text = self.text(at, table, "text")
            if any(c.key.lower() == key.lower() for c in choices):
                self.fault(at, f"duplicate choice {key!r}")
                continue
            choices.append(Choice(key, text, self.text(at, table, "feedback")))
        if len(choices) < 2:
            self.fault(where, "a choice question needs at least two choices")
        answer = raw.get("answer")
        known = {c.key.lower(): c.key for c in choices}
        if form == "many":
            given = answer if isinstance(answer, list) else None
            if not given or not all(isinstance(a, str) for a in given):
                self.fault(where, "`answer` of a `many` question is the list of right keys: answer = [\"a\", \"c\"]")
                given = []
        elif form == "line":
            if isinstance(answer, bool) or not isinstance(answer, int):
                self.fault(where, "`answer` of a `line` question is the buggy line's number: answer = 3")
                given = []
            else:
                given = [str(answer)]
        else:
            if not isinstance(answer, str):
                self.fault(where, "`answer` of a `one` question is the right choice's key: answer = \"b\"")
                given = []
            else:
                given = [answer]
        keys = set()
        for key in given:
            if str(key).lower() not in known:
                self.fault(where, f"answer {key!r} is none of its choices ({', '.join(known.values())})")
            else:
                keys.add(known[str(key).lower()])
        return Question(ident, form, section, prompt, choices=tuple(choices), keys=frozenset(keys), code=code)
