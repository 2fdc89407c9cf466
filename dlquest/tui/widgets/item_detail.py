"""The panel beside the roadmap: what the highlighted stage or item is, and what opening it does."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from dlquest.course import Guide, Stage, Unit
from dlquest.render import minutes_text
from dlquest.session import ItemView
from dlquest.tui.strings import ui


class ItemDetail(Static):
    def show_stage(self, stage: Stage, done: int, total: int, minutes_left: int, lang: str) -> None:
        text = Text(stage.title.get(lang), style="bold")
        if stage.goal is not None:
            text.append("\n" + stage.goal.get(lang))
        if stage.minutes:
            text.append("\n" + ui("roadmap.stage_time", lang, total=minutes_text(stage.minutes, lang),
                                   left=minutes_text(minutes_left, lang)))
        text.append("\n" + (ui("roadmap.stage_count", lang, done=done, total=total) if total
                            else ui("roadmap.stage_empty", lang)), style="dim")
        self.update(text)

    def show_guide(self, guide: Guide, lang: str) -> None:
        text = Text(guide.title.get(lang), style="bold")
        text.append(f"\n{ui('kind.guide', lang)} · {guide.id}", style="dim")
        text.append("\n" + ui("roadmap.guide_about", lang))
        if guide.minutes:
            text.append("\n" + ui("roadmap.item_time", lang, time=minutes_text(guide.minutes, lang)))
        text.append("\n" + ui("roadmap.open_hint", lang), style="dim")
        self.update(text)

    def show_unit(self, unit: Unit, stage: Stage, lang: str) -> None:
        text = Text(unit.title.get(lang), style="bold")
        text.append(f"\n{stage.title.get(lang)}", style="dim")
        if not unit.items:
            text.append("\n" + ui("roadmap.empty_unit", lang), style="dim italic")
        self.update(text)

    def show_item(self, view: ItemView, attempts: int, hints_seen: int, lesson_title: str | None,
                  lang: str) -> None:
        item = view.item
        text = Text(item.title.get(lang), style="bold")
        text.append(f"\n{ui('kind.' + item.kind, lang)} · {item.id}", style="dim")
        status = ui(f"status.{view.status}", lang)
        text.append("\n" + ui("roadmap.status", lang, status=status))
        if item.minutes:
            text.append("\n" + ui("roadmap.item_time", lang, time=minutes_text(item.minutes, lang)))
        if item.kind == "exercise":
            if view.ever_passed and view.status != "passed":
                text.append(" " + ui("roadmap.passed_before", lang))
            text.append("\n" + ui("roadmap.attempts", lang, count=attempts) + " · "
                        + ui("roadmap.points", lang, points=item.points) + " · "
                        + ui("roadmap.hints", lang, seen=hints_seen, total=len(item.hints)))
            if lesson_title:
                text.append("\n" + ui("roadmap.for_lesson", lang, title=lesson_title), style="dim")
            if view.locked_by and view.status != "passed":
                text.append("\n" + ui("roadmap.locked", lang, names=", ".join(view.locked_by)), style="yellow")
                text.append("\n" + ui("roadmap.open_locked", lang), style="dim")
                self.update(text)
                return
        elif item.example is not None:
            text.append("\n" + ui("roadmap.has_example", lang), style="dim")
        text.append("\n" + ui("roadmap.open_hint", lang), style="dim")
        self.update(text)

    def show_quiz(self, view: ItemView, runs: int, best: int | None, lesson_title: str | None, lang: str) -> None:
        """A concept check: its status, how often it was taken and the best score (it is never locked)."""
        text = Text(view.item.title.get(lang), style="bold")
        text.append(f"\n{ui('kind.quiz', lang)} · {view.item.id}", style="dim")
        text.append("\n" + ui("roadmap.status", lang, status=ui(f"status.{view.status}", lang)))
        if view.ever_passed and view.status != "passed":
            text.append(" " + ui("roadmap.passed_before", lang))
        if view.item.minutes:
            text.append("\n" + ui("roadmap.item_time", lang, time=minutes_text(view.item.minutes, lang)))
        text.append("\n" + ui("roadmap.quiz_runs", lang, count=runs))
        if best is not None:
            text.append(" · " + ui("roadmap.quiz_best", lang, best=best))
        if lesson_title:
            text.append("\n" + ui("roadmap.for_lesson", lang, title=lesson_title), style="dim")
        text.append("\n" + ui("roadmap.quiz_about", lang), style="dim")
        self.update(text)

    def clear(self) -> None:
        self.update("")
