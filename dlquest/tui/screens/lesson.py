"""A lesson: its page as Markdown with a table of contents, and its example run into a pane below."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, MarkdownViewer, Static

from dlquest.course import Guide, Lesson
from dlquest.grader.records import PASSED
from dlquest.tui.messages import ExampleFinished
from dlquest.tui.screens.base import DlquestScreen, text_markdown_parser
from dlquest.tui.widgets.example_output import ExampleOutput

WIDE = 110  # below this width the table of contents starts hidden


class LessonScreen(DlquestScreen):
    BINDINGS = [
        Binding("r", "run", "key.run"),
        Binding("s", "stop", "key.stop"),
        Binding("e", "exercise", "key.exercise"),
        Binding("k", "quiz", "key.quiz"),
        Binding("c", "contents", "key.contents"),
        Binding("escape", "back", "key.back"),
    ]

    def __init__(self, lesson: Lesson | Guide) -> None:
        super().__init__()
        self.lesson = lesson

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="lesson-problem")
        yield MarkdownViewer("", id="page", show_table_of_contents=self.app.size.width >= WIDE,
                             parser_factory=text_markdown_parser)
        yield ExampleOutput(id="output")
        yield Footer()

    def on_mount(self) -> None:
        self.session.mark_read(self.lesson)
        self.relabel()

    def relabel(self) -> None:
        # A worker: it ends with the screen, should the learner leave before the page is rendered.
        self.run_worker(self._load_page(), exclusive=True, group="page", exit_on_error=False)

    async def _load_page(self) -> None:
        self.sub_title = self.lesson.title.get(self.lang)
        self.query_one(ExampleOutput).border_title = self.ui("lesson.output_title")
        problem = self.query_one("#lesson-problem", Static)
        try:
            text = self.session.lesson_page(self.lesson)
        except OSError as err:
            problem.update(Text(self.ui("lesson.page_missing", error=err), style="bold red"))
            problem.display = True
            text = ""
        else:
            problem.display = False
            quiz = self.session.quiz_for(self.lesson)
            if quiz is not None:  # offered at the end of its lesson
                text = text.rstrip() + "\n\n---\n\n" + self.ui("lesson.quiz_offer", title=quiz.title.get(self.lang))
        document = self.query_one(MarkdownViewer).document
        await document.update(text)
        document.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        output = self.query_one(ExampleOutput)
        if action == "stop":
            return output.running
        if action == "run":
            return self.lesson.example is not None and not output.running
        if action == "exercise":
            return self.lesson.kind == "lesson"  # a guide has no exercises
        if action == "quiz":
            return self.session.quiz_for(self.lesson) is not None
        return True

    def action_run(self) -> None:
        output = self.query_one(ExampleOutput)
        script = self.session.example_script(self.lesson)
        if script is None:
            self.notify(self.ui("lesson.no_example"))
            return
        if output.running:
            self.notify(self.ui("lesson.already_running"))
            return
        output.display = True
        output.start(script, self.session.workspace.root, self.lang,
                     self.ui("lesson.running", script=script.name))
        self.refresh_bindings()

    def action_stop(self) -> None:
        self.query_one(ExampleOutput).stop()

    def on_example_finished(self, message: ExampleFinished) -> None:
        output = self.query_one(ExampleOutput)
        if message.error:
            output.set_status(self.ui("lesson.cannot_start", error=message.error), "bold red")
        elif message.returncode is None:
            output.set_status(self.ui("lesson.stopped"), "yellow")
        elif message.returncode == 0:
            output.set_status(self.ui("lesson.exited_ok"), "green")
        else:
            output.set_status(self.ui("lesson.exited_bad", code=message.returncode), "bold red")
        self.refresh_bindings()

    def action_exercise(self) -> None:
        exercises = self.session.exercises_of(self.lesson)
        if not exercises:
            self.notify(self.ui("lesson.no_exercise"))
            return
        statuses = self.session.progress.statuses()
        chosen = next((ex for ex in exercises if statuses.get(ex.id) != PASSED), exercises[0])
        self.app.open_item(chosen.id)

    def action_quiz(self) -> None:
        quiz = self.session.quiz_for(self.lesson)
        if quiz is not None:
            self.app.open_item(quiz.id)

    def action_contents(self) -> None:
        viewer = self.query_one(MarkdownViewer)
        viewer.show_table_of_contents = not viewer.show_table_of_contents

    def action_back(self) -> None:
        self.query_one(ExampleOutput).stop()
        self.dismiss()
