"""The class report in a terminal: what `dlquest grade --summary` and `dlquest report` print.

The same numbers and words as report.html (grader/class_stats.py), drawn with rich tables and plotext
histograms. This is part of the CLI's face (it uses rich, which the grader must not import). Student ids,
feedback and exception text are the learner's: they reach the terminal as rich Text made `visible` (never as
markup, never as escape sequences that would run).
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dlquest.course import Course
from dlquest.grader.class_report_html import run_facts
from dlquest.grader.class_stats import ClassStats, ExerciseStats, reason_text
from dlquest.i18n import counted, t
from dlquest.render import feedback_text
from dlquest.safe_text import one_line, visible

HISTOGRAM_SIZE = (64, 12)  # columns, rows
EXAMPLE_CHARS = 120  # of one example's feedback in a table cell


def print_summary(console: Console, course: Course, stats: ClassStats, lang: str) -> None:
    title = t("class.title", lang, course=course.title.get(lang) or course.id)
    console.print(Text(title, style="bold"))
    console.print(Text(t("class.headline", lang, students=counted(len(stats.students), "student", lang),
                         exercises=counted(len(stats.exercises), "exercise", lang), points=stats.points)))
    console.print(_overview(stats, lang))
    for ex in stats.exercises:
        _print_exercise(console, ex, lang)
    _print_ungraded(console, course, stats, lang)
    _print_skipped(console, stats, lang)
    _print_run(console, stats, lang)


def _table(lang: str, *headers: str, title: str | None = None) -> Table:
    """A table whose cells fold rather than cut: a test's or a student's name is read whole, never as "test_le…"."""
    table = Table(title=title)
    for key in headers:
        table.add_column(t(key, lang), overflow="fold")
    return table


def _heading(console: Console, text: str) -> None:
    console.print()
    console.print(Text(text, style="bold underline"))


def _overview(stats: ClassStats, lang: str) -> Table:
    table = _table(lang, "class.col.exercise", "class.col.students", "class.col.full_marks", "class.col.mean",
                   "class.col.most_failed", title=t("class.overview", lang))
    for ex in stats.exercises:
        worst = ex.tests[0] if ex.tests else None
        failing = (f"{one_line(worst.test)} ({worst.pass_rate:.0%})" if worst is not None and worst.passed < worst.ran
                   else "–")
        table.add_row(Text(ex.exercise), str(ex.students), f"{ex.full_share:.0%}", f"{ex.mean:.1f} / {ex.points:g}",
                      Text(failing))
    return table


def histogram_text(ex: ExerciseStats, lang: str, color: bool) -> str:
    """The score distribution as a plotext bar chart (colour codes only for a terminal that shows them)."""
    import plotext as plt

    fig = plt.figure
    fig.clear()
    fig.plot_size(*HISTOGRAM_SIZE)
    fig.draw(fig.bar([f"{b.low:g}-{b.high:g}" for b in ex.bins], [b.count for b in ex.bins]))
    most = max((b.count for b in ex.bins), default=0)
    fig.ruler("y").ticks(list(range(0, most + 1, max(1, -(-most // 5)))))  # whole students, five ticks at most
    fig.title(t("class.histogram", lang))
    fig.label(t("class.axis.points", lang))
    text = fig.build().string(colorless=not color)
    fig.clear()
    return text


def _print_exercise(console: Console, ex: ExerciseStats, lang: str) -> None:
    _heading(console, ex.exercise)
    full = t("class.full_marks", lang, count=ex.full_marks, students=counted(ex.students, "student", lang),
             share=f"{ex.full_share:.0%}")
    console.print(Text(f"{full} · {t('class.mean', lang, mean=ex.mean, points=ex.points)}"))
    color = console.is_terminal and not console.no_color
    chart = histogram_text(ex, lang, color)
    console.print(Text.from_ansi(chart) if color else Text(chart))
    if not ex.tests:
        console.print(Text(t("class.no_tests", lang)))
        return
    table = _table(lang, "class.col.test", "class.col.pass_rate", "class.col.passed_of", "class.col.feedback",
                   title=t("class.tests", lang))
    for test in ex.tests:
        lines = []
        for code in test.codes:
            said = one_line((feedback_text(code.example, lang).splitlines() or [""])[0])
            if len(said) > EXAMPLE_CHARS:
                said = said[:EXAMPLE_CHARS] + "…"
            example = t("class.example", lang, student=one_line(code.student))
            lines.append(f"{t('class.code_count', lang, count=code.count)} {code.code}: {said} ({example})")
        table.add_row(Text(one_line(test.test)), f"{test.pass_rate:.0%}", f"{test.passed} / {test.ran}",
                      Text(visible("\n".join(lines))))
    console.print(table)


def _print_ungraded(console: Console, course: Course, stats: ClassStats, lang: str) -> None:
    _heading(console, t("class.ungraded", lang))
    if not stats.ungraded:
        console.print(Text(t("class.ungraded_none", lang)))
        return
    table = _table(lang, "class.col.student", "class.col.exercise", "class.col.why", "class.col.detail")
    for item in sorted(stats.ungraded, key=lambda u: (u.verdict, u.student, u.exercise)):
        table.add_row(Text(one_line(item.student)), Text(item.exercise),
                      t("report.verdict." + item.verdict.replace(" ", "_"), lang),
                      Text(visible(reason_text(course, item, lang))))
    console.print(table)


def _print_skipped(console: Console, stats: ClassStats, lang: str) -> None:
    _heading(console, t("class.skipped", lang))
    if not stats.skipped:
        console.print(Text(t("class.skipped_none", lang)))
        return
    console.print(Text(t("class.skipped_intro", lang)))
    console.print(Text(", ".join(one_line(s) for s in stats.skipped)))


def _print_run(console: Console, stats: ClassStats, lang: str) -> None:
    _heading(console, t("class.run", lang))
    if stats.run is None:
        console.print(Text(t("class.run.none", lang)))
    else:
        facts = Table.grid(padding=(0, 2))
        for label, value in run_facts(stats.run, lang):
            facts.add_row(Text(label, style="dim"), Text(visible(value)))
        console.print(facts)
        if stats.run.interrupted:
            console.print(Text(t("class.run.interrupted", lang), style="bold red"))
    if stats.slowest:
        table = _table(lang, "class.col.student", "class.col.time", title=t("class.slowest", lang))
        for student, seconds in stats.slowest:
            table.add_row(Text(one_line(student)), t("class.seconds", lang, seconds=seconds))
        console.print(table)
