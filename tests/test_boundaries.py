"""Architecture guards, checked in fresh processes (they see lazy imports that the import-linter contracts in
pyproject.toml cannot): no core module imports Textual or rich, and the command's start-up path (course,
workspace, progress, CLI) never imports torch.

The core is every module of the package outside the app (`dlquest.tui`) and the course content, found by
walking the package, so a new module is guarded from the day it is added.
"""

import pkgutil

import pytest

import dlquest

CONTENT = ("dlquest.lessons", "dlquest.exercises", "dlquest.solutions", "dlquest.checks", "dlquest.data")
# The app, and the terminal summary of a class run that `dlquest grade --summary` prints with rich (the CLI's side).
FACES = ("dlquest.tui", "dlquest.class_summary")
CORE = sorted(info.name for info in pkgutil.walk_packages(dlquest.__path__, "dlquest.")
              if not info.name.startswith(CONTENT + FACES) and info.name != "dlquest.__main__")


@pytest.fixture
def imported_after(run_python):
    def imported(module: str) -> set[str]:
        done = run_python("-c", f"import sys, {module}; print('\\n'.join(sys.modules))", check=True)
        return set(done.stdout.split())

    return imported


def test_the_core_list_is_found():
    assert {"dlquest.course", "dlquest.cli", "dlquest.grader.sandbox", "dlquest.grader.classrun"} <= set(CORE)


@pytest.mark.parametrize("module", CORE)
def test_core_never_imports_textual(imported_after, module):
    modules = imported_after(module)
    assert "textual" not in modules and "rich" not in modules


@pytest.mark.parametrize("module", ["dlquest.cli", "dlquest.course", "dlquest.progress", "dlquest.workspace",
                                    "dlquest.grader.grade"])
def test_start_up_path_never_imports_torch(imported_after, module):
    assert "torch" not in imported_after(module)
