"""The class report (report.html, `dlquest grade --summary`, `dlquest report OUT`) of one real small class: a pass,
partial credit, a failure with hostile text and a hostile folder name, a timeout inside the function called, a
crash. The class is graded once for the module; every test reads what that run wrote.
"""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stdout
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from hostile_text import PERCEPTRON_RAISES, STUDENT

from dlquest.cli import main
from dlquest.course import BUNDLED_COURSE

from browser_kit import chromium_page

# The module grades a class.
pytestmark = pytest.mark.slow

SECTIONS = ("overview", "exercises", "ungraded", "skipped", "run")
FILE = "exercises/perceptron.py"
SOLUTION = (BUNDLED_COURSE / "solutions" / "perceptron.py").read_text()
WRONG = SOLUTION.replace(">= 0 else 0", "> 0 else 0")  # partial credit: the boundary case fails
HANGS = SOLUTION.replace("    def fit(self, X, y):\n", "    def fit(self, X, y):\n        while True:\n            pass\n")
CRASHES = "import os\nos._exit(3)\n"
# A folder name that is markup and a spreadsheet formula (no "/" or NUL: the file system forbids those).
HOSTILE_ID = STUDENT + "<img src=x onerror=alert(1)><script>alert(1)"
CLASS = {"ana": SOLUTION, "ben": WRONG, "cai": HANGS, "dee": CRASHES, HOSTILE_ID: PERCEPTRON_RAISES}
REPO = Path(__file__).resolve().parent.parent


def dlquest(*args: str) -> tuple[int, str]:
    """The CLI in this process (the grading itself happens in its worker processes): exit status and stdout."""
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return code, buffer.getvalue()


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[Path, str]:
    """The class graded once, with --summary: its output folder and what the command printed."""
    root = tmp_path_factory.mktemp("class")
    for student, source in CLASS.items():
        (root / "submissions" / student / "exercises").mkdir(parents=True)
        (root / "submissions" / student / FILE).write_text(source)
    code, printed = dlquest("grade", str(root / "submissions"), "--exercises", "perceptron", "--out",
                            str(root / "out"), "--timeout", "1", "--workers", "2", "--summary", "--lang", "en")
    assert code == 0, printed
    return root / "out", printed


class Page(HTMLParser):
    """What a test reads of report.html: the sections' text, the tags with their attributes, the links."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.sections: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.links: list[str] = []
        self._section: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag == "section":
            self._section = attributes["id"]
            self.sections[self._section] = []
        if tag == "a" and not attributes.get("href", "#").startswith("#"):
            self.links.append(attributes["href"])

    def handle_endtag(self, tag):
        if tag == "section":
            self._section = None

    def handle_data(self, data):
        if self._section is not None and data.strip():
            self.sections[self._section].append(data.strip())

    def having(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in wanted.items())]


def report(out: Path) -> Page:
    return Page((out / "report.html").read_text(encoding="utf-8"))


def test_the_report_has_every_section_and_the_right_numbers(graded):
    out, _ = graded
    page = report(out)
    assert list(page.sections) == list(SECTIONS)
    # One student of five has full marks.
    (full,) = page.having("span", **{"class": "full-marks"})
    assert (full["data-count"], full["data-students"]) == ("1", "5")
    assert "1 of 5 students with full marks (20%)" in " ".join(page.sections["exercises"])
    bins = page.having("g", **{"class": "bin"})
    assert len(bins) == 10 and sum(int(b["data-count"]) for b in bins) == 5
    assert bins[-1]["data-count"] == "1"  # ana's 10 points: the last bar holds full marks
    # Each test ran for all five; ana passes everything, ben the most, the rest nothing: rates from the most failed.
    tests = page.having("tr", **{"class": "test"})
    assert tests and all(t["data-ran"] == "5" for t in tests)
    rates = [int(t["data-passed"]) / int(t["data-ran"]) for t in tests]
    assert rates == sorted(rates) and rates[0] == 0.2 and rates[-1] == 0.4
    # Who could not be graded, and why.
    ungraded = {(a["data-student"], a["data-verdict"]) for a in page.having("tr", **{"class": "ungraded"})}
    assert ungraded == {("cai", "timeout"), ("dee", "crashed")}
    said = " ".join(page.sections["ungraded"])
    assert "did not finish within 1 s" in said and "exit status 3" in said
    assert "None: every submission was graded in this run." in page.sections["skipped"]
    run = " ".join(page.sections["run"])
    assert "2 local workers" in run and "1.0 s" in run


def test_learner_text_is_escaped_and_every_feedback_link_resolves(graded):
    out, _ = graded
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "<img" not in text.lower() and "<script" not in text.lower()
    page = report(out)
    assert not [tag for tag, _ in page.tags if tag in ("img", "script", "iframe", "object")]
    assert HOSTILE_ID in " ".join(page.sections["run"])  # shown as text, among the slowest
    assert "\x1b" not in text and "boom \\x00\\x1b[31mred" in text
    assert len(page.links) >= len(CLASS)
    linked = {unquote(href) for href in page.links}
    assert f"feedback/{HOSTILE_ID}.md" in linked
    for href in linked:
        assert (out / href).is_file(), href


def test_dlquest_report_rebuilds_the_same_report(graded, tmp_path):
    out, _ = graded
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    (copy / "report.html").unlink()
    code, printed = dlquest("report", str(copy))
    assert code == 0
    assert (report(copy).sections, report(copy).tags) == (report(out).sections, report(out).tags)
    assert "Score distribution" in printed and "report.html" in printed


def test_the_summary_replaces_the_closing_table(graded):
    _, printed = graded
    assert "Score distribution" in printed and "█" in printed  # the plotext histogram
    assert "Tests, the most failed first" in printed and "┏" in printed  # a rich table
    assert "Could not be graded" in printed and "Slowest to grade" in printed
    assert "most common failing test" not in printed  # not the short table as well
    assert "\x1b]0;" not in printed and "\x1b[31m" not in printed


def test_report_of_a_folder_without_a_run_is_a_usage_error(tmp_path, capsys):
    code, printed = dlquest("report", str(tmp_path))
    assert code == 2
    assert "holds no class run" in capsys.readouterr().err


def test_the_report_loads_in_chromium(graded):
    out, _ = graded
    with chromium_page() as (page, log):
        page.goto((out / "report.html").as_uri())
        page.wait_for_load_state("load")
        for section in SECTIONS:
            assert page.locator(f"section#{section}").count() == 1, section
        assert page.locator("svg.chart").count() == 1
        assert page.locator("img, script").count() == 0
        artifacts = REPO / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        shot = artifacts / "class-report.png"
        page.screenshot(path=str(shot), full_page=True)
    assert log.problems == []
    print(f"screenshot: {shot}")
