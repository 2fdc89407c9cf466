"""dlquest in a Jupyter or VS Code notebook: `from dlquest import notebook`, then `notebook.check("conv2d")`.

The kernel never grades and never imports torch for dlquest's sake: a check goes to the grading daemon when
one answers, else to a warm worker process (one per kernel), and the kernel only records and renders the
answer. `%%dlquest EXERCISE` (magic.py) writes the cell into the exercise's file and checks it.
"""

from __future__ import annotations

from typing import Any

from dlquest.notebook.grading import NotebookError, check, hint, lesson, use_workspace

__all__ = ["NotebookError", "check", "hint", "lesson", "use_workspace", "load_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext dlquest.notebook`: register the `%%dlquest` cell magic."""
    from dlquest.notebook.magic import register

    register(ipython)


def _register_when_in_ipython() -> None:
    try:
        from IPython import get_ipython  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        load_ipython_extension(shell)


_register_when_in_ipython()
