"""The dlquest app: finds the workspace, opens the session and wires the screens together.

`run_app` is what the `dlquest` command calls. The first screen appears before torch is imported anywhere:
the grading worker (a separate process that imports torch) starts in a background thread after the mount.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from dlquest.course import ManifestError
from dlquest.grader.worker import GradingClient
from dlquest.i18n import LANGUAGES, detect_language
from dlquest.progress import ProgressTooNew
from dlquest.session import DARK_THEME, LIGHT_THEME, LearnerSession
from dlquest.tui.commands import CourseItems, Preferences
from dlquest.tui.messages import GradingFinished, GradingStopped
from dlquest.tui.screens.base import localize_bindings
from dlquest.tui.strings import ui
from dlquest.tui.trace import trace
from dlquest.workspace import NoWorkspace, Workspace


class DlquestApp(App[int]):
    CSS_PATH = "dlquest.tcss"
    TITLE = "dlquest"
    COMMANDS = App.COMMANDS | {CourseItems, Preferences}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [Binding("f1", "welcome", "key.help", show=False)]

    lang: reactive[str] = reactive("en", init=False)

    def __init__(self, workspace: Path | None = None, course_dir: Path | None = None, lang: str | None = None,
                 *, start: Path | None = None, grading_client=None) -> None:
        """`workspace`: a folder in (or under) the workspace, else `start` (the current folder) is searched
        upwards. `grading_client`: anything with GradingClient's start/grade/cancel/close (tests pass fakes)."""
        super().__init__()
        self._workspace_arg = Path(workspace) if workspace else None
        self._course_dir = Path(course_dir) if course_dir else None
        self._lang_arg = lang if lang in LANGUAGES else None
        self._start = Path(start or Path.cwd())
        self.session: LearnerSession | None = None
        self.grading = grading_client if grading_client is not None else GradingClient()
        self.grader_ready = False
        self.set_reactive(DlquestApp.lang, detect_language(self._lang_arg))
        self._app_bindings = None

    # --- start-up ------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self._app_bindings = self._bindings.copy()
        localize_bindings(self, self.lang, self._app_bindings)
        try:
            workspace = Workspace.find(self._workspace_arg or self._start)
        except NoWorkspace as err:
            from dlquest.tui.screens.setup import SetupScreen

            self.push_screen(SetupScreen(err.where, self._suggest_workspace()))
            return
        self.start_session(workspace)

    def _suggest_workspace(self) -> Path:
        if self._workspace_arg is not None:
            return self._workspace_arg.resolve()
        start = self._start.resolve()
        try:
            empty = not any(start.iterdir())
        except OSError:
            empty = False
        return start if empty else start / "dlquest-workspace"

    def create_workspace(self, root: Path) -> str | None:
        """Make a workspace in `root` and open it; the error text when that fails."""
        from dlquest.course import load_course
        from dlquest.progress import Progress

        try:
            course = load_course(self._course_dir)
            workspace, _, _ = Workspace.create(root.resolve(), course,
                                               self._course_dir.resolve() if self._course_dir else None)
            Progress.open(workspace.progress_path).close()
        except ManifestError as err:
            return "; ".join(err.problems)
        except (OSError, ProgressTooNew) as err:
            return str(err)
        self.pop_screen()
        self.notify(ui("setup.created", self.lang, path=workspace.root))
        self.start_session(workspace)
        return None

    def start_session(self, workspace: Workspace) -> None:
        try:
            self.session = LearnerSession.open(workspace, self._course_dir, self._lang_arg)
        except ManifestError as err:
            self._problem(ui("problem.manifest", self.lang, file=err.manifest), err.problems)
            return
        except (ProgressTooNew, OSError) as err:
            self._problem(str(err), [])
            return
        self.set_reactive(DlquestApp.lang, self.session.lang)
        localize_bindings(self, self.lang, self._app_bindings)
        if self.session.theme in self.available_themes:
            self.theme = self.session.theme
        if self.session.synced and self.session.progress.attempts():  # new exercises in a course under way
            self.notify(ui("app.synced", self.lang, names=", ".join(self.session.synced)), timeout=10)
        if self.session.progress.recovered:
            reason, moved = self.session.progress.recovered
            self.notify(ui("app.corrupt_progress", self.lang, reason=reason, moved=moved), severity="warning",
                        timeout=15)
        from dlquest.tui.screens.roadmap import RoadmapScreen

        self.push_screen(RoadmapScreen())
        trace("roadmap", web=self.is_web)
        if not self.session.welcomed:
            self.action_welcome()
        self.warm_up()

    def _problem(self, headline: str, details: list[str]) -> None:
        from dlquest.tui.screens.problem import ProblemScreen

        self.push_screen(ProblemScreen(headline, details))

    # --- the grader ----------------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Start the grading worker (it imports torch: seconds) in the background, after the first screen."""
        self.run_worker(self._start_grader, thread=True, exit_on_error=False, group="grader", exclusive=True)

    def _start_grader(self) -> None:
        try:
            self.grading.start()
        except Exception as err:  # noqa: BLE001 - a grader that cannot start is reported, not raised
            self.grader_ready = False
            try:
                self.call_from_thread(self.notify, ui("app.grader_unavailable", self.lang, reason=err),
                                      severity="warning")
            except RuntimeError:  # the app is closing
                pass
        else:
            self.grader_ready = True

    def cancel_grading(self) -> None:
        self.grading.cancel()
        self.grader_ready = False
        self.warm_up()  # a cancel kills the worker: start the next one now, not at the next save

    def on_grading_finished(self, message: GradingFinished) -> None:
        try:
            self.session.record_attempt(message.record)
        except (sqlite3.Error, OSError) as err:  # a locked, read-only or broken store: the verdict still shows
            self.notify(ui("app.progress_failed", self.lang, error=err), severity="error", timeout=10)
        self.grader_ready = True
        trace("graded", exercise=message.exercise, passed=message.record.passed)
        for screen in self.screen_stack:
            if getattr(screen, "exercise", None) is not None and screen.exercise.id == message.exercise:
                screen.grading_finished(message)

    def on_grading_stopped(self, message: GradingStopped) -> None:
        for screen in self.screen_stack:
            if getattr(screen, "exercise", None) is not None and screen.exercise.id == message.exercise:
                screen.grading_stopped(message)

    def on_unmount(self) -> None:
        self.grading.close()
        if self.session is not None:
            self.session.close()

    # --- moving between screens ----------------------------------------------------------------------
    def back_to_roadmap(self) -> None:
        from dlquest.tui.screens.roadmap import RoadmapScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, RoadmapScreen):
            self.pop_screen()

    def open_item(self, item_id: str) -> None:
        """Open a lesson or an exercise; a locked exercise only after the learner confirms."""
        if self.session is None:
            return
        views = self.session.roadmap()
        view = views.get(item_id)
        if view is None:
            return
        if view.item.kind == "exercise" and view.locked_by:  # the core unlocks an exercise once passed
            from dlquest.tui.screens.dialogs import ConfirmScreen

            question = ui("exercise.locked_confirm", self.lang, exercise=item_id, names=", ".join(view.locked_by))
            self.push_screen(ConfirmScreen(question), lambda yes: self._show_item(item_id) if yes else None)
            return
        self._show_item(item_id)

    def open_guide(self, guide_id: str) -> None:
        """Open a guide page (the learning path, resources, FAQ, careers) in the lesson reader."""
        if self.session is None or guide_id not in self.session.course.guides:
            return
        from dlquest.tui.screens.lesson import LessonScreen

        self.back_to_roadmap()
        self.push_screen(LessonScreen(self.session.course.guides[guide_id]))

    def _show_item(self, item_id: str) -> None:
        item = self.session.item(item_id)
        self.back_to_roadmap()
        trace("screen", kind=item.kind, id=item_id)
        if item.kind == "lesson":
            from dlquest.tui.screens.lesson import LessonScreen

            self.push_screen(LessonScreen(item))
        elif item.kind == "quiz":
            from dlquest.tui.screens.quiz import QuizScreen

            self.push_screen(QuizScreen(item))
        else:
            from dlquest.tui.screens.exercise import ExerciseScreen

            self.push_screen(ExerciseScreen(item))

    def action_next(self) -> None:
        following = self.session.next_item() if self.session else None
        if following is not None:
            self.open_item(following.id)
        else:
            self.notify(ui("roadmap.all_done", self.lang))

    def action_progress(self) -> None:
        if self.session is None:
            return
        from dlquest.tui.screens.progress import ProgressScreen

        self.back_to_roadmap()
        self.push_screen(ProgressScreen())

    def action_welcome(self) -> None:
        from dlquest.tui.screens.welcome import WelcomeScreen

        if not isinstance(self.screen, WelcomeScreen):
            self.push_screen(WelcomeScreen())

    # --- the command palette, in the learner's language -----------------------------------------------
    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=ui("cmd.placeholder", self.lang), id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        lang = self.lang
        yield SystemCommand(ui("sys.theme", lang), ui("sys.theme_help", lang), self.action_change_theme)
        if screen.query("HelpPanel"):
            yield SystemCommand(ui("sys.keys", lang), ui("sys.keys_hide", lang), self.action_hide_help_panel)
        else:
            yield SystemCommand(ui("sys.keys", lang), ui("sys.keys_help", lang), self.action_show_help_panel)
        yield SystemCommand(ui("sys.quit", lang), ui("sys.quit_help", lang), self.action_quit)

    # --- language and theme --------------------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        if lang in LANGUAGES:
            self.lang = lang

    def watch_lang(self, lang: str) -> None:
        if self.session is not None:
            self.session.set_lang(lang)
        localize_bindings(self, lang, self._app_bindings)
        self.notify(ui("app.lang_set", lang), timeout=2)

    def action_toggle_language(self) -> None:
        self.set_language("en" if self.lang == "zh" else "zh")

    def set_dark(self, dark: bool) -> None:
        self.theme = DARK_THEME if dark else LIGHT_THEME

    def action_toggle_theme(self) -> None:
        self.set_dark(not self.current_theme.dark)

    def watch_theme(self, theme: str) -> None:
        if self.session is not None:
            self.session.set_theme(theme)


def run_app(workspace: Path | None = None, course_dir: Path | None = None, lang: str | None = None) -> int:
    """Run the app in this terminal until the learner quits; the exit status for the command."""
    app = DlquestApp(workspace, course_dir, lang)
    try:
        result = app.run()
    finally:
        app.grading.close()
    if app.return_code:
        return app.return_code
    return result if isinstance(result, int) else 0
