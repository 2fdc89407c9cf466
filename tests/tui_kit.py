"""Shared pieces of the app's tests (a helper module, not a test module): a small fixed course, a fake grading
client, and screen helpers. The fixtures `mini_course` and `mini_workspace` built on it live in tests/conftest.py.

The app's tests run on this course (not the bundled one, which grows) so that screens and snapshots stay
stable. The fake client has GradingClient's methods and answers at once: a file that still raises
NotImplementedError fails, anything else passes. One journey test uses the real grader (test_tui_grading.py).
"""

from __future__ import annotations

import asyncio
import io
import textwrap
import threading
from pathlib import Path

from rich.console import Console

from dlquest.grader.records import FAILED, PASSED, Feedback, GradeRecord, TestResult
from dlquest.grader.worker import GradingCancelled

T0 = 1_767_000_000.0  # fixed timestamps keep dates and snapshots stable (2025-12-29 UTC)

MANIFEST = '''
[course]
id = "mini"
title = { en = "A small course for the app's tests", zh = "用于测试应用的小课程" }

[[stages]]
id = "one"
title = { en = "Stage 1 · Foundations", zh = "第一阶段 · 基础" }
goal = { en = "Adding numbers.", zh = "学会加法。" }

[[stages.units]]
id = "sums"
title = { en = "Sums", zh = "求和" }

[[stages.units.items]]
kind = "lesson"
id = "basics"
title = { en = "Adding two numbers", zh = "两个数相加" }
pages = { en = "lessons/en/basics.md", zh = "lessons/zh/basics.md" }
example = "lessons/examples/basics.py"

[[stages.units.items]]
kind = "exercise"
id = "add"
title = { en = "Add two numbers", zh = "实现加法" }
lesson = "basics"
stub = "exercises/add.py"
solution = "solutions/add.py"
check = "checks/test_add.py"
hints = [
    { en = "Use the + operator.", zh = "使用 + 运算符。" },
    { en = "return a + b", zh = "return a + b" },
]

[[stages]]
id = "two"
title = { en = "Stage 2 · Getting started", zh = "第二阶段 · 入门" }
goal = { en = "Multiplying.", zh = "学会乘法。" }

[[stages.units]]
id = "products"
title = { en = "Products", zh = "乘积" }

[[stages.units.items]]
kind = "exercise"
id = "mul"
title = { en = "Multiply two numbers", zh = "实现乘法" }
stub = "exercises/mul.py"
solution = "solutions/mul.py"
check = "checks/test_mul.py"
requires = ["add"]
hints = [{ en = "Use the * operator.", zh = "使用 * 运算符。" }]

[[stages]]
id = "three"
title = { en = "Stage 3 · Intermediate", zh = "第三阶段 · 进阶" }
goal = { en = "When things go wrong.", zh = "出错的时候。" }

[[stages.units]]
id = "errors"
title = { en = "Errors", zh = "错误" }

[[stages.units.items]]
kind = "lesson"
id = "broken"
title = { en = "An example that fails", zh = "会失败的示例" }
pages = { en = "lessons/en/broken.md", zh = "lessons/zh/broken.md" }
example = "lessons/examples/broken.py"

[[stages]]
id = "four"
title = { en = "Stage 4 · Specialisation", zh = "第四阶段 · 专精" }

[[stages.units]]
id = "later"
title = { en = "Later", zh = "以后" }
items = []
'''

FILES = {
    "lessons/en/basics.md": "# Adding\n\nAdding two numbers is the first step.\n\n## In Python\n\n"
                            "```python\ndef add(a, b):\n    return a + b\n```\n\n## Why it matters\n\nEverything adds up.\n",
    "lessons/zh/basics.md": "# 加法\n\n两个数相加是第一步。\n\n## 在 Python 中\n\n"
                            "```python\ndef add(a, b):\n    return a + b\n```\n\n## 为什么重要\n\n一切都要相加。\n",
    "lessons/en/broken.md": "# Broken\n\nThis example fails on purpose.\n",
    "lessons/zh/broken.md": "# 出错\n\n这个示例故意失败。\n",
    "lessons/examples/basics.py": "import os\nprint('2 + 3 =', 2 + 3)\nprint('language:', os.environ.get('DLQUEST_LANG'))\n"
                                  "print('\\x1b[32mgreen plot line\\x1b[0m')\n",
    "lessons/examples/broken.py": "import sys\nprint('about to fail')\nsys.exit(3)\n",
    "exercises/add.py": '"""Exercise `add`: return ``a + b``.\n\n- ``add(a, b)`` returns the sum of two numbers.\n"""\n\n\n'
                        "def add(a, b):\n    raise NotImplementedError(\"add\")\n",
    "solutions/add.py": "def add(a, b):\n    return a + b\n",
    "checks/test_add.py": "from dlquest.grader.checklib import expect_same\n\n\ndef add(module, a, b):\n"
                          "    return module.add(a, b)\n\n\ndef test_add(learner, reference):\n"
                          "    expect_same(learner, reference, add, 2.0, 3.0, what='add(2, 3)')\n",
    "exercises/mul.py": '"""Exercise `mul`: return ``a * b``."""\n\n\ndef mul(a, b):\n    raise NotImplementedError("mul")\n',
    "solutions/mul.py": "def mul(a, b):\n    return a * b\n",
    "checks/test_mul.py": "from dlquest.grader.checklib import expect_same\n\n\ndef mul(module, a, b):\n"
                          "    return module.mul(a, b)\n\n\ndef test_mul(learner, reference):\n"
                          "    expect_same(learner, reference, mul, 2.0, 3.0, what='mul(2, 3)')\n",
}

SOLVED_ADD = "def add(a, b):\n    return a + b\n"


def make_course(root: Path) -> Path:
    (root / "lessons").mkdir(parents=True, exist_ok=True)
    (root / "lessons" / "course.toml").write_text(textwrap.dedent(MANIFEST), encoding="utf-8")
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


class FakeClient:
    """GradingClient's interface, answering at once; `hold` makes grade wait until released or cancelled."""

    def __init__(self, *, hold: bool = False, fail_with: Exception | None = None):
        self.calls: list[str] = []
        self.started = threading.Event()
        self.hold = hold
        self.fail_with = fail_with
        self._release = threading.Event()
        self._cancelled = threading.Event()
        self.closed = False
        self.clock = T0

    def start(self) -> None:
        self.started.set()

    def grade(self, course_root, exercise, file, *, hide=(), devices=None, seed=None) -> GradeRecord:
        self.calls.append(exercise)
        if self.hold:
            while not (self._release.wait(0.01) or self._cancelled.is_set()):
                pass
            if self._cancelled.is_set():
                self._cancelled.clear()
                raise GradingCancelled()
        if self.fail_with is not None:
            raise self.fail_with
        self.clock += 60
        source = Path(file).read_text(encoding="utf-8") if Path(file).exists() else ""
        if "NotImplementedError" in source or not source:
            test = TestResult(f"test_{exercise}", FAILED, [Feedback("not_implemented", {"message": exercise})],
                              0.01, "cpu")
            return record(exercise, FAILED, [test], self.clock)
        return record(exercise, PASSED, [TestResult(f"test_{exercise}", PASSED, [], 0.01, "cpu")], self.clock)

    def release(self) -> None:
        self._release.set()

    def cancel(self) -> None:
        self._cancelled.set()

    def close(self) -> None:
        self.closed = True
        self.cancel()


def record(exercise: str, outcome: str, tests: list[TestResult], started_at: float = T0) -> GradeRecord:
    return GradeRecord(exercise=exercise, outcome=outcome, tests=tests, started_at=started_at, duration=0.25,
                       devices=["cpu"], source_sha256="", check_sha256="", grader_version="test",
                       torch_version=None, protections={})


def screen_text(app) -> str:
    """The active screen as plain text, as a terminal would show it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system=None,
                      record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


async def wait_for(pilot, condition, timeout: float = 10.0, what: str = "condition") -> None:
    """Let the app run until `condition()` holds (workers and timers included)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}; screen:\n{screen_text(pilot.app)}")
        await pilot.pause(0.05)
