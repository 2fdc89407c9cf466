"""A lesson as a Jupyter notebook (nbformat 4 JSON written directly: nbformat itself is only a test extra):
its page as Markdown cells split at headings, its example script as code cells split at `# %%` markers or,
without them, at blank-line-separated top-level blocks."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dlquest.course import Lesson
from dlquest.session import LearnerSession

_HEADING = re.compile(r"^#{1,6} ")
_FENCE = re.compile(r"^\s*(```|~~~)")


def markdown_cells(page: str) -> list[str]:
    """The page split before each heading (never inside a fenced code block)."""
    cells: list[list[str]] = [[]]
    in_fence = False
    for line in page.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and _HEADING.match(line) and any(s.strip() for s in cells[-1]):
            cells.append([])
        cells[-1].append(line)
    return [text for text in ("\n".join(c).strip("\n") for c in cells) if text.strip()]


def code_cells(script: str) -> list[str]:
    """`# %%` cells when the script marks them; else top-level blocks separated by blank lines, where an
    indented or closing line after a blank stays with the block above (a function body, a bracket)."""
    parts: list[str]
    if re.search(r"^# %%", script, re.MULTILINE):
        parts = re.split(r"^# %%.*$", script, flags=re.MULTILINE)
    else:
        parts = []
        current: list[str] = []
        lines = script.splitlines()
        for i, line in enumerate(lines):
            blank_before = i > 0 and not lines[i - 1].strip()
            top_level = line[:1] not in ("", " ", "\t", ")", "]", "}")
            if blank_before and top_level and any(s.strip() for s in current):
                parts.append("\n".join(current))
                current = []
            current.append(line)
        parts.append("\n".join(current))
    return [text for text in (p.strip("\n") for p in parts) if text.strip()]


def _cell(kind: str, text: str) -> dict:
    source = text.splitlines(keepends=True)
    cell: dict = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def lesson_notebook(session: LearnerSession, lesson: Lesson) -> dict:
    """The notebook for `lesson` in the session's language. Raises OSError when a file cannot be read."""
    cells = [_cell("markdown", text) for text in markdown_cells(session.lesson_page(lesson))]
    script = session.example_script(lesson)
    if script is not None:
        cells += [_cell("code", text) for text in code_cells(script.read_text(encoding="utf-8"))]
    return {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}, "dlquest": {"lesson": lesson.id,
                                                                          "lang": session.lang}}}


def write_notebook(notebook: dict, path: Path) -> None:
    from dlquest.workspace import atomic_write

    for number, cell in enumerate(notebook["cells"]):  # nbformat 4.5 gives every cell an id
        cell.setdefault("id", f"cell-{number}")
    atomic_write(path, (json.dumps(notebook, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
