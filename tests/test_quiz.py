"""Concept checks, the engine: judging each form, what an answer may look like, the question file's validation,
the manifest item, the progress store's runs (retakes, the migration from the schema before them), and the
bundled course's concept checks."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from dlquest.course import BUNDLED_COURSE, ManifestError, load_course
from dlquest.progress import MIGRATIONS, SCHEMA_VERSION, Progress
from dlquest.quiz import (
    MAX_QUESTIONS,
    MIN_QUESTIONS,
    AnswerError,
    QuizError,
    QuizResult,
    QuizRun,
    check_quiz,
    feedback_lines,
    judge,
    load_quiz,
    parse_answer,
    pass_mark,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "example-course"


@pytest.fixture
def example(tmp_path) -> Path:
    """A copy of docs/example-course (one lesson, its concept check with one question of each form)."""
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture
def content(example):
    course = load_course(example)
    return load_quiz(course, course.quiz("relu-lesson"))


def questions(content) -> dict:
    return {q.id: q for q in content.questions}


QUIZ_FILE = "lessons/quizzes/relu-lesson.toml"


def edit(root: Path, old: str, new: str, file: str = QUIZ_FILE) -> None:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(root: Path) -> list[str]:
    course = load_course(root)
    return check_quiz(course, course.quiz("relu-lesson"))


# --- judging ----------------------------------------------------------------------------------------------
def test_choose_one_judges_the_key_and_explains_the_pick_and_the_answer(content):
    question = questions(content)["negative-input"]
    right = judge(question, "b")
    assert right.correct and [(n.role, n.key) for n in right.notes] == [("picked", "b")]
    wrong = judge(question, " A ")  # any case, any spacing
    assert not wrong.correct and wrong.answer == "a"
    assert [(n.role, n.key) for n in wrong.notes] == [("picked", "a"), ("answer", "b")]
    assert "input unchanged" in wrong.notes[0].text.en and "max(-3, 0) = 0" in wrong.notes[1].text.en


def test_choose_all_that_apply_needs_exactly_the_right_set_and_explains_every_choice(content):
    question = questions(content)["which-pass"]
    for typed in ("a,c", "c a", "AC", "a; c"):
        assert judge(question, typed).correct, typed
    for typed in ("a", "a,b,c", "b"):
        assert not judge(question, typed).correct, typed
    partial = judge(question, "a")
    assert [(n.role, n.key) for n in partial.notes] == [("picked", "a"), ("other", "b"), ("missed", "c")]


def test_a_number_within_its_tolerance_is_right_and_a_known_mistake_is_named(content):
    question = questions(content)["sum-after"]
    assert judge(question, "4").correct and judge(question, "4.0").correct and judge(question, "8/2").correct
    assert not judge(question, "5").correct
    mistake = judge(question, "-2")
    assert not mistake.correct and [n.role for n in mistake.notes] == ["mistake", "wrong"]
    assert "not applied" in mistake.notes[0].text.en
    assert [n.role for n in judge(question, "7").notes] == ["wrong"]


def test_a_tolerance_accepts_what_is_close_and_nothing_further(example):
    edit(example, "answer = 4\ntolerance = 0", "answer = 4\ntolerance = 0.05")
    course = load_course(example)
    question = {q.id: q for q in load_quiz(course, course.quiz("relu-lesson")).questions}["sum-after"]
    assert judge(question, "4.04").correct and judge(question, "3.95").correct
    assert not judge(question, "4.06").correct


def test_a_shape_is_read_however_it_is_written(content):
    question = questions(content)["output-shape"]
    for typed in ("(3, 4)", "[3,4]", "3x4", "3 4", "torch.Size([3, 4])", "3×4"):
        assert judge(question, typed).correct, typed
    assert not judge(question, "(4, 3)").correct
    flattened = judge(question, "(12,)")
    assert [n.role for n in flattened.notes] == ["mistake", "wrong"] and flattened.answer == "(12,)"


def test_which_line_has_the_bug_is_a_line_number_with_feedback_for_each_line(content):
    question = questions(content)["buggy-line"]
    assert [c.key for c in question.choices] == ["4", "5"]
    assert question.choices[1].text.en.strip().startswith("return torch.where(mask, x")
    assert judge(question, "5").correct
    wrong = judge(question, "4")
    assert not wrong.correct and [n.role for n in wrong.notes] == ["picked", "answer"]


@pytest.mark.parametrize("question_id, typed, code", [
    ("negative-input", "", "quiz.empty"),
    ("negative-input", "d", "quiz.bad_choice"),
    ("negative-input", "a,b", "quiz.one_choice"),
    ("buggy-line", "3", "quiz.bad_choice"),  # a line that is no choice
    ("sum-after", "four", "quiz.bad_number"),
    ("sum-after", "nan", "quiz.bad_number"),
    ("output-shape", "(3, four)", "quiz.bad_shape"),
])
def test_what_is_no_answer_is_refused_with_a_reason_and_costs_nothing(content, question_id, typed, code):
    with pytest.raises(AnswerError) as err:
        parse_answer(questions(content)[question_id], typed)
    assert err.value.code == code


def test_feedback_is_worded_in_either_language_from_the_same_judgement(content):
    question = questions(content)["negative-input"]
    judgement = judge(question, "c")
    english = feedback_lines(question, judgement, "en")
    chinese = feedback_lines(question, judgement, "zh")
    assert [role for role, _ in english] == [role for role, _ in chinese] == ["wrong", "answer", "picked", "answer"]
    assert "|x|" in english[2][1] and "翻转符号" in chinese[2][1]


# --- a run and its result ------------------------------------------------------------------------------------
def test_a_run_goes_question_by_question_and_a_bad_answer_does_not_move_it(content):
    run = QuizRun(content, started_at=100.0)
    assert run.current.id == "negative-input" and run.number == 1
    with pytest.raises(AnswerError):
        run.answer("z")
    assert run.number == 1 and not run.judgements
    for typed in ("b", "a", "4", "(3, 4)", "5"):
        run.answer(typed)
    assert run.finished and run.current is None
    with pytest.raises(AnswerError):
        run.answer("b")
    result = run.result(now=130.0)
    assert (result.correct, result.total, result.duration) == (4, 5, 30.0)
    assert result.passed and pass_mark(5) == 4
    assert QuizResult.from_dict(result.to_dict()) == result


def test_the_pass_mark_is_three_quarters_rounded_up():
    assert [pass_mark(n) for n in range(MIN_QUESTIONS, MAX_QUESTIONS + 1)] == [3, 3, 4, 5]


def test_an_unfinished_run_never_passes(content):
    run = QuizRun(content)
    for typed in ("b", "a,c", "4", "(3, 4)"):
        run.answer(typed)
    assert run.result().correct == 4 and not run.result().passed


# --- the progress store ----------------------------------------------------------------------------------
def result(quiz: str, right: int, total: int = 4, at: float = 1.0) -> QuizResult:
    from dlquest.quiz import AnswerRecord

    answers = tuple(AnswerRecord(f"q{n}", "a", n < right) for n in range(total))
    return QuizResult(quiz, "lesson", at, 2.0, answers, total)


def test_retakes_are_kept_and_the_status_follows_the_latest_run(tmp_path):
    progress = Progress.open(tmp_path / "p.sqlite")
    assert progress.quiz_statuses() == {} and progress.quizzes_passed() == set()
    progress.record_quiz(result("q-conv", 2, at=1.0))
    assert progress.quiz_statuses() == {"q-conv": "failing"}
    progress.record_quiz(result("q-conv", 4, at=2.0))
    progress.record_quiz(result("q-conv", 1, at=3.0))  # a retake that goes worse
    assert progress.quiz_statuses() == {"q-conv": "failing"}
    assert progress.quizzes_passed() == {"q-conv"}  # passed once: done on the roadmap
    runs = progress.quiz_results("q-conv")
    assert [r.correct for r in runs] == [2, 4, 1] and runs[1].answers[0].question == "q0"
    assert progress.attempts() == []  # beside the exercise attempts, never among them


def test_a_store_of_the_schema_before_concept_checks_migrates_and_keeps_its_attempts(tmp_path):
    from dlquest.grader.records import GradeRecord

    path = tmp_path / "p.sqlite"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0] + MIGRATIONS[1] + "PRAGMA user_version = 2;")
    record = GradeRecord("perceptron", "passed", [], 1.0, 0.1, ["cpu"], "", "", "", None)
    old.execute("INSERT INTO attempts (exercise, started_at, duration, outcome, record) VALUES (?, ?, ?, ?, ?)",
                ("perceptron", 1.0, 0.1, "passed", record.to_json()))
    old.execute("INSERT INTO exercise_state (exercise, hints_seen, first_passed_at) VALUES ('perceptron', 2, 1.0)")
    old.commit()
    old.close()
    progress = Progress.open(path)
    assert progress.schema_version == SCHEMA_VERSION == 4
    assert progress.status("perceptron") == "passed" and progress.hints_seen("perceptron") == 2
    assert progress.ever_passed("perceptron")
    progress.record_quiz(result("q-perceptron", 4))
    assert progress.quiz_statuses() == {"q-perceptron": "passed"}
    progress.close()


# --- the question file's validation (dlquest course check) -------------------------------------------------
def test_the_example_course_concept_check_is_sound(example):
    assert problems_of(example) == []


@pytest.mark.parametrize("old, new, expected", [
    ('answer = "b"', 'answer = "d"', ["question 'negative-input'", "answer 'd' is none of its choices (a, b, c)"]),
    ('answer = ["a", "c"]', 'answer = ["a", "e"]', ["question 'which-pass'", "answer 'e' is none of its choices"]),
    ("answer = 5\n", "answer = 3\n", ["question 'buggy-line'", "answer '3' is none of its choices"]),
    ('feedback = { en = "Positive: max(2.5, 0) = 2.5, unchanged.", zh = "正数：max(2.5, 0) = 2.5，保持不变。" }',
     'feedback = { en = "Positive: max(2.5, 0) = 2.5, unchanged." }',
     ["question 'which-pass', choice 1", "`feedback` has no text for zh"]),
    ('key = "c"\ntext = { en = "0", zh = "0" }\nfeedback = { en = "max(0, 0) = 0: zero comes out as itself.", '
     'zh = "max(0, 0) = 0：零原样输出。" }', 'key = "c"\ntext = { en = "0", zh = "0" }',
     ["question 'which-pass', choice 3", "`feedback` must be given in every language"]),
    ("tolerance = 0\n", "", ["question 'sum-after'", "`tolerance` must be given"]),
    ("answer = 4\n", 'answer = "four"\n', ["question 'sum-after'", "does not parse as a number"]),
    ('answer = "(3, 4)"', 'answer = "(3, four)"', ["question 'output-shape'", "does not parse as a shape"]),
    ("value = -2\n", "value = 4\n", ["within the tolerance of the answer"]),
    ('form = "number"', 'form = "numbr"', ["question 'sum-after'", "did you mean 'number'?"]),
    ('answer = 4\n', 'answer = 4\nchoices = []\n', ["unknown key 'choices'", "a `number` question takes"]),
    ('section = { en = "ReLU", zh = "ReLU" }\nprompt = { en = "What is ReLU(-3)?"',
     'section = { en = "Rectifiers", zh = "ReLU" }\nprompt = { en = "What is ReLU(-3)?"',
     ["question 'negative-input'", "section.en = 'Rectifiers' is no heading of lessons/en/relu.md"]),
    ("line = 4\n", "line = 2\n", ["choice 1", "line 2 of `code` is blank"]),
])
def test_a_broken_question_is_named_with_its_fault(example, old, new, expected):
    edit(example, old, new)
    problems = "\n".join(problems_of(example))
    assert problems.startswith(QUIZ_FILE) or "relu-lesson.toml" in problems
    for fragment in expected:
        assert fragment in problems, problems


def test_a_concept_check_asks_three_to_six_questions(example):
    path = example / QUIZ_FILE
    text = path.read_text(encoding="utf-8")
    blocks = text.split("[[questions]]")
    path.write_text(blocks[0] + "[[questions]]" + "[[questions]]".join(blocks[1:3]), encoding="utf-8")
    assert any("2 questions; a concept check asks 3 to 6" in p for p in problems_of(example))


def test_every_fault_of_a_file_is_reported_at_once(example):
    edit(example, 'answer = "b"', 'answer = "x"')
    edit(example, "tolerance = 0\n", "")
    with pytest.raises(QuizError) as err:
        course = load_course(example)
        load_quiz(course, course.quiz("relu-lesson"))
    assert len(err.value.problems) == 2


def test_not_toml_is_a_fault_not_an_exception(example):
    (example / QUIZ_FILE).write_text("[[questions]\n", encoding="utf-8")
    assert "not valid TOML" in problems_of(example)[0]


# --- the manifest item -----------------------------------------------------------------------------------
MANIFEST = "lessons/course.toml"


@pytest.mark.parametrize("old, new, expected", [
    ('lesson = "relu-lesson"\nquestions', 'lesson = "relu-lessn"\nquestions',
     ["quiz 'relu-quiz'", "lesson = 'relu-lessn' names no lesson", "did you mean 'relu-lesson'?"]),
    ('questions = "lessons/quizzes/relu-lesson.toml"', 'questions = "lessons/quizzes/relu.toml"',
     ["quiz 'relu-quiz'", "lessons/quizzes/relu.toml, which does not exist"]),
    ('questions = "lessons/quizzes/relu-lesson.toml"\n', '',
     ["quiz 'relu-quiz'", "missing `questions`"]),
    ('questions = "lessons/quizzes/relu-lesson.toml"\n', 'questions = "lessons/quizzes/relu-lesson.toml"\nhints = []\n',
     ["unknown key 'hints'", "only exercises take `hints`"]),
])
def test_a_broken_quiz_item_is_a_manifest_fault(example, old, new, expected):
    edit(example, old, new, MANIFEST)
    with pytest.raises(ManifestError) as err:
        load_course(example)
    for fragment in expected:
        assert fragment in str(err.value), str(err.value)


def test_a_quiz_comes_after_its_lesson_and_a_lesson_has_one_at_most(example):
    path = example / MANIFEST
    text = path.read_text(encoding="utf-8")
    start = text.index('[[stages.units.items]]\nkind = "quiz"')
    end = text.index('[[stages.units.items]]\nkind = "exercise"')
    quiz = text[start:end]
    lesson_at = text.index('[[stages.units.items]]\nkind = "lesson"')
    moved = text[:lesson_at] + quiz + text[lesson_at:start] + text[end:]
    second = quiz.replace('id = "relu-quiz"', 'id = "relu-quiz-2"')
    path.write_text(moved + "\n" + second, encoding="utf-8")
    with pytest.raises(ManifestError) as err:
        load_course(example)
    message = str(err.value)
    assert "quiz 'relu-quiz'" in message and "comes before its lesson 'relu-lesson'" in message
    assert "already has the concept check 'relu-quiz'" in message


def test_a_quiz_is_an_item_of_its_unit_and_is_found_by_lesson_or_id(example):
    course = load_course(example)
    assert [item.kind for item in course.stages[0].units[0].items] == ["lesson", "quiz", "exercise"]
    assert course.quiz("relu-lesson") is course.quiz("relu-quiz") is course.quizzes["relu-quiz"]
    assert "relu-quiz" not in course.exercises  # never graded: `dlquest grade` grades course.exercises
    assert course.stages[0].minutes >= 5


# --- the bundled course -----------------------------------------------------------------------------------
def test_every_bundled_lesson_has_a_sound_concept_check_after_it(course):
    order = [item.id for item in course.items()]
    missing = [lesson for lesson in course.lessons if course.quiz_for(lesson) is None]
    assert not missing, f"lessons without a concept check: {missing}"
    problems = [p for quiz in course.quizzes.values() for p in check_quiz(course, quiz)]
    assert not problems, "\n".join(problems)
    for quiz in course.quizzes.values():
        assert order.index(quiz.id) > order.index(quiz.lesson)
        assert quiz.minutes, quiz.id
        assert quiz.questions.parent == Path("lessons/quizzes")


def test_the_bundled_question_files_ship_with_the_package():
    from dlquest.course import tomllib

    pyproject = tomllib.loads((BUNDLED_COURSE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert "lessons/quizzes/*.toml" in pyproject["tool"]["setuptools"]["package-data"]["dlquest"]


def test_every_bundled_question_offers_a_real_choice(course):
    """A right answer at a fixed place, or feedback that only says right/wrong, teaches nothing."""
    forms = set()
    for quiz in course.quizzes.values():
        content = load_quiz(course, quiz)
        for question in content.questions:
            forms.add(question.form)
            if question.form in ("one", "many"):
                assert len(question.choices) >= 3, (quiz.id, question.id)
            texts = [c.feedback.en for c in question.choices]
            assert len(set(texts)) == len(texts), (quiz.id, question.id)  # each choice says its own why
    assert forms == {"one", "many", "number", "shape", "line"}


def test_a_skimmer_cannot_pass_by_picking_the_longest_choice(course):
    """Choose-one questions whose right choice is also the longest (in either language) stay a minority: a
    learner who picks the most detailed-looking answer without reading the lesson must not pass."""
    ones = longest = 0
    for quiz in course.quizzes.values():
        for question in load_quiz(course, quiz).questions:
            if question.form != "one":
                continue
            ones += 1
            right = next(iter(question.keys))
            for lang in ("en", "zh"):
                lengths = {c.key: len(c.text.get(lang)) for c in question.choices}
                if max(lengths, key=lengths.get) == right:
                    longest += 1
                    break
    assert ones and longest <= ones // 2, f"{longest} of {ones} choose-one questions have the longest choice right"
