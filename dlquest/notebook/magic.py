"""`%%dlquest EXERCISE`: the cell's code becomes the exercise's file (the old one backed up when it differs, as
reset backs it up) and is checked out of the kernel; the cell itself never runs in the kernel."""

from __future__ import annotations

from typing import Any

from dlquest.workspace import atomic_write


def dlquest_cell(line: str, cell: str) -> object:
    from dlquest.notebook.grading import NotebookError, check_session, find, open_session

    words = line.split()
    show_hint = "--hint" in words
    names = [w for w in words if not w.startswith("--")]
    if len(names) != 1:
        return NotebookError("usage: %%dlquest EXERCISE [--hint]\n用法：%%dlquest 练习名 [--hint]")
    try:
        session = open_session()
        try:
            exercise = find(session, "exercise", names[0])
            target = session.learner_file(exercise)
            data = cell.encode("utf-8")
            if target.exists() and target.read_bytes() != data:
                session.workspace.backup(exercise)
            atomic_write(target, data)
            return check_session(session, exercise, show_hint)
        finally:
            session.close()
    except NotebookError as err:
        return err


def register(ipython: Any) -> None:
    ipython.register_magic_function(dlquest_cell, magic_kind="cell", magic_name="dlquest")
