"""Architecture guards, checked in fresh processes: the engine never imports Textual, and the command's
start-up path (course, workspace, progress, CLI) never imports torch."""

import subprocess
import sys

import pytest

ENGINE = ["dlquest.course", "dlquest.workspace", "dlquest.progress", "dlquest.i18n", "dlquest.render",
          "dlquest.authoring", "dlquest.grader.grade", "dlquest.grader.sandbox", "dlquest.grader.plugin",
          "dlquest.grader.compare", "dlquest.grader.wire", "dlquest.cli"]


def imported_after(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    return set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())


@pytest.mark.parametrize("module", ENGINE)
def test_engine_never_imports_textual(module):
    modules = imported_after(module)
    assert "textual" not in modules and "rich" not in modules


@pytest.mark.parametrize("module", ["dlquest.cli", "dlquest.course", "dlquest.progress", "dlquest.workspace",
                                    "dlquest.grader.grade"])
def test_start_up_path_never_imports_torch(module):
    assert "torch" not in imported_after(module)
