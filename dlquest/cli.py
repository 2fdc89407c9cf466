"""The `dlquest` command. Each subcommand is a thin call into the core (course, workspace, progress, grader).

Exit codes: 0 success (or every test passed), 1 a check failed or a course is unsound, 2 a usage error
(unknown exercise, no workspace, broken manifest, …).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

from dlquest import __version__
from dlquest.course import Course, Item, ManifestError, UnknownItem, load_course
from dlquest.i18n import LANGUAGES, counted, detect_language, t
from dlquest.progress import (
    BUSY_TIMEOUT,
    Progress,
    ProgressLocked,
    ProgressReadOnly,
    ProgressTooNew,
    ProgressUnavailable,
)
from dlquest.render import minutes_text
from dlquest.safe_text import json_text
from dlquest.session import READ, LearnerSession
from dlquest.workspace import NoWorkspace, UnknownBackup, Workspace, WorkspaceReadOnly

USAGE_ERROR = 2


class UsageError(Exception):
    """Ends the command with the message (already in the learner's language) and exit status 2."""


class Context:
    """What a command works on: in a workspace, the learner core opened on it (course, progress, language);
    elsewhere the course and the language alone. This face only turns the core's errors into messages."""

    def __init__(self, args: argparse.Namespace, need_workspace: bool = True):
        self.args = args
        self._session: LearnerSession | None = None
        self.lang = detect_language(getattr(args, "lang", None))
        explicit = getattr(args, "workspace", None)
        course_dir = getattr(args, "course", None)
        if need_workspace or explicit:
            try:
                workspace = Workspace.find(Path(explicit) if explicit else None)
            except NoWorkspace as err:
                raise UsageError(t("cli.no_workspace", self.lang, where=err.where)) from None
            self._open_session(workspace, course_dir)
            return
        # Without --course, a command that needs no workspace still uses the course (and the saved language) of
        # the workspace it runs in: `grade` and `course check` would otherwise judge against the bundled course.
        remembered = _workspace_here()
        if remembered is not None:
            self.lang = detect_language(getattr(args, "lang", None) or remembered.settings().get("lang"))
        if course_dir is None and remembered is not None and remembered.course_dir is not None:
            self.course = _load(remembered.course_dir, self.lang,
                                t("cli.remembered_course", self.lang, workspace=remembered.root))
        else:
            self.course = _load(course_dir, self.lang)

    def _open_session(self, workspace: Workspace, course_dir: str | None) -> None:
        lang = detect_language(getattr(self.args, "lang", None) or workspace.settings().get("lang"))
        origin = (t("cli.remembered_course", lang, workspace=workspace.root)
                  if course_dir is None and workspace.course_dir is not None else "")
        try:
            session = LearnerSession.open(workspace, Path(course_dir) if course_dir else None,
                                          getattr(self.args, "lang", None))
        except ManifestError as err:
            raise UsageError(_manifest_message(err, lang, origin)) from None
        except WorkspaceReadOnly as err:
            raise UsageError(t("cli.workspace_read_only", lang, path=err.path, detail=err.detail)) from None
        except ProgressTooNew as err:
            raise UsageError(f"error: {err}") from None
        except ProgressUnavailable as err:
            raise UsageError(_progress_unavailable(err, lang)) from None
        self._session, self.course, self.lang = session, session.course, session.lang
        if session.progress.recovered:
            reason, moved = session.progress.recovered
            print(t("cli.corrupt_progress", self.lang, reason=reason, moved=moved), file=sys.stderr)
        if session.synced:
            print(t("cli.synced", self.lang, files=counted(len(session.synced), "new_exercise_file", self.lang),
                    names=", ".join(session.synced)), file=sys.stderr)

    @property
    def session(self) -> LearnerSession:
        """The learner core on this workspace: every learner rule a command applies comes from it."""
        assert self._session is not None, "a command that needs no workspace has no learner session"
        return self._session

    @property
    def workspace(self) -> Workspace:
        return self.session.workspace

    @property
    def progress(self) -> Progress:
        return self.session.progress

    def exercise(self, name: str):
        return self._find(self.course.exercise, name)

    def lesson(self, name: str):
        return self._find(self.course.lesson, name)

    def guide(self, name: str):
        return self._find(self.course.guide, name)

    def _find(self, lookup, name: str):
        """`lookup(name)`, or a usage error naming the closest ids when there is no such item."""
        try:
            return lookup(name)
        except UnknownItem as err:
            suggestion = (t("cli.did_you_mean", self.lang, names=" or ".join(err.suggestions))
                          if err.suggestions else "")
            raise UsageError(t("cli.unknown_item", self.lang, kind=t(f"cli.kind.{err.kind}", self.lang),
                               name=err.name, suggestion=suggestion)) from None


def _load(course_dir, lang: str, origin: str = "") -> Course:
    """The course in `course_dir` (the bundled one for None); `origin` says where that folder came from."""
    try:
        return load_course(course_dir)
    except ManifestError as err:
        raise UsageError(_manifest_message(err, lang, origin)) from None


def _manifest_message(err: ManifestError, lang: str, origin: str = "") -> str:
    lines = [t("cli.manifest_error", lang, file=err.manifest)] + [f"  - {p}" for p in err.problems]
    return "\n".join(lines + ([origin] if origin else []))


def _workspace_here() -> Workspace | None:
    """The workspace holding the current folder, if any (for the course it remembers)."""
    try:
        return Workspace.find()
    except (NoWorkspace, OSError):
        return None


def _progress_unavailable(err: ProgressUnavailable, lang: str) -> str:
    """A locked, read-only or failing progress store, in the learner's language."""
    if isinstance(err, ProgressLocked):
        return t("cli.progress_locked", lang, path=err.path, seconds=f"{BUSY_TIMEOUT:g}")
    if isinstance(err, ProgressReadOnly):
        return t("cli.progress_read_only", lang, path=err.path, detail=err.detail)
    return t("cli.progress_unavailable", lang, path=err.path, detail=err.detail)


# --- commands ----------------------------------------------------------------------------------------
def cmd_outline(ctx: Context) -> int:
    """`dlquest` alone when not in a terminal (piped, scripted): the course outline with the learner's status."""
    return cmd_list(ctx)


def cmd_init(args) -> int:
    lang = detect_language(args.lang)
    course = _load(args.course, lang)
    root = Path(args.dir).resolve()
    ws, copied, existed = Workspace.create(root, course, Path(args.course).resolve() if args.course else None)
    Progress.open(ws.progress_path).close()
    key = "cli.init_exists" if existed else "cli.init_created"
    print(t(key, lang, path=root, files=counted(len(copied), "exercise_file", lang)))
    return 0


def cmd_list(ctx: Context) -> int:
    lang = ctx.lang
    views = ctx.session.roadmap()  # status, locks and what comes next, as the app shows them
    if getattr(ctx.args, "json", False):  # bare `dlquest` (the outline) comes here without the option
        print(json_text(_roadmap_json(ctx, views)))
        return 0
    print(ctx.course.title.get(lang))
    for stage in ctx.course.stages:
        estimate = "  " + t("cli.stage_time", lang, time=minutes_text(stage.minutes, lang)) if stage.minutes else ""
        print(f"\n{stage.title.get(lang)}{estimate}")
        for unit in stage.units:
            print(f"  {unit.title.get(lang)}")
            for item in unit.items:
                took = _minutes_column(item.minutes, lang)
                view = views[item.id]
                following = "  ← " + t("cli.next_up", lang) if view.is_next else ""
                if item.kind == "lesson":
                    read = f"  [{t('cli.lesson_read', lang)}]" if view.status == READ else ""
                    print(f"    📖 {item.id:<24} {took}{item.title.get(lang)}{read}{following}")
                    continue
                mark = {"passed": "✔", "failing": "✘"}.get(view.status, "?" if item.kind == "quiz" else "·")
                extra = ""
                if view.locked_by:
                    extra = "  (" + t("cli.locked", lang, names=", ".join(view.locked_by)) + ")"
                print(f"    {mark}  {item.id:<24} {took}{item.title.get(lang)}  [{t('status.' + view.status, lang)}]"
                      f"{extra}{following}")
    if ctx.course.guides:
        print(f"\n{t('cli.guides', lang)}")
        for guide in ctx.course.guides.values():
            took = _minutes_column(guide.minutes, lang)
            print(f"    🧭 {guide.id:<24} {took}{guide.title.get(lang)}")
    print("\n" + t("cli.list_legend", lang))
    return 0


def _roadmap_json(ctx: Context, views: dict) -> dict:
    """`dlquest list --json` (its schema is in the README): every item in course order, with what the roadmap
    shows of it."""
    lang = ctx.lang

    def item(view) -> dict:
        return {"id": view.item.id, "kind": view.item.kind, "title": view.item.title.get(lang),
                "minutes": view.item.minutes, "status": view.status, "done": view.done,
                "locked_by": list(view.locked_by), "next": view.is_next}

    return {
        "course": ctx.course.id, "title": ctx.course.title.get(lang), "lang": lang,
        "next": next((view.item.id for view in views.values() if view.is_next), None),
        "stages": [{"id": stage.id, "title": stage.title.get(lang), "minutes": stage.minutes,
                    "units": [{"id": unit.id, "title": unit.title.get(lang),
                               "items": [item(views[i.id]) for i in unit.items]} for unit in stage.units]}
                   for stage in ctx.course.stages],
        "guides": [{"id": guide.id, "title": guide.title.get(lang), "minutes": guide.minutes}
                   for guide in ctx.course.guides.values()],
    }


def _minutes_column(minutes: int | None, lang: str, width: int = 8) -> str:
    """An item's estimate right-aligned in `width` terminal columns (a Chinese character takes two)."""
    text = minutes_text(minutes, lang, hours=False) if minutes else ""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return " " * max(0, width - columns) + text + "  "


def cmd_lesson(ctx: Context) -> int:
    lesson = ctx.lesson(ctx.args.id)
    _print_markdown(ctx.session.lesson_page(lesson))
    ctx.session.mark_read(lesson)  # as opening it in the app does: it counts toward its stage and "next"
    return 0


def cmd_task(ctx: Context) -> int:
    """What an exercise asks, in the learner's language (the course's translation, else the stub's contract)."""
    exercise = ctx.exercise(ctx.args.exercise)
    _print_markdown(ctx.session.task(exercise))
    shown = ctx.session.learner_file(exercise).relative_to(ctx.workspace.root)
    print("\n" + t("cli.task_footer", ctx.lang, file=shown, exercise=exercise.id))
    return 0


def cmd_guide(ctx: Context) -> int:
    """`dlquest guide` lists the guides (learning path, resources, FAQ, …); `dlquest guide ID` prints one."""
    lang = ctx.lang
    if ctx.args.id is None:
        for guide in ctx.course.guides.values():
            print(f"  {guide.id:<24} {guide.title.get(lang)}")
        print("\n" + t("cli.guide_legend", lang))
        return 0
    return _print_page(ctx, ctx.guide(ctx.args.id))


def _print_page(ctx: Context, item) -> int:
    _print_markdown(ctx.course.path(item.pages[ctx.lang]).read_text(encoding="utf-8"))
    return 0


def _print_markdown(text: str) -> None:
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text, code_theme="monokai"))
    else:
        print(text)


def cmd_run(ctx: Context) -> int:
    lesson = ctx.lesson(ctx.args.id)
    if lesson.example is None:
        print(t("cli.no_example", ctx.lang, lesson=lesson.id))
        return 0
    script = ctx.course.path(lesson.example)
    env = dict(os.environ, DLQUEST_LANG=ctx.lang, PYTHONUNBUFFERED="1")
    return subprocess.call([sys.executable, str(script)], cwd=ctx.workspace.root, env=env)


def cmd_export_notebook(ctx: Context) -> int:
    from dlquest.notebook.export import lesson_notebook, write_notebook

    lesson = ctx.lesson(ctx.args.id)
    target = Path(ctx.args.output or f"{lesson.id}.ipynb")
    if target.exists() and not ctx.args.force:
        raise UsageError(t("cli.notebook_exists", ctx.lang, path=target))
    write_notebook(lesson_notebook(ctx.session, lesson), target)
    print(t("cli.notebook_written", ctx.lang, lesson=lesson.id, path=target))
    return 0


def cmd_check(ctx: Context) -> int:
    exercise = ctx.exercise(ctx.args.exercise)
    lang = ctx.lang
    learner_file = ctx.workspace.learner_file(exercise)
    devices = _devices(ctx.args.device)
    if not ctx.args.json:
        shown = learner_file.relative_to(ctx.workspace.root)
        print(t("cli.check_header", lang, exercise=exercise.id, file=shown))
    from dlquest.spinner import spinning

    with spinning(t("cli.grading", lang, exercise=exercise.id), enabled=not ctx.args.json):
        record = ctx.session.grade(exercise, devices, daemon=not ctx.args.no_daemon)
    if ctx.args.json:
        print(json_text(record.to_dict()))  # strict JSON: a NaN error is the string "nan", as in results.json
        return 0 if record.passed else 1
    _print_check_result(ctx, exercise, record)
    return 0 if record.passed else 1


def _print_check_result(ctx: Context, exercise, record) -> None:
    """A grading's feedback as `dlquest check` prints it (and `dlquest watch`, after every save)."""
    from dlquest.render import protections_off, record_lines
    from dlquest.safe_text import visible

    lang = ctx.lang
    for line in record_lines(record, lang):
        print(visible(line))  # learner text: its escape sequences shown, never run by the terminal
    print()
    total = len(record.tests)
    one = "_one" if total == 1 else ""
    if record.passed:
        following = ctx.session.next_item(after=exercise.id)
        if following is not None:
            print(t(f"cli.check_summary_pass{one}", lang, total=total, next=_command_for(following)))
        else:
            print(t(f"cli.check_summary_pass{one}_last", lang, total=total))
    else:
        if total:
            print(t(f"cli.check_summary_fail{one}", lang, failed=len(record.failed_tests), total=total))
        if record.problem is None or record.problem.code != "check_error":  # no hint helps with the course's bug
            _print_hint_status(ctx, exercise)
    off = protections_off(record, lang)
    if off:
        print(t("cli.protections_off", lang, names=", ".join(off)), file=sys.stderr)


def cmd_watch(ctx: Context) -> int:
    """Grade an exercise on every save of its file (or on Enter, --manual) until the learner quits."""
    from dlquest.watch import Watch, next_exercise

    session = ctx.session
    exercise = ctx.exercise(ctx.args.exercise) if ctx.args.exercise else next_exercise(session)
    if exercise is None:
        print(t("watch.all_done", ctx.lang))
        return 0
    devices, daemon = _devices(ctx.args.device), not ctx.args.no_daemon
    return Watch(session, exercise, manual=ctx.args.manual,
                 grade=lambda ex: session.grade_unrecorded(ex, devices, daemon=daemon),
                 show_verdict=lambda ex, record: _print_check_result(ctx, ex, record),
                 show_hint=lambda ex: _print_hints(ctx, ex, session.reveal_hint(ex))).run()


def cmd_daemon(ctx: Context) -> int:
    from dlquest.daemon.client import daemon_status, ensure_daemon, stop_daemon

    lang = ctx.lang
    if ctx.args.action == "stop":
        print(t("cli.daemon_stopped" if stop_daemon() else "cli.daemon_not_running", lang))
        return 0
    if ctx.args.action == "start":
        sock = ensure_daemon(ctx.args.idle)
        if sock is None:
            print(t("cli.daemon_start_failed", lang), file=sys.stderr)
            return 1
        sock.close()
    status = daemon_status()
    if status is None:
        print(t("cli.daemon_not_running", lang))
        return 0 if ctx.args.action == "status" else 1
    print(t("cli.daemon_status", lang, pid=status["pid"], daemon_key=status["key"][:12], socket=status["socket"],
            idle=round(status["idle_left"])))
    return 0


def _devices(choice: str) -> list[str] | None:
    if choice == "auto":
        return None
    return [choice]


def _command_for(item: Item) -> str:
    """The command that opens an item in this terminal."""
    if item.kind == "quiz":
        return f"dlquest quiz {getattr(item, 'lesson', item.id)}"
    return f"dlquest {'lesson' if item.kind == 'lesson' else 'check'} {item.id}"


def _print_hint_status(ctx: Context, exercise) -> None:
    lang = ctx.lang
    seen = ctx.session.hints_seen(exercise)
    total = len(exercise.hints)
    if seen:
        print(t("cli.last_hint", lang, n=seen, total=total, text=exercise.hints[seen - 1].get(lang)))
    if seen < total:
        print(t("cli.more_hints", lang, exercise=exercise.id, left=total - seen))
    else:
        print(t("cli.no_more_hints", lang, exercise=exercise.id))


def cmd_quiz(ctx: Context) -> int:
    """A lesson's concept check in this terminal: one question at a time, each answer read from stdin and judged
    here (no learner code runs), its feedback shown; the run is stored in the progress. With --json the
    questions go to stderr and the result, as JSON, to stdout. Exit 0 when it passes, 1 when not."""
    from dlquest.quiz import AnswerError, QuizError, feedback_lines, pass_mark, summary_lines

    lang = ctx.lang
    quiz = ctx._find(ctx.course.quiz, ctx.args.lesson)
    try:
        run = ctx.session.start_quiz(quiz)
    except QuizError as err:
        raise UsageError("\n".join([t("cli.quiz_broken", lang, quiz=quiz.id)]
                                   + [f"  - {p}" for p in err.problems])) from None
    out = sys.stderr if ctx.args.json else sys.stdout

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    total = len(run.content.questions)
    say(t("cli.quiz_header", lang, title=quiz.title.get(lang), count=total, lesson=quiz.lesson))
    while (question := run.current) is not None:
        say()
        say(t("cli.quiz_question", lang, n=run.number, total=total, section=question.section.get(lang)))
        say(question.prompt.get(lang))
        if question.form == "line":
            for number, line in enumerate(question.code.splitlines(), 1):
                say(f"  {number:>3} | {line}")
        elif question.form in ("one", "many"):
            for choice in question.choices:
                say(f"  {choice.key}) {choice.text.get(lang)}")
        while True:
            print(t(f"cli.quiz_ask_{question.form}", lang) + ": ", end="", file=out, flush=True)
            line = sys.stdin.readline()
            if not line:
                say()
                raise UsageError(t("cli.quiz_ended", lang, n=run.number))
            if not sys.stdin.isatty():
                say(line.strip())  # a scripted answer, echoed so that the transcript reads as a dialogue
            try:
                judgement = run.answer(line)
            except AnswerError as err:
                say(t(err.code, lang, **err.values))
                continue
            break
        for _role, text in feedback_lines(question, judgement, lang):
            say("  " + text)
    result = run.result()
    ctx.session.record_quiz(result)
    say()
    say(t("quiz.score", lang, correct=result.correct, total=result.total, mark=pass_mark(result.total)) + " "
        + t("quiz.passed" if result.passed else "quiz.not_passed", lang))
    for correct, text in summary_lines(run, lang):
        say(("  ✔ " if correct else "  ✘ ") + text)
    say(t("cli.quiz_retake", lang, lesson=quiz.lesson))
    if ctx.args.json:
        print(result.to_json())
    return 0 if result.passed else 1


def cmd_hint(ctx: Context) -> int:
    exercise = ctx.exercise(ctx.args.exercise)
    _print_hints(ctx, exercise, ctx.session.reveal_hint(exercise))
    return 0


def _print_hints(ctx: Context, exercise, seen: int) -> None:
    """The hints seen so far, the newest marked, and how many are left (`dlquest hint`, and `h` in watch)."""
    lang = ctx.lang
    for n in range(1, seen + 1):
        marker = "→" if n == seen else " "
        print(f"{marker} " + t("cli.last_hint", lang, n=n, total=len(exercise.hints),
                               text=exercise.hints[n - 1].get(lang)))
    if seen < len(exercise.hints):
        print(t("cli.more_hints", lang, exercise=exercise.id, left=len(exercise.hints) - seen))
    else:
        print(t("cli.no_more_hints", lang, exercise=exercise.id))


def cmd_solution(ctx: Context) -> int:
    exercise = ctx.exercise(ctx.args.exercise)
    if not (ctx.session.solution_unlocked(exercise) or ctx.args.yes):
        print(t("cli.solution_locked", ctx.lang, exercise=exercise.id))
        return 1
    print(ctx.session.open_solution(exercise))
    return 0


def cmd_reset(ctx: Context) -> int:
    exercise = ctx.exercise(ctx.args.exercise)
    saved = ctx.workspace.reset(ctx.course, exercise)
    if saved:
        print(t("cli.reset_done", ctx.lang, exercise=exercise.id, backup=saved.id))
    else:
        print(t("cli.reset_fresh", ctx.lang, exercise=exercise.id))
    return 0


def cmd_backups(ctx: Context) -> int:
    exercise = ctx.exercise(ctx.args.exercise)
    backups = ctx.workspace.backups(exercise)
    if ctx.args.json:  # {"exercise": id, "backups": [{"id", "path"}, ...]}, in the order the list shows them
        print(json_text({"exercise": exercise.id, "backups": [{"id": b.id, "path": str(b.path)} for b in backups]}))
        return 0
    if not backups:
        print(t("cli.no_backups", ctx.lang, exercise=exercise.id))
    for backup in backups:
        print(f"{backup.id}  {backup.path}")
    return 0


def cmd_restore(ctx: Context) -> int:
    exercise = ctx.exercise(ctx.args.exercise)
    try:
        chosen, saved = ctx.workspace.restore(exercise, ctx.args.backup)
    except UnknownBackup:
        raise UsageError(t("cli.unknown_backup", ctx.lang, exercise=exercise.id,
                           backup=ctx.args.backup or "")) from None
    print(t("cli.restored", ctx.lang, exercise=exercise.id, backup=chosen.id, saved=saved.id if saved else "-"))
    return 0


def cmd_lang(ctx: Context) -> int:
    if ctx.args.language:
        ctx.workspace.set_setting("lang", ctx.args.language)
        ctx.lang = ctx.args.language
    print(ctx.lang)
    return 0


def cmd_course_check(ctx: Context) -> int:
    from dlquest.authoring import Problem, check_course
    from dlquest.course import empty_parts

    lang = ctx.lang
    # A course that loads may still have nothing in a unit or stage (or at all): never sound.
    problems = [Problem(entry, what, {"kind": "empty", "file": str(ctx.course.manifest)})
                for entry, what in empty_parts(ctx.course)]
    problems += check_course(ctx.course, run_examples=ctx.args.run_examples,
                             progress=(lambda line: None) if ctx.args.json else print)
    name = ctx.course.title.get(lang)
    if ctx.args.json:
        import json

        print(json.dumps({"course": ctx.course.id, "root": str(ctx.course.root), "sound": not problems,
                          "exercises": len(ctx.course.exercises), "lessons": len(ctx.course.lessons),
                          "quizzes": len(ctx.course.quizzes),
                          "problems": [p.to_dict() if hasattr(p, "to_dict") else {"text": str(p)}
                                       for p in problems]}, ensure_ascii=False))
        return 1 if problems else 0
    if problems:
        print()
        for problem in problems:
            print(f"  ✘ {problem}")
        print(t("cli.course_check_bad", lang, course=name, problems=counted(len(problems), "problem", lang)))
        return 1
    if ctx.course.quizzes:
        print(t("cli.course_check_quizzes", lang, quizzes=counted(len(ctx.course.quizzes), "quiz", lang)))
    # The verdict last: what a reader (or a script reading the last line) looks for.
    print(t("cli.course_check_ok", lang, course=name, exercises=counted(len(ctx.course.exercises), "exercise", lang),
            lessons=counted(len(ctx.course.lessons), "lesson", lang)))
    return 0


def cmd_grade(ctx: Context) -> int:
    """Grade a folder of submissions (one workspace per student) and write the reports; the run itself is
    grader/classrun.py's, shown here with a progress bar and, at the end, a table per exercise (with --summary:
    the class report's whole summary instead, as `dlquest report` prints it)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar
    from rich.table import Table

    from dlquest.grader import reports
    from dlquest.grader.classrun import ClassRunError, ClassRunEvents, ClassRunOptions, grade_class
    from dlquest.safe_text import one_line

    args, course = ctx.args, ctx.course
    options = ClassRunOptions(exercises=_exercise_list(ctx), out=Path(args.out), workers=args.workers,
                              device=args.device, seed=args.seed, timeout=args.timeout, force=args.force,
                              scheduler=args.scheduler, student=args.student, lang=ctx.lang)
    console = Console(stderr=True)
    where = f"on the Dask cluster at {args.scheduler}" if args.scheduler else f"with {args.workers} local workers"
    # Which course judges the class, said first: grading against the wrong one is the costly mistake.
    console.print(f"Course {course.id!r} ({course.root})", markup=False, highlight=False)
    with Bar(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console,
             transient=False) as bar:
        task = bar.add_task("grading", total=None)

        def started(found: int, to_grade: int) -> None:
            bar.update(task, total=to_grade)
            console.print(f"{found} submission{'' if found == 1 else 's'}, {to_grade} to grade "
                          f"({found - to_grade} already graded), {where}")

        events = ClassRunEvents(started=started, student_done=lambda student: bar.advance(task))
        try:
            run = grade_class(course, Path(args.submissions), options, events)
        except ClassRunError as err:
            raise UsageError(str(err)) from None
    for student in run.unmatched:
        print(one_line(reports.unmatched_warning(course, student, run.results[student], ctx.lang)), file=sys.stderr)
    if args.summary and run.stats is not None:  # the whole class report, in place of the short table
        from dlquest.class_summary import print_summary

        print_summary(Console(), course, run.stats, ctx.lang)
    else:
        table = Table("exercise", "pass rate", "mean score", "most common failing test")
        for exercise, rate, mean, points, failing in reports.summary(course, run.results, options.exercises):
            table.add_row(exercise, f"{rate:.0%}", f"{mean:.1f} / {points:g}", failing)
        Console().print(table)
    print(t("class.reports_in", ctx.lang, out=options.out))
    if run.interrupted:
        print("Interrupted: rerun the same command to grade the rest.", file=sys.stderr)
        return 130
    return 0


def cmd_report(ctx: Context) -> int:
    """`dlquest report OUT`: report.html written again from a finished run's result store, and its summary
    printed; nothing is graded. In --lang, else the run's own language."""
    from rich.console import Console

    from dlquest.class_summary import print_summary
    from dlquest.grader import class_report_html, results

    out = Path(ctx.args.out)
    if not results.holds_run(out):
        raise UsageError(t("class.no_run", ctx.lang, out=out))
    course = _course_of_run(ctx, out)
    run = results.ResultStore(out).last_run()
    lang = ctx.args.lang or (run.lang if run is not None else ctx.lang)
    stats = class_report_html.rebuild(out, course, lang)
    print_summary(Console(), course, stats, lang)
    print(t("class.written", lang, path=out / class_report_html.REPORT))
    return 0


def _course_of_run(ctx: Context, out: Path) -> Course:
    """The course whose grades `out` holds: the one in use when it is that course, else (without --course) the
    one the run recorded in course.json."""
    from dlquest.grader import results

    held = results.held_course(out)
    if held is None or held.get("id") == ctx.course.id:
        return ctx.course
    if ctx.args.course is None and held.get("root"):
        try:
            recorded = load_course(held["root"])
        except (ManifestError, OSError):
            recorded = None
        if recorded is not None and recorded.id == held.get("id"):
            return recorded
    raise UsageError(t("class.other_course", ctx.lang, out=out, held=held.get("id"), course=ctx.course.id))


def cmd_submit(ctx: Context) -> int:
    from dlquest.grader.submissions import pack_workspace

    archive = Path(ctx.args.output or f"{ctx.workspace.root.name}.tar.gz").resolve()
    packed = pack_workspace(ctx.workspace.root, ctx.course, archive)
    print(f"Packed {counted(len(packed), 'exercise_file', ctx.lang)} into {archive}")
    return 0


def _exercise_list(ctx: Context) -> list[str]:
    names = ctx.args.exercises
    return [ctx.exercise(name).id for name in names.split(",")] if names else list(ctx.course.exercises)


def cmd_gradescope_build(ctx: Context) -> int:
    from dlquest.grader import gradescope

    archive = Path(ctx.args.output).resolve()
    exercises = _exercise_list(ctx)
    gradescope.build(ctx.course, exercises, archive, ctx.lang)  # its feedback in --lang, or the instructor's
    print(f"Wrote {archive} for {counted(len(exercises), 'exercise', 'en')}: upload it as the assignment's autograder "
          f"(Gradescope: Configure Autograder → Zip file upload).")
    return 0


def cmd_gradescope_run(ctx: Context) -> int:
    from dlquest.grader import gradescope

    report = gradescope.run(ctx.course, _exercise_list(ctx), Path(ctx.args.submission), Path(ctx.args.results),
                            ctx.lang)
    print(f"score {report['score']:g} / {report['max_score']:g}")
    return 0


def cmd_completion(ctx: Context) -> int:
    """`dlquest completion bash|zsh|fish` prints the script; `--ids KIND` lists ids for it, at Tab."""
    from dlquest import completion

    if ctx.args.ids:
        items = {"exercises": ctx.course.exercises, "lessons": ctx.course.lessons, "guides": ctx.course.guides}
        print("\n".join(items[ctx.args.ids]))
        return 0
    if ctx.args.shell is None:
        raise UsageError("error: name a shell: dlquest completion bash (or zsh, fish)")
    print(completion.script(ctx.args.shell, build_parser()), end="")
    return 0


# --- argument parsing -----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--course", metavar="DIR", default=argparse.SUPPRESS,
                        help="use the course in DIR instead of the bundled one")
    common.add_argument("--workspace", metavar="DIR", default=argparse.SUPPRESS,
                        help="the workspace to use (default: the one holding the current folder)")
    common.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS,
                        help="language for lessons and feedback (default: saved setting, then the locale)")

    parser = argparse.ArgumentParser(prog="dlquest", parents=[common],
                                     description="Learn deep learning with PyTorch in the terminal.")
    parser.add_argument("--version", action="version", version=f"dlquest {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    # The positional argument of every command that works on one exercise.
    EXERCISE = {"dest": "exercise", "metavar": "EXERCISE", "help": "the exercise's id (`dlquest list` shows them)"}

    def command(name, handler, help_text, need_workspace=True):
        sub = commands.add_parser(name, parents=[common], help=help_text, description=help_text)
        sub.set_defaults(handler=handler, need_workspace=need_workspace)
        return sub

    sub = command("init", None, "make a workspace (exercise files + .dlquest/) in DIR", need_workspace=False)
    sub.add_argument("dir", nargs="?", default=".", metavar="DIR", help="the folder to make (default: here)")
    sub = command("list", cmd_list, "show stages, units, lessons and exercises with your status")
    sub.add_argument("--json", action="store_true", help="print the roadmap as JSON (schema: see the README)")
    command("lesson", cmd_lesson, "print a lesson").add_argument("id", metavar="LESSON", help="the lesson's id")
    command("guide", cmd_guide, "list the guides (learning path, resources, FAQ, careers), or print one"
            ).add_argument("id", nargs="?", metavar="GUIDE", help="the guide's id (none: list them)")
    command("run", cmd_run, "run a lesson's example").add_argument("id", metavar="LESSON", help="the lesson's id")
    sub = command("export-notebook", cmd_export_notebook, "write a lesson as a Jupyter notebook (.ipynb)")
    sub.add_argument("id", metavar="LESSON", help="the lesson's id")
    sub.add_argument("--output", "-o", metavar="FILE", help="where to write it (default: LESSON.ipynb here)")
    sub.add_argument("--force", action="store_true", help="replace FILE when it exists")
    sub = command("check", cmd_check, "grade your file for an exercise")
    sub.add_argument(**EXERCISE)
    sub.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                     help="where to run the checks (auto: cpu, plus cuda when present)")
    sub.add_argument("--json", action="store_true", help="print the result record as JSON")
    sub.add_argument("--no-daemon", action="store_true",
                     help="grade in this process, not the warm grading daemon (also: DLQUEST_NO_DAEMON=1)")
    sub = command("daemon", cmd_daemon, "the warm grading daemon: status, start or stop it", need_workspace=False)
    sub.add_argument("action", choices=("status", "start", "stop"), metavar="ACTION",
                     help="status (is it running, its pid, socket), start, or stop")
    sub.add_argument("--idle", type=float, metavar="SECONDS",
                     help="start: exit after this long without a request (default DLQUEST_DAEMON_IDLE, else 600)")
    sub = command("watch", cmd_watch, "grade an exercise on every save of its file; after a pass, keys: n next, "
                  "h hint, l list, r regrade, q quit")
    sub.add_argument("exercise", nargs="?", metavar="EXERCISE", help="the exercise to start with (default: the "
                     "next one to pass)")
    sub.add_argument("--manual", action="store_true", help="grade again on Enter instead of on saves (for mounts "
                     "where file changes are not seen)")
    sub.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                     help="where to run the checks (auto: cpu, plus cuda when present)")
    sub.add_argument("--no-daemon", action="store_true",
                     help="grade in this process, not the warm grading daemon (also: DLQUEST_NO_DAEMON=1)")
    command("task", cmd_task, "print what an exercise asks, in your language").add_argument(**EXERCISE)
    command("hint", cmd_hint, "show the next hint for an exercise").add_argument(**EXERCISE)
    sub = command("solution", cmd_solution, "show the reference solution (after you pass, or with --yes)")
    sub.add_argument(**EXERCISE)
    sub.add_argument("--yes", action="store_true", help="show it even though you have not passed yet")
    command("reset", cmd_reset, "restore the stub, keeping your version as a backup").add_argument(**EXERCISE)
    sub = command("backups", cmd_backups, "list the backups of an exercise")
    sub.add_argument(**EXERCISE)
    sub.add_argument("--json", action="store_true", help='print {"exercise", "backups": [{"id", "path"}]}')
    sub = command("restore", cmd_restore, "bring back a backup (the newest by default)")
    sub.add_argument(**EXERCISE)
    sub.add_argument("backup", nargs="?", metavar="BACKUP", help="a backup's id from `dlquest backups` "
                     "(default: the newest)")
    command("lang", cmd_lang, "show or save your language (en or zh)").add_argument(
        "language", nargs="?", choices=LANGUAGES, help="en or zh (none: show the saved one)")
    sub = command("quiz", cmd_quiz, "take a lesson's concept check: questions answered here, feedback after "
                  "each, never graded (answers read from stdin)")
    sub.add_argument("lesson", metavar="LESSON", help="the lesson (or the concept check's id)")
    sub.add_argument("--json", action="store_true", help="print the result as JSON (the questions go to stderr)")

    sub = command("grade", cmd_grade, "grade a folder of student submissions and write gradebook and reports",
                  need_workspace=False)
    sub.add_argument("submissions", metavar="SUBMISSIONS", help="folder with one workspace folder or archive "
                     "(.zip, .tar.gz) per student, named by student id")
    sub.add_argument("--exercises", metavar="A,B", help="grade only these exercises (default: all)")
    sub.add_argument("--out", metavar="DIR", default="grades", help="where results and reports go (default: grades)")
    sub.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="grading processes (default: cores)")
    sub.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    sub.add_argument("--seed", type=int, help="a secret seed, so that inputs differ from what learners saw")
    sub.add_argument("--timeout", type=float, help="seconds per call into student code (default: per exercise)")
    sub.add_argument("--force", action="store_true", help="regrade everyone, even unchanged submissions")
    sub.add_argument("--scheduler", metavar="ADDRESS", help="grade on a Dask cluster (tcp://HOST:PORT) instead of "
                     "local processes")
    sub.add_argument("--student", metavar="ID", help="(re)grade this student only")
    sub.add_argument("--summary", action="store_true", help="end with the class report's summary (histograms, "
                     "tests from the most failed, who could not be graded, the run) instead of the short table")
    sub = command("report", cmd_report, "write a finished run's class report (report.html) again and print its "
                  "summary, without grading", need_workspace=False)
    sub.add_argument("out", metavar="OUT", help="the output folder of a `dlquest grade` run (its --out)")
    sub = command("submit", cmd_submit, "pack your workspace into an archive for your instructor")
    sub.add_argument("--output", "-o", metavar="FILE", help="archive path (default: NAME.tar.gz in the folder "
                     "you run it from, NAME being the workspace folder's name)")

    sub = command("completion", cmd_completion, "print a shell completion script: eval \"$(dlquest completion bash)\" "
                  "(zsh: the same; fish: dlquest completion fish | source)", need_workspace=False)
    sub.add_argument("shell", nargs="?", choices=("bash", "zsh", "fish"), help="the shell to complete for")
    sub.add_argument("--ids", choices=("exercises", "lessons", "guides"), help=argparse.SUPPRESS)

    command("app", "app", "open the app (always, even when stdin or stdout is not a terminal)",
            need_workspace=False)
    sub = command("serve", "serve", "serve the app in a browser (one app per tab; the page has no login)")
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this "
                     "machine only)")
    sub.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    sub.add_argument("--public-url", metavar="URL", help="the address the browser uses, when a reverse proxy "
                     "stands in front (default: http://HOST:PORT)")

    gradescope = commands.add_parser("gradescope", help="run the same checks on Gradescope")
    gradescope_commands = gradescope.add_subparsers(dest="gradescope_command", metavar="COMMAND", required=True)
    sub = gradescope_commands.add_parser("build", parents=[common], help="write the autograder zip")
    sub.add_argument("--exercises", metavar="A,B", help="the assignment's exercises (default: all)")
    sub.add_argument("--output", "-o", metavar="FILE", default="autograder.zip")
    sub.set_defaults(handler=cmd_gradescope_build, need_workspace=False)
    sub = gradescope_commands.add_parser("run", parents=[common], help="(inside the autograder) grade one "
                                         "submission and write results.json")
    sub.add_argument("--submission", metavar="DIR", required=True)
    sub.add_argument("--results", metavar="FILE", required=True)
    sub.add_argument("--exercises", metavar="A,B")
    sub.set_defaults(handler=cmd_gradescope_run, need_workspace=False)

    course = commands.add_parser("course", help="tools for course authors")
    course_commands = course.add_subparsers(dest="course_command", metavar="COMMAND", required=True)
    sub = course_commands.add_parser("check", parents=[common], help="prove a course is sound: the manifest "
                                     "validates, every solution passes, every stub fails")
    sub.add_argument("--run-examples", action="store_true", help="also run every lesson's example")
    sub.add_argument("--json", action="store_true", help="print the verdict and every problem as JSON")
    sub.set_defaults(handler=cmd_course_check, need_workspace=False)
    return parser


# What opens the app for a bare `dlquest` in a terminal: (workspace, course, lang) -> exit status. The entry
# module (dlquest/entry.py) passes it in, so that this face never imports the other.
OpenApp = Callable[[Path | None, Path | None, str | None], int]
# What `dlquest serve` calls: (workspace root, course, lang, host, port, public_url) -> exit status; passed in
# by the entry module too (serving means textual-serve, which is the app's side).
ServeApp = Callable[[Path, Path | None, str, str, int, str | None], int]


def main(argv: list[str] | None = None, open_app: OpenApp | None = None,
         serve_app: ServeApp | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) in ("app", "serve"):
        return _open_face(_with_defaults(args), open_app, serve_app)
    if not hasattr(args, "handler"):  # bare `dlquest`: the app in a terminal, the outline otherwise
        if open_app is not None and sys.stdin.isatty() and sys.stdout.isatty():
            args = _with_defaults(args)
            return open_app(Path(args.workspace) if args.workspace else None,
                            Path(args.course) if args.course else None, args.lang)
        args.handler, args.need_workspace = cmd_outline, True
    try:
        if args.handler is None:
            return cmd_init(_with_defaults(args))
        ctx = Context(_with_defaults(args), need_workspace=args.need_workspace)
        return args.handler(ctx)
    except UsageError as err:
        print(err, file=sys.stderr)
        return USAGE_ERROR
    except ProgressUnavailable as err:  # a write that waited too long for another process, say
        print(_progress_unavailable(err, detect_language(getattr(args, "lang", None))), file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `dlquest list | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _open_face(args: argparse.Namespace, open_app: OpenApp | None, serve_app: ServeApp | None) -> int:
    """`dlquest app` and `dlquest serve`: the app here, or served to browsers (both given by the entry)."""
    course = Path(args.course) if args.course else None
    if args.handler == "app":
        if open_app is None:
            print(t("serve.needs_app", detect_language(args.lang), command="app"), file=sys.stderr)
            return USAGE_ERROR
        return open_app(Path(args.workspace) if args.workspace else None, course, args.lang)
    try:
        ctx = Context(args, need_workspace=True)
    except UsageError as err:
        print(err, file=sys.stderr)
        return USAGE_ERROR
    if serve_app is None:
        print(t("serve.needs_app", ctx.lang, command="serve"), file=sys.stderr)
        return USAGE_ERROR
    return serve_app(ctx.workspace.root, course, ctx.lang, args.host, args.port, args.public_url)


def _with_defaults(args: argparse.Namespace) -> argparse.Namespace:
    for name in ("course", "workspace", "lang"):
        if not hasattr(args, name):
            setattr(args, name, None)
    return args
