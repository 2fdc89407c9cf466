"""`dlquest watch`: grade an exercise on every save of its file, show the verdict as `dlquest check` does, and
after it answer single keys (n next, h hint, l list, r regrade, q quit). The save detector comes first, then
the loop: gradings run in one background thread so that the keys and Ctrl-C keep working while one runs.

Why polling: editors save by rename, by atomic replace (write a temp file, then os.replace) or by several writes
in a burst; file-event APIs report each of those differently and miss changes on some network and WSL mounts.
Polling the file's (inode, mtime_ns, size) and a hash of its content every ~100 ms needs no dependency, sees all
three kinds of save, and reports each ONCE: when the file has been stable for `settle` seconds and its content
differs from the content last reported.
"""

from __future__ import annotations

import hashlib
import os
import queue
import select
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from dlquest.course import Exercise
from dlquest.grader.records import GradeRecord
from dlquest.i18n import t
from dlquest.safe_text import exception_text, one_line
from dlquest.session import LearnerSession
from dlquest.spinner import ERASE, frames_for

POLL_INTERVAL = 0.1  # seconds between two looks at the file
SETTLE = 0.2  # seconds a change must stay unchanged before it counts as one save


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """(inode, mtime_ns, size), or None while the file is missing (between an unlink and a rename, say)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class SaveDetector:
    """Tells when a file was saved with new content, once per save however the editor wrote it.

    Call `poll()` every POLL_INTERVAL; it returns True when a save is complete (stable for `settle` seconds and
    its content differs from the last one reported, or from the content at start). `clock` is injectable so that
    tests need not sleep."""

    def __init__(self, path: Path, settle: float = SETTLE, clock: Callable[[], float] = time.monotonic):
        self.path = path
        self.settle = settle
        self.clock = clock
        self._stamp = _stamp(path)
        self._changed_at: float | None = None
        self.graded_digest = _digest(path)  # the content the learner already has a verdict for (or started with)

    def mark_graded(self) -> None:
        """The current content has been graded (a manual regrade, say): do not report it as a save."""
        self.graded_digest = _digest(self.path)

    def poll(self) -> bool:
        now = self.clock()
        stamp = _stamp(self.path)
        if stamp != self._stamp:  # something happened: wait for it to settle before looking at the content
            self._stamp, self._changed_at = stamp, now
            return False
        if self._changed_at is None or now - self._changed_at < self.settle or stamp is None:
            return False
        self._changed_at = None
        digest = _digest(self.path)
        if digest is None or digest == self.graded_digest:  # rewritten with the same bytes: nothing to grade
            return False
        self.graded_digest = digest
        return True


# --- the loop ---------------------------------------------------------------------------------------------
# (exercise) -> its record, not yet recorded: what the grading thread runs. Injectable so that the loop's tests
# need not grade for real.
GradeFunction = Callable[[Exercise], GradeRecord]


def next_exercise(session: LearnerSession, after: str | None = None) -> Exercise | None:
    """The exercise to watch next: the first one, in course order from just after `after` (wrapping round),
    that is neither passed nor locked; None when every open exercise is passed. Lessons and concept checks
    are passed over: watch grades files."""
    views = session.roadmap()
    order = [view.item for view in views.values() if isinstance(view.item, Exercise)]
    ids = [exercise.id for exercise in order]
    if after in ids:
        start = ids.index(after) + 1
        order = order[start:] + order[:start - 1]  # the others, not `after` itself
    return next((exercise for exercise in order if not views[exercise.id].done and not views[exercise.id].locked_by),
                None)


def roadmap_lines(session: LearnerSession, current: Exercise) -> list[str]:
    """The compact list `l` prints: one line per stage with exercises, each exercise as a mark and its id."""
    lang = session.lang
    views = session.roadmap()
    lines = [t("watch.list_legend", lang)]
    for stage in session.course.stages:
        marks = []
        for unit in stage.units:
            for item in unit.items:
                if not isinstance(item, Exercise):
                    continue
                view = views[item.id]
                mark = "🔒" if view.locked_by else {"passed": "✔", "failing": "✘"}.get(view.status, "·")
                marks.append(("▶ " if item.id == current.id else "") + f"{mark} {item.id}")
        if marks:
            lines.append(f"  {stage.title.get(lang)}: " + "   ".join(marks))
    return lines


class GradingThread:
    """Gradings in one long-lived background thread, one at a time, so that the terminal keeps answering
    (`q`, Ctrl-C) while one runs. One thread for all of them on purpose: the sandbox's children die with the
    thread that forked them (PR_SET_PDEATHSIG), and a thread per grading would end kept children with it.
    A daemon thread: when the learner leaves mid-grading the process exits without waiting, and the grading's
    sandboxed children are killed with it."""

    def __init__(self, grade: GradeFunction):
        self._grade = grade
        self._requests: queue.SimpleQueue[Exercise] = queue.SimpleQueue()
        self._results: queue.SimpleQueue[tuple[Exercise, GradeRecord | BaseException]] = queue.SimpleQueue()
        self.wake_r, self._wake_w = os.pipe()  # a byte here when a result is ready: the loop's select wakes
        self.busy = False
        threading.Thread(target=self._run, name="dlquest-watch-grading", daemon=True).start()

    def start(self, exercise: Exercise) -> None:
        assert not self.busy, "one grading at a time"
        self.busy = True
        self._requests.put(exercise)

    def result(self) -> tuple[Exercise, GradeRecord | BaseException] | None:
        """The finished grading's (exercise, record or the error it raised), or None while it runs."""
        try:
            done = self._results.get_nowait()
        except queue.Empty:
            return None
        os.read(self.wake_r, 1)
        self.busy = False
        return done

    def _run(self) -> None:
        while True:
            exercise = self._requests.get()
            outcome: GradeRecord | BaseException
            try:
                outcome = self._grade(exercise)
            except BaseException as err:  # noqa: BLE001 - reported by the loop; the thread serves the next one
                outcome = err
            self._results.put((exercise, outcome))
            os.write(self._wake_w, b"!")


class Keys:
    """The learner's keys, one at a time without Enter (cbreak mode: no echo, Ctrl-C still interrupts), the
    terminal's settings put back on leaving whatever happens. Where stdin is no terminal, lines are read.

    Read from a duplicate of stdin's descriptor: a cold grading runs pytest in this process, whose capture
    points descriptors 0-2 at /dev/null and temporary files while it runs, and reading fd 0 then would look
    like the end of the input."""

    def __init__(self, stream: TextIO):
        self.fd = os.dup(stream.fileno())
        self.is_terminal = os.isatty(self.fd)
        self._saved: list | None = None

    def __enter__(self) -> Keys:
        if self.is_terminal:
            import termios
            import tty

            self._saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._saved is not None:
                import termios

                termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
        finally:
            os.close(self.fd)

    def read(self) -> str | None:
        """What was typed (keys, or a line), or None at the end of the input."""
        data = os.read(self.fd, 1024)
        if not data:
            return None
        text = data.decode("utf-8", "replace")
        return "" if text.startswith("\x1b") else text  # an arrow or function key: no command


class Spinner:
    """The spinner of `dlquest check`, drawn by the watch loop itself (one frame per turn of its select) on the
    line below the header, and erased before the verdict."""

    def __init__(self, out: TextIO, text: str):
        self.out, self.text, self.turns = out, text, 0
        self.frames = frames_for(out.encoding)

    def turn(self) -> None:
        self.out.write(f"\r{self.frames[self.turns % len(self.frames)]} {self.text}")
        self.out.flush()
        self.turns += 1

    def erase(self) -> None:
        if self.turns:
            self.out.write(ERASE)
            self.out.flush()
            self.turns = 0


class Watch:
    """`dlquest watch` on one session: grade the current exercise at start and on every save of its file,
    show the verdict as `check` does, and answer the keys. `show_verdict(exercise, record)` and
    `show_hint(exercise)` are the CLI's, so that the feedback is `check`'s and the hint `dlquest hint`'s."""

    def __init__(self, session: LearnerSession, exercise: Exercise, *,
                 show_verdict: Callable[[Exercise, GradeRecord], None], show_hint: Callable[[Exercise], None],
                 grade: GradeFunction, manual: bool = False, stdin: TextIO | None = None,
                 out: TextIO | None = None):
        self.session = session
        self.lang = session.lang
        self.show_verdict = show_verdict
        self.show_hint = show_hint
        self.manual = manual
        self.stdin = stdin or sys.stdin
        # A duplicate of stdout's descriptor, for what is said while a grading runs (Ctrl-C's goodbye): a cold
        # grading swaps sys.stdout for a buffer and points descriptor 1 at a temporary file while pytest runs.
        self.out = out or open(os.dup(sys.stdout.fileno()), "w", encoding=sys.stdout.encoding or "utf-8",
                               errors="replace", closefd=True)
        self.grading = GradingThread(grade)
        self.exercise = exercise
        self.detector = SaveDetector(session.learner_file(exercise))
        self.wanted = True  # a grading is due (at start, after a save, `r`, `n`)
        self.passed = False
        self.spinner: Spinner | None = None  # drawn while a grading runs, where the output is a terminal

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def run(self) -> int:
        """0 when the learner quits (q, end of input), 130 on Ctrl-C."""
        try:
            with Keys(self.stdin) as keys:
                self._introduce(keys)
                return self._loop(keys)
        except KeyboardInterrupt:
            self.say()
            self.say(t("watch.interrupted", self.lang))
            return 130

    def _introduce(self, keys: Keys) -> None:
        shown = self._shown_file()
        mode = "manual" if self.manual else "saves"
        self.say(t(f"watch.start_{mode}", self.lang, exercise=self.exercise.id, file=shown))
        if not keys.is_terminal:
            self.say(t(f"watch.no_keys_{mode}", self.lang))

    def _shown_file(self) -> Path:
        path = self.session.learner_file(self.exercise)
        try:
            return path.relative_to(self.session.workspace.root)
        except ValueError:
            return path

    def _loop(self, keys: Keys) -> int:
        if keys.is_terminal and getattr(self.out, "isatty", lambda: False)():
            self.spinner = Spinner(self.out, t("cli.grading", self.lang, exercise=self.exercise.id))
        while True:
            done = self.grading.result()
            if done is not None:
                if self.spinner is not None:
                    self.spinner.erase()
                self._show(*done, keys)
            if self.wanted and not self.grading.busy:
                self.wanted = False
                self.detector.mark_graded()  # this content is being graded: its save is not one more
                self.say(t("cli.check_header", self.lang, exercise=self.exercise.id, file=self._shown_file()))
                self.grading.start(self.exercise)
            if self.grading.busy and self.spinner is not None:
                self.spinner.turn()
            ready, _, _ = select.select([keys.fd, self.grading.wake_r], [], [], POLL_INTERVAL)
            if keys.fd in ready:
                typed = keys.read()
                if typed is None or not self._answer(typed, keys):
                    return 0
            if not self.manual and self.detector.poll():
                self.wanted = True

    def _show(self, exercise: Exercise, outcome: GradeRecord | BaseException, keys: Keys) -> None:
        if exercise.id != self.exercise.id:
            return  # a grading of the exercise left behind: its verdict is no longer the one on screen
        if isinstance(outcome, BaseException):
            self.say(t("watch.grading_failed", self.lang, error=one_line(exception_text(outcome))))
            self.passed = False
        else:
            self.session.record_attempt(outcome)
            self.show_verdict(exercise, outcome)
            sys.stdout.flush()
            self.passed = outcome.passed
        if keys.is_terminal:
            self._key_help()

    def _key_help(self) -> None:
        if self.passed:
            self.say(t("watch.keys_passed", self.lang))
        else:
            self.say(t("watch.keys_manual" if self.manual else "watch.keys_failing", self.lang,
                       file=self._shown_file()))

    def _answer(self, typed: str, keys: Keys) -> bool:
        """Act on what was typed; False to leave."""
        if not keys.is_terminal:  # lines: each one regrades in --manual, the rest is ignored
            if self.manual and "\n" in typed:
                self.wanted = True
            return True
        for key in typed:
            if key in "qQ\x04":  # q, or Ctrl-D (no end-of-file in cbreak mode)
                return False
            if key in "\r\n" and self.manual or key in "rR":
                self.wanted = True
            elif self.grading.busy:
                continue  # n, h and l wait for the verdict: what they print would interleave with it
            elif key in "nN":
                self._next()
            elif key in "hH":
                self.show_hint(self.exercise)
                sys.stdout.flush()
            elif key in "lL":
                for line in roadmap_lines(self.session, self.exercise):
                    self.say(line)
        return True

    def _next(self) -> None:
        following = next_exercise(self.session, after=self.exercise.id)
        if following is None:
            self.say(t("watch.all_done", self.lang))
            return
        self.exercise, self.passed, self.wanted = following, False, True
        self.detector = SaveDetector(self.session.learner_file(following))
        self.say()
        self.say(t("watch.start_manual" if self.manual else "watch.start_saves", self.lang,
                   exercise=following.id, file=self._shown_file()))
