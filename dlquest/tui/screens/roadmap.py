"""The roadmap: four stages with their progress, their units, and every lesson and exercise with its status."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Static, Tree

from dlquest.tui.screens.base import DlquestScreen
from dlquest.tui.strings import ui
from dlquest.tui.widgets.item_detail import ItemDetail
from dlquest.tui.widgets.roadmap_tree import RoadmapTree


class RoadmapScreen(DlquestScreen):
    BINDINGS = [
        Binding("enter", "open", "key.open", priority=True),
        Binding("n", "app.next", "key.next"),
        Binding("p", "app.progress", "key.progress"),
        Binding("l", "app.toggle_language", "key.language"),
        Binding("t", "app.toggle_theme", "key.theme"),
        Binding("f1,question_mark", "app.welcome", "key.help"),
        Binding("q", "app.quit", "key.quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="roadmap-intro"):
            yield Static(id="course-title")
            yield Static(id="next-line")
        with Horizontal(id="roadmap-body"):
            yield RoadmapTree(id="roadmap")
            yield ItemDetail(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.relabel()
        self.query_one(RoadmapTree).focus()

    def on_screen_resume(self) -> None:
        self.relabel()  # back from a lesson or an exercise: statuses may have changed

    def relabel(self) -> None:
        session, lang = self.session, self.lang
        self.sub_title = ui("roadmap.title", lang)
        views = session.roadmap()
        progress = {stage.id: session.stage_progress(stage, views) for stage in session.course.stages}
        self.query_one("#course-title", Static).update(Text(session.course.title.get(lang), style="bold"))
        following = next((v.item for v in views.values() if v.is_next), None)
        self.query_one("#next-line", Static).update(
            Text(ui("roadmap.next_line", lang, title=following.title.get(lang)), style="dim") if following
            else Text(ui("roadmap.all_done", lang), style="bold green"))
        self._views = views
        self._progress = progress
        self.query_one(RoadmapTree).show(session.course, views, progress, lang)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        self._describe(event.node.data)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        self._open(event.node.data)

    def action_open(self) -> None:
        """Enter: open the item under the cursor, or fold and unfold a stage or unit."""
        tree = self.query_one(RoadmapTree)
        node = tree.cursor_node
        if node is None or not node.data:
            return
        if not self._open(node.data) and node.allow_expand:
            node.toggle()

    def _open(self, data: tuple[str, str] | None) -> bool:
        """Open the lesson, exercise or guide a node stands for; False for a stage, unit or heading."""
        kind = data[0] if data else None
        if kind == "item":
            self.app.open_item(data[1])
        elif kind == "guide":
            self.app.open_guide(data[1])
        return kind in ("item", "guide")

    def _describe(self, data: tuple[str, str] | None) -> None:
        detail = self.query_one(ItemDetail)
        session, lang = self.session, self.lang
        if not data:
            detail.clear()
            return
        kind, ident = data
        if kind == "guides":
            detail.clear()
        elif kind == "guide":
            detail.show_guide(session.course.guides[ident], lang)
        elif kind == "stage":
            stage = next(s for s in session.course.stages if s.id == ident)
            done, total = self._progress[stage.id]
            detail.show_stage(stage, done, total, session.stage_minutes_left(stage, self._views), lang)
        elif kind == "item":
            view = self._views[ident]
            item = view.item
            if item.kind == "quiz":
                results = session.quiz_results(item)
                best = max((r.correct for r in results), default=None)
                lesson = session.course.lessons.get(item.lesson)
                detail.show_quiz(view, len(results), best, lesson.title.get(lang) if lesson else None, lang)
            elif item.kind == "exercise":
                lesson = session.course.lessons.get(item.lesson) if item.lesson else None
                detail.show_item(view, len(session.progress.attempts(item.id)), session.hints_seen(item),
                                 lesson.title.get(lang) if lesson else None, lang)
            else:
                detail.show_item(view, 0, 0, None, lang)
        else:
            stage, unit = next((s, u) for s in session.course.stages for u in s.units if u.id == ident)
            detail.show_unit(unit, stage, lang)
