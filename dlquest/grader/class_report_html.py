"""report.html: the class report an instructor reads at a glance, written by every `dlquest grade` run.

One self-contained page: inline CSS and inline SVG charts, no script and nothing fetched (a Content-Security-
Policy says so to the browser too), readable offline and from an e-mail attachment. It renders the numbers of
class_stats.py in the instructor's language; links to the students' feedback files are relative, so the output
folder can be moved or zipped whole.

Student ids (folder names), feedback values and exception text come from submissions: every one goes through
safe_text.html_text, and an id in a link is URL-quoted as well.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import dlquest
from dlquest.course import Course
from dlquest.grader.class_stats import ClassStats, ExerciseStats, TestStats, class_stats, reason_text
from dlquest.grader.records import GradeRecord
from dlquest.grader.results import ResultStore, RunRecord
from dlquest.i18n import counted, t
from dlquest.render import feedback_text
from dlquest.safe_text import html_text, one_line
from dlquest.workspace import atomic_write

REPORT = "report.html"
EXAMPLE_CHARS = 600  # of one example's feedback: a learner's exception message can be any length


def write(out: Path, course: Course, results: dict[str, list[GradeRecord]], exercises: list[str],
          run: RunRecord | None, lang: str) -> ClassStats:
    """Write `out`/report.html for these results; return the numbers it shows (for the terminal summary)."""
    stats = class_stats(course, results, exercises, run)
    atomic_write(Path(out) / REPORT, page(course, stats, lang, str(out)).encode("utf-8"))
    return stats


def rebuild(out: Path, course: Course, lang: str | None = None) -> ClassStats:
    """Write report.html again from a finished run's result store (nothing is graded): the students and
    exercises of its last run, in `lang` or the run's own language."""
    store = ResultStore(out)
    run = store.last_run()
    records = store.records()
    if run is not None:
        records = {student: records[student] for student in run.students if student in records}
        exercises = list(run.exercises)
    else:  # a run by a dlquest that kept no run record: every stored student and exercise
        stored = {e for entry in store.entries.values() for e in entry["exercises"]}
        exercises = [e for e in course.exercises if e in stored]
    return write(out, course, dict(sorted(records.items())), exercises, run, lang or (run.lang if run else "en"))


def feedback_href(student: str) -> str:
    """The relative link to a student's feedback file, named as reports.write_all names it."""
    return "feedback/" + quote(one_line(student), safe="") + ".md"


# --- the page -----------------------------------------------------------------------------------------------
def page(course: Course, stats: ClassStats, lang: str, out: str) -> str:
    title = t("class.title", lang, course=course.title.get(lang) or course.id)
    sections = [_overview(stats, lang), _exercises(course, stats, lang), _ungraded(course, stats, lang),
                _skipped(stats, lang), _run(stats, lang)]
    contents = "".join(f'<li><a href="#{key}">{html_text(t(label, lang))}</a></li>'
                       for key, label in (("overview", "class.overview"), ("exercises", "class.exercises"),
                                          ("ungraded", "class.ungraded"), ("skipped", "class.skipped"),
                                          ("run", "class.run")))
    headline = t("class.headline", lang, students=counted(len(stats.students), "student", lang),
                 exercises=counted(len(stats.exercises), "exercise", lang), points=stats.points)
    footer = t("class.footer", lang, version=dlquest.__version__, out=out)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"zh-Hans" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
        # Nothing but this page's own styles: no script runs and nothing is fetched, whatever a submission held.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>{html_text(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<header><h1>{html_text(title)}</h1><p class=\"lead\">{html_text(headline)}</p>\n"
        f'<nav aria-label="{html_text(t("class.contents", lang))}"><ol>{contents}</ol></nav></header>\n'
        f"<main>\n{''.join(sections)}</main>\n"
        f"<footer><p>{html_text(footer)}</p></footer>\n</body>\n</html>\n")


def _section(key: str, heading: str, body: str) -> str:
    return f'<section id="{key}">\n<h2>{html_text(heading)}</h2>\n{body}</section>\n'


def _table(headers: list[str], rows: list[str], css: str = "") -> str:
    head = "".join(f"<th scope=\"col\">{html_text(h)}</th>" for h in headers)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>\n{"".join(rows)}</tbody></table>\n'


def _student_link(student: str, text: str | None = None) -> str:
    return f'<a class="student" href="{html_text(feedback_href(student))}">{html_text(one_line(text or student))}</a>'


def _share(value: float) -> str:
    return f"{value:.0%}"


def _meter(share: float) -> str:
    """A bar of `share` (0..1) in a table cell: CSS only, so it prints and needs no script."""
    return f'<span class="meter" aria-hidden="true"><span style="width:{share * 100:.1f}%"></span></span>'


def _overview(stats: ClassStats, lang: str) -> str:
    rows = []
    for ex in stats.exercises:
        worst = ex.tests[0] if ex.tests else None
        failing = (f'<code>{html_text(one_line(worst.test))}</code> {_share(worst.pass_rate)}'
                   if worst is not None and worst.passed < worst.ran else "–")
        rows.append(f'<tr data-exercise="{html_text(ex.exercise)}"><th scope="row">'
                    f'<a href="#{html_text(_exercise_id(ex))}">{html_text(ex.exercise)}</a></th>'
                    f'<td class="num">{ex.students}</td>'
                    f'<td class="num full-share">{_meter(ex.full_share)} {_share(ex.full_share)}</td>'
                    f'<td class="num">{ex.mean:.1f} / {ex.points:g}</td><td>{failing}</td></tr>\n')
    headers = [t(k, lang) for k in ("class.col.exercise", "class.col.students", "class.col.full_marks",
                                    "class.col.mean", "class.col.most_failed")]
    return _section("overview", t("class.overview", lang), _table(headers, rows, "overview"))


def _exercise_id(ex: ExerciseStats) -> str:
    return "exercise-" + ex.exercise


def _exercises(course: Course, stats: ClassStats, lang: str) -> str:
    parts = []
    for ex in stats.exercises:
        full = t("class.full_marks", lang, count=ex.full_marks, students=counted(ex.students, "student", lang),
                 share=_share(ex.full_share))
        mean = t("class.mean", lang, mean=ex.mean, points=ex.points)
        body = (f'<p class="headline"><span class="full-marks" data-count="{ex.full_marks}" '
                f'data-students="{ex.students}">{html_text(full)}</span> · {html_text(mean)}</p>\n'
                f'<figure class="histogram">{histogram_svg(ex, lang)}'
                f'<figcaption>{html_text(t("class.histogram", lang))}</figcaption></figure>\n'
                f'<h4>{html_text(t("class.tests", lang))}</h4>\n{_tests_table(ex, lang)}')
        parts.append(f'<article class="exercise" id="{html_text(_exercise_id(ex))}" '
                     f'data-exercise="{html_text(ex.exercise)}">\n<h3>{html_text(ex.exercise)}</h3>\n{body}'
                     "</article>\n")
    return _section("exercises", t("class.exercises", lang), "".join(parts))


def _tests_table(ex: ExerciseStats, lang: str) -> str:
    if not ex.tests:
        return f'<p class="empty">{html_text(t("class.no_tests", lang))}</p>\n'
    headers = [t(k, lang) for k in ("class.col.test", "class.col.pass_rate", "class.col.passed_of",
                                    "class.col.feedback")]
    return _table(headers, [_test_row(test, lang) for test in ex.tests], "tests")


def _test_row(test: TestStats, lang: str) -> str:
    codes = []
    for code in test.codes:
        text = feedback_text(code.example, lang)
        if len(text) > EXAMPLE_CHARS:
            text = text[:EXAMPLE_CHARS] + "…"
        example = t("class.example", lang, student=one_line(code.student))
        codes.append(f'<li data-code="{html_text(code.code)}" data-count="{code.count}">'
                     f'<span class="count">{html_text(t("class.code_count", lang, count=code.count))}</span> '
                     f"<code>{html_text(code.code)}</code> {_student_link(code.student, example)}"
                     f"<pre>{html_text(text)}</pre></li>")
    feedback = f'<ul class="codes">{"".join(codes)}</ul>' if codes else ""
    return (f'<tr class="test" data-test="{html_text(one_line(test.test))}" data-passed="{test.passed}" '
            f'data-ran="{test.ran}"><td><code>{html_text(one_line(test.test))}</code></td>'
            f'<td class="num rate">{_meter(test.pass_rate)} {_share(test.pass_rate)}</td>'
            f'<td class="num">{test.passed} / {test.ran}</td><td>{feedback}</td></tr>\n')


def histogram_svg(ex: ExerciseStats, lang: str) -> str:
    """The score distribution as an inline SVG bar chart: a bar per tenth of the points, its count above it,
    each bar's exact range in a tooltip (an SVG <title>, no script)."""
    width, height, left, right, top, bottom = 440, 200, 40, 12, 20, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    most = max((b.count for b in ex.bins), default=0) or 1
    step = plot_w / len(ex.bins) if ex.bins else plot_w
    label = f"{t('class.histogram', lang)}: {ex.exercise}"
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{html_text(label)}" xmlns="http://www.w3.org/2000/svg"><title>{html_text(label)}</title>',
             f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"/>',
             f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>',
             f'<text class="tick" x="{left - 6}" y="{top + plot_h + 4}" text-anchor="end">0</text>',
             f'<text class="tick" x="{left - 6}" y="{top + 4}" text-anchor="end">{most}</text>']
    for i, b in enumerate(ex.bins):
        x = left + i * step
        bar_h = plot_h * b.count / most
        tip = t("class.bin", lang, students=counted(b.count, "student", lang), low=b.low, high=b.high)
        parts.append(f'<g class="bin" data-low="{b.low:g}" data-high="{b.high:g}" data-count="{b.count}">'
                     f"<title>{html_text(tip)}</title>"
                     f'<rect class="bar" x="{x + 2:.1f}" y="{top + plot_h - bar_h:.1f}" width="{step - 4:.1f}" '
                     f'height="{bar_h:.1f}"/>'
                     + (f'<text class="count" x="{x + step / 2:.1f}" y="{top + plot_h - bar_h - 4:.1f}" '
                        f'text-anchor="middle">{b.count}</text>' if b.count else "") + "</g>")
        parts.append(f'<text class="tick" x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{b.low:g}</text>')
    if ex.bins:
        parts.append(f'<text class="tick" x="{left + plot_w:.1f}" y="{top + plot_h + 14}" '
                     f'text-anchor="middle">{ex.bins[-1].high:g}</text>')
    parts.append(f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">'
                 f'{html_text(t("class.axis.points", lang))}</text>')
    middle = top + plot_h / 2
    parts.append(f'<text class="axis-label" x="12" y="{middle:.1f}" text-anchor="middle" '
                 f'transform="rotate(-90 12 {middle:.1f})">{html_text(t("class.axis.students", lang))}</text>')
    return "".join(parts) + "</svg>"


def _ungraded(course: Course, stats: ClassStats, lang: str) -> str:
    if not stats.ungraded:
        return _section("ungraded", t("class.ungraded", lang),
                        f'<p class="empty">{html_text(t("class.ungraded_none", lang))}</p>\n')
    rows = []
    for item in sorted(stats.ungraded, key=lambda u: (u.verdict, u.student, u.exercise)):
        word = t("report.verdict." + item.verdict.replace(" ", "_"), lang)
        rows.append(f'<tr class="ungraded" data-verdict="{html_text(item.verdict)}" '
                    f'data-student="{html_text(one_line(item.student))}">'
                    f"<td>{_student_link(item.student)}</td><td>{html_text(item.exercise)}</td>"
                    f'<td><span class="verdict">{html_text(word)}</span></td>'
                    f"<td><pre>{html_text(reason_text(course, item, lang))}</pre></td></tr>\n")
    headers = [t(k, lang) for k in ("class.col.student", "class.col.exercise", "class.col.why", "class.col.detail")]
    return _section("ungraded", t("class.ungraded", lang),
                    f'<p>{html_text(t("class.ungraded_intro", lang))}</p>\n' + _table(headers, rows, "ungraded"))


def _skipped(stats: ClassStats, lang: str) -> str:
    if not stats.skipped:
        body = f'<p class="empty">{html_text(t("class.skipped_none", lang))}</p>\n'
    else:
        items = "".join(f'<li data-student="{html_text(one_line(s))}">{_student_link(s)}</li>' for s in stats.skipped)
        body = f'<p>{html_text(t("class.skipped_intro", lang))}</p>\n<ul class="skipped">{items}</ul>\n'
    return _section("skipped", t("class.skipped", lang), body)


def run_facts(run: RunRecord, lang: str) -> list[tuple[str, str]]:
    """The run's facts as (label, value) pairs, in the language asked for (the terminal summary shows them too)."""
    where = (t("class.run.cluster", lang, address=run.scheduler) if run.scheduler
             else t("class.run.local", lang, workers=run.workers))
    graded = str(len(run.graded)) + (" · " + t("class.run.only", lang, student=one_line(run.student))
                                     if run.student else "")
    yes_no = t("class.run.yes" if run.seeded else "class.run.no", lang)
    timeout = (t("class.seconds", lang, seconds=run.timeout) if run.timeout is not None
               else t("class.run.timeout_own", lang))
    return [(t("class.run.started", lang), time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(run.started_at))),
            (t("class.run.wall_time", lang), t("class.seconds", lang, seconds=run.wall_time)),
            (t("class.run.where", lang), where),
            (t("class.run.device", lang), run.device),
            (t("class.run.timeout", lang), timeout),
            (t("class.run.submissions", lang), str(len(run.students))),
            (t("class.run.graded", lang), graded),
            (t("class.skipped", lang), str(len(run.skipped))),
            (t("class.run.seeded", lang), yes_no)]


def _run(stats: ClassStats, lang: str) -> str:
    run = stats.run
    if run is None:
        body = f'<p class="empty">{html_text(t("class.run.none", lang))}</p>\n'
    else:
        facts = "".join(f"<dt>{html_text(label)}</dt><dd>{html_text(value)}</dd>"
                        for label, value in run_facts(run, lang))
        body = f'<dl class="facts">{facts}</dl>\n'
        if run.interrupted:
            body += f'<p class="warning">{html_text(t("class.run.interrupted", lang))}</p>\n'
    if stats.slowest:
        rows = [f'<tr><td>{_student_link(student)}</td>'
                f'<td class="num">{html_text(t("class.seconds", lang, seconds=seconds))}</td></tr>\n'
                for student, seconds in stats.slowest]
        body += (f'<h3>{html_text(t("class.slowest", lang))}</h3>\n'
                 + _table([t("class.col.student", lang), t("class.col.time", lang)], rows, "slowest"))
    return _section("run", t("class.run", lang), body)


STYLE = """
:root { --fg: #1d2330; --muted: #5b6478; --bg: #ffffff; --panel: #f4f6fa; --line: #d9dee8; --accent: #3867d6;
  --good: #2e9d5b; --bad: #c8453b; --code-bg: #eef1f6; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e4e8f0; --muted: #a3acbf; --bg: #151922; --panel: #1e2430; --line: #333b4c; --accent: #7aa2f7;
    --good: #5cc486; --bad: #f07a6f; --code-bg: #262d3b; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 1.5rem 2rem 3rem; color: var(--fg); background: var(--bg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "PingFang SC",
  "Microsoft YaHei", sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid var(--line); padding-bottom: .25rem; margin-top: 2.25rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .25rem; }
h4 { font-size: .95rem; margin: 1rem 0 .4rem; color: var(--muted); }
.lead, footer, .empty { color: var(--muted); }
nav ol { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; list-style: none; padding: 0; margin: .75rem 0 0; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; margin: .25rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid var(--line); }
thead th { font-size: .85rem; color: var(--muted); font-weight: 600; border-bottom: 2px solid var(--line); }
td.num { white-space: nowrap; font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono", monospace;
  font-size: .85rem; }
code { background: var(--code-bg); padding: 0 .25rem; border-radius: 3px; overflow-wrap: anywhere; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: .35rem .5rem;
  margin: .25rem 0 .5rem; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 12rem; overflow: auto; }
.exercise { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .25rem 1.25rem 1rem;
  margin: 1rem 0 1.5rem; }
.exercise table, .exercise pre { background: var(--bg); }
.headline { margin: .25rem 0 .75rem; }
.meter { display: inline-block; width: 4.5rem; height: .6rem; background: var(--line); border-radius: 3px;
  vertical-align: middle; overflow: hidden; }
.meter > span { display: block; height: 100%; background: var(--good); }
tr.test .meter { background: var(--bad); }
ul.codes { list-style: none; margin: 0; padding: 0; }
ul.codes li + li { margin-top: .35rem; }
.count { font-weight: 600; }
.verdict { font-weight: 600; color: var(--bad); }
.warning { border-left: 4px solid var(--bad); padding: .25rem .75rem; background: var(--panel); }
figure.histogram { margin: .5rem 0 1rem; }
figcaption { font-size: .85rem; color: var(--muted); }
svg.chart { max-width: 100%; height: auto; }
svg .bar { fill: var(--accent); }
svg .bin:hover .bar { opacity: .8; }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg text { fill: var(--muted); font-size: 11px; font-family: inherit; }
svg text.count { fill: var(--fg); font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.25rem; margin: .5rem 0 1rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ul.skipped { columns: 3 14rem; }
@media print { .exercise { break-inside: avoid; } }
"""
