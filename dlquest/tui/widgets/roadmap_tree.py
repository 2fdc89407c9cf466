"""The roadmap as a tree: stages (with a progress bar each), their units, and every lesson and exercise."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from dlquest.course import Course, Stage
from dlquest.render import minutes_text
from dlquest.session import READ, ItemView
from dlquest.tui.strings import ui

BAR_WIDTH = 10
EXERCISE_MARKS = {"passed": ("✔", "green"), "failing": ("✘", "red"), "not_started": ("○", "")}
LESSON_MARKS = {READ: ("◆", "cyan"), "unread": ("◇", "cyan")}


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> Text:
    filled = round(width * done / total) if total else 0
    bar = Text("━" * filled, style="green")
    bar.append("━" * (width - filled), style="grey50")
    return bar


def stage_label(stage: Stage, done: int, total: int, lang: str) -> Text:
    label = Text(stage.title.get(lang), style="bold")
    label.append("  ")
    label.append_text(progress_bar(done, total))
    label.append("  " + (ui("roadmap.stage_count", lang, done=done, total=total) if total
                        else ui("roadmap.stage_empty", lang)), style="dim")
    if stage.minutes:
        label.append("  ≈ " + minutes_text(stage.minutes, lang), style="dim")
    return label


def item_label(view: ItemView, lang: str) -> Text:
    item = view.item
    if item.kind == "lesson":
        mark, colour = LESSON_MARKS[READ if view.done else view.status]
    elif view.locked_by and view.status != "passed":
        mark, colour = "◌", "dim"
    else:
        mark, colour = EXERCISE_MARKS.get(view.status, ("○", ""))
    label = Text(mark, style=colour)
    label.append(" ")
    label.append(item.title.get(lang), style="bold" if view.is_next else ("dim" if view.locked_by else ""))
    if item.minutes:
        label.append("  " + minutes_text(item.minutes, lang, hours=False), style="dim")
    if view.locked_by and view.status != "passed":
        label.append("  " + ui("roadmap.locked", lang, names=", ".join(view.locked_by)), style="dim italic")
    if view.is_next:
        label.append("  ◀ " + ui("roadmap.next", lang), style="bold reverse")
    return label


class RoadmapTree(Tree[tuple[str, str]]):
    """Node data: ("stage", id), ("unit", id), ("item", id), ("guides", "") or ("guide", id).
    Enter on an item or a guide posts Tree.NodeSelected."""

    def __init__(self, **kwargs) -> None:
        super().__init__("roadmap", **kwargs)
        self.show_root = False
        self.guide_depth = 3

    def show(self, course: Course, views: dict[str, ItemView], progress: dict[str, tuple[int, int]],
             lang: str) -> None:
        """Rebuild the tree, keeping the cursor on the same node (or on the next item the first time)."""
        current = self.cursor_node.data if self.cursor_node is not None else None
        self.clear()
        target: TreeNode | None = None
        for stage in course.stages:
            done, total = progress[stage.id]
            stage_node = self.root.add(stage_label(stage, done, total, lang), data=("stage", stage.id), expand=True)
            target = stage_node if current == ("stage", stage.id) else target
            for unit in stage.units:
                unit_node = stage_node.add(Text(unit.title.get(lang)), data=("unit", unit.id), expand=True)
                target = unit_node if current == ("unit", unit.id) else target
                if not unit.items:
                    unit_node.add_leaf(Text(ui("roadmap.empty_unit", lang), style="dim italic"),
                                       data=("unit", unit.id))
                for item in unit.items:
                    view = views[item.id]
                    leaf = unit_node.add_leaf(item_label(view, lang), data=("item", item.id))
                    if current == ("item", item.id) or (current is None and view.is_next):
                        target = leaf
        if course.guides:
            guides = self.root.add(Text(ui("roadmap.guides", lang), style="bold"), data=("guides", ""),
                                   expand=False)
            for guide in course.guides.values():
                label = Text("🧭 " + guide.title.get(lang))
                if guide.minutes:
                    label.append("  " + minutes_text(guide.minutes, lang, hours=False), style="dim")
                leaf = guides.add_leaf(label, data=("guide", guide.id))
                if current == ("guide", guide.id):
                    guides.expand()
                    target = leaf
        if target is not None:
            self.call_after_refresh(self._move_to, target)

    def _move_to(self, node: TreeNode) -> None:
        line = self.cursor_line
        self.move_cursor(node)
        self.scroll_to_node(node, animate=False)
        if self.cursor_line == line:
            # The rebuilt tree has the cursor on the same line, so Tree posts no NodeHighlighted; say it here,
            # so that what describes the node (the roadmap's detail pane) follows new labels and languages.
            self.post_message(Tree.NodeHighlighted(node))
