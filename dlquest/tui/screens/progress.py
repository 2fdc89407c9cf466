"""Progress: the estimated time left in each stage, attempts per exercise, pass dates and time spent as a table,
and attempts per day as a plot."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from dlquest.render import minutes_text
from dlquest.tui.screens.base import DlquestScreen
from dlquest.tui.widgets.plot import BarPlot

STATUS_STYLE = {"passed": "green", "failing": "red", "not_started": "dim"}


def duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes >= 60:
        return f"{minutes // 60}h {minutes % 60:02d}m"
    if minutes:
        return f"{minutes}m"
    return f"{int(seconds)}s"


class ProgressScreen(DlquestScreen):
    BINDINGS = [
        Binding("enter", "open", "key.open", priority=True),
        Binding("escape,q", "back", "key.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="progress-summary")
        yield Static(id="progress-stages")
        yield DataTable(id="progress-table", cursor_type="row", zebra_stripes=True)
        yield BarPlot(id="progress-plot")
        yield Static(id="progress-note")
        yield Footer()

    def on_mount(self) -> None:
        self.relabel()
        self.query_one(DataTable).focus()

    def relabel(self) -> None:
        session, lang = self.session, self.lang
        self.sub_title = self.ui("progress.title")
        history = session.history()
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key in ("exercise", "status", "attempts", "passed", "time", "hints"):
            table.add_column(self.ui(f"progress.col.{key}"), key=key)
        for row in history:
            passed = time.strftime("%Y-%m-%d", time.localtime(row.first_passed_at)) if row.first_passed_at else "–"
            table.add_row(
                row.exercise.title.get(lang),
                Text(self.ui(f"status.{row.status}"), style=STATUS_STYLE.get(row.status, "")),
                str(len(row.attempts)), passed, duration(row.time_spent) if row.attempts else "–",
                f"{row.hints_seen}/{len(row.exercise.hints)}", key=row.exercise.id)
        quizzes = session.quiz_history()
        for row in quizzes:  # concept checks: runs in the attempts column, the best score for the hints
            passed = time.strftime("%Y-%m-%d", time.localtime(row.first_passed_at)) if row.first_passed_at else "–"
            best = self.ui("progress.quiz_best", best=f"{row.best[0]}/{row.best[1]}") if row.best else "–"
            table.add_row(self.ui("progress.quiz_row", title=row.quiz.title.get(lang)),
                          Text(self.ui(f"status.{row.status}"), style=STATUS_STYLE.get(row.status, "")),
                          str(row.runs), passed, "–", best, key=row.quiz.id)
        passed = sum(1 for row in history if row.first_passed_at is not None)
        attempts = sum(len(row.attempts) for row in history)
        summary = self.ui("progress.summary", passed=passed, total=len(history), attempts=attempts,
                          time=duration(sum(row.time_spent for row in history)))
        if quizzes:
            summary += self.ui("progress.quiz_summary", total=len(quizzes),
                               passed=sum(1 for row in quizzes if row.first_passed_at is not None))
        self.query_one("#progress-summary", Static).update(Text(summary, style="bold"))
        views = session.roadmap()
        stages = Text()
        for stage in session.course.stages:
            if not stage.minutes:
                continue  # no estimates in this stage: nothing to say
            done, total = session.stage_progress(stage, views)
            stages.append(("\n" if stages else "") + self.ui(
                "progress.stage_left", stage=stage.title.get(lang), done=done, total=total,
                left=minutes_text(session.stage_minutes_left(stage, views), lang),
                all=minutes_text(stage.minutes, lang)), style="green" if done == total else "")
        stages_line = self.query_one("#progress-stages", Static)
        stages_line.update(stages)
        stages_line.display = bool(stages)
        days, series = session.attempts_per_day()
        self.query_one(BarPlot).plot([day[5:] for day in days], series, self.ui("progress.plot_title"),
                                     self.ui("progress.no_attempts"))
        self.query_one("#progress-note", Static).update(Text(self.ui("progress.time_note"), style="dim"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_item(event.row_key.value)

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self.app.open_item(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_back(self) -> None:
        self.dismiss()
