"""Dependencies say what the code needs (issue 14): every package the dlquest package imports (the engine and the
bundled course's examples, solutions and checks) is declared in pyproject.toml's [project], the optional ones as
extras; pytest's floor is the first with --disable-plugin-autoload; the licence is an SPDX string with its file."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

from dlquest.course import tomllib

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Import names whose distribution is named otherwise, for packages that may not be installed here.
NOT_INSTALLED = {"matplotlib": "matplotlib", "tomli": "tomli", "distributed": "distributed"}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imported() -> set[str]:
    local = {path.stem for path in (ROOT / "dlquest").rglob("*.py")}  # sibling modules (lessons' termplot)
    names = set()
    for path in (ROOT / "dlquest").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names and name not in local | {"dlquest"}}


def test_every_imported_package_is_declared():
    required = {_name(r) for r in PROJECT["dependencies"]}
    extras = {extra: {_name(r) for r in reqs} for extra, reqs in PROJECT["optional-dependencies"].items()}
    declared = required.union(*extras.values())
    known = importlib.metadata.packages_distributions()
    undeclared = []
    for module in sorted(_imported()):
        distributions = {d.lower().replace("_", "-") for d in known.get(module, [NOT_INSTALLED.get(module, module)])}
        if not distributions & declared:
            undeclared.append(f"{module} ({', '.join(sorted(distributions))})")
    assert undeclared == []
    assert "markdown-it-py" in required  # the app imports it itself, not only through rich
    assert "distributed" in extras["cluster"] and "distributed" not in required
    assert "matplotlib" in extras["plots"] and "matplotlib" not in required


def test_pytest_floor_and_licence():
    (pytest_requirement,) = [r for r in PROJECT["dependencies"] if _name(r) == "pytest"]
    assert ">=8.4" in pytest_requirement.replace(" ", "")
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
