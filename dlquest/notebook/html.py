"""Grade records, hints, errors and lessons as HTML for a notebook's output: pure functions of the core's data.

Everything that came from the learner's code (outputs, exception text, file names) goes through safe_text.html_text
(html.escape of the visible text): a notebook renders HTML, so `<script>` printed by a submission must stay text.
Feedback wording comes from dlquest.render, as the CLI and the app word it.
"""

from __future__ import annotations

from html import escape

from dlquest.grader.records import PASSED, GradeRecord
from dlquest.i18n import t
from dlquest.render import feedback_text
from dlquest.safe_text import html_text

_COLOURS = {"passed": "#1a7f37", "failed": "#cf222e", "error": "#8250df", "skipped": "#9a6700"}


safe_html = html_text  # every piece of text below goes through it: learner text and course text alike


def _pre(text: str) -> str:
    return f'<pre style="margin:2px 0 2px 1.5em;white-space:pre-wrap">{safe_html(text)}</pre>'


def record_html(record: GradeRecord, title: str, lang: str, hint: str | None = None) -> str:
    """One grading: its verdict, then each test with its feedback and what the learner's code printed."""
    colour = _COLOURS.get(record.outcome, "#57606a")
    parts = [f'<div class="dlquest-check dlquest-{escape(record.outcome)}">',
             f'<p><b style="color:{colour}">{safe_html(t("outcome." + record.outcome, lang))}</b> '
             f'{safe_html(title)}</p>']
    if record.problem is not None:
        parts.append(_pre(feedback_text(record.problem, lang)))
    parts.append("<ul>")
    previous = None
    for result in record.tests:
        head = (f'<b style="color:{_COLOURS.get(result.outcome, "#57606a")}">'
                f'{safe_html(t("outcome." + result.outcome, lang))}</b> <code>{safe_html(result.test)}</code>'
                f' ({result.duration:.2f}s)')
        parts.append(f'<li class="dlquest-test dlquest-{escape(result.outcome)}">{head}')
        if previous is not None and result.feedback and previous.feedback == result.feedback:
            parts.append(f" {safe_html(t('cli.same_as_above', lang))}")
        else:
            for feedback in result.feedback:
                parts.append(_pre(feedback_text(feedback, lang)))
        if result.output.strip() and result.outcome != PASSED:
            label = "your code printed:" if lang == "en" else "你的代码输出："
            parts.append(f"<div>{safe_html(label)}</div>" + _pre(result.output.strip()))
        parts.append("</li>")
        previous = result
    parts.append("</ul>")
    if hint is not None:
        parts.append(hint_html(hint, lang))
    parts.append("</div>")
    return "".join(parts)


def hint_html(hint: str, lang: str) -> str:
    label = "Hint" if lang == "en" else "提示"
    return f'<div class="dlquest-hint"><b>{label}:</b> {safe_html(hint)}</div>'


def note_html(text: str) -> str:
    """A passing note (the grading is under way), greyed."""
    return f'<div class="dlquest-note" style="color:#6e7781"><i>{escape(text)}</i></div>'


def error_html(message: str) -> str:
    """A dlquest error (no workspace, an unknown exercise) as a readable block instead of a traceback."""
    return f'<div class="dlquest-error" style="color:#cf222e">{_pre(message)}</div>'


def lesson_html(markdown: str) -> str:
    """A lesson page (the course's own Markdown, trusted like the app trusts it) as HTML; raw HTML is off."""
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return f'<div class="dlquest-lesson">{rendered}</div>'
