"""Text that came from learner code or files, made safe for the place it is shown or written.

Exception messages, reprs, what a probe printed, file names and student ids (folder names) are data, never
control. Every writer passes such text through the one function here for its medium:

- `encodable`      text as it arrives (JSON from a child): lone surrogates replaced, so any store can hold it.
- `visible`        a terminal or the app: control characters, escape-sequence introducers, bidirectional
                   overrides and lone surrogates shown as Python escapes (ESC becomes the four characters
                   `\\x1b`); newlines and tabs kept. Its output is also always valid XML 1.0 character data.
- `one_line`       the same, with newlines and tabs shown as `\\n` and `\\t` too (a heading, a cell, a name).
- `xml_text`       text for ElementTree (which escapes `<`, `&` and quotes itself but not invalid characters).
- `markdown_block` a fenced code block whose fence no line of the text can close.
- `markdown_inline` text inside a Markdown line: every ASCII punctuation character backslash-escaped.
- `csv_cell`       a gradebook cell that no spreadsheet runs as a formula.
- `html_text`      HTML character data or an attribute value (a notebook's output): visible, then escaped.
- `json_text`      JSON any strict parser reads: no NaN, no raw C1 or bidi characters, no unencodable
                   surrogates.

Pure functions of str; no terminal, no Textual, no rich.
"""

from __future__ import annotations

import html
import json
import math
import re
from typing import Any

# C0 controls (all but tab and newline: kept by `visible`), DEL, C1 controls (0x9b is an 8-bit CSI), the Arabic
# letter mark and the bidirectional marks, embeddings, overrides and isolates (text that reads differently
# from how it runs), the line and paragraph separators, lone surrogates and the two non-characters U+FFFE/FFFF
# (neither is allowed in XML 1.0, and a surrogate cannot even be encoded as UTF-8).
_BEYOND_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
_UNSAFE = "\x00-\x08\x0b-\x1f" + _BEYOND_C0
_UNSAFE_KEEPING_LINES = re.compile(f"[{_UNSAFE}]")
_UNSAFE_ON_ONE_LINE = re.compile(f"[{_UNSAFE}\t\n]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets (full-width forms too).
_FORMULA_START = tuple("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
_MARKDOWN_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
_JSON_UNSAFE = re.compile(f"[{_BEYOND_C0}]")  # json.dumps escapes C0 itself


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def exception_text(err: BaseException) -> str:
    """`str(err)`, or "<unprintable>" when that raises: an exception from learner code (or a check) may define a
    __str__ that fails, and its failure must still be reported."""
    try:
        return str(err)
    except BaseException:  # noqa: BLE001 - whatever __str__ raises, the failure it describes is what counts
        return "<unprintable>"


def encodable(text: str) -> str:
    """`text` with each lone surrogate (JSON's "\\ud800" decodes to one; no UTF-8 encoder takes it) replaced by
    U+FFFD, as a UTF-8 decoder replaces bytes it cannot read: text that every store and file can hold."""
    return _SURROGATE.sub("\ufffd", text)


def visible(text: object) -> str:
    """`text` with every character that could steer a terminal, reorder a line or break XML shown as an escape."""
    return _UNSAFE_KEEPING_LINES.sub(_escape, str(text))


def one_line(text: object) -> str:
    """`visible`, with newlines and tabs escaped too: the text stays on one line."""
    return _UNSAFE_ON_ONE_LINE.sub(_escape, str(text))


def xml_text(text: object) -> str:
    """Character data (or an attribute value) that is valid XML 1.0 whatever the learner wrote."""
    return visible(text)


def markdown_block(text: object, info: str = "text") -> str:
    """A fenced code block holding `text` verbatim (made visible): the fence is longer than any run of
    backticks in the text, so no line of it can close the block early (CommonMark, GitHub and markdown-it)."""
    body = visible(text)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"


def markdown_inline(text: object) -> str:
    """Text for inside a Markdown line (a heading, a list item): shown as written, never as markup or HTML."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", one_line(text))


def html_text(text: object) -> str:
    """Text for HTML (a notebook renders its outputs as HTML): `<script>` printed by a submission stays text."""
    return html.escape(visible(text), quote=True)


def csv_cell(value: object) -> object:
    """A gradebook cell: numbers as they are; text on one line and, when a spreadsheet would take it for a
    formula (`=HYPERLINK(...)`, `+1`, `@SUM`), prefixed with an apostrophe so that it stays text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = one_line(value)
    # Some importers trim leading spaces before they look for a formula.
    return "'" + text if text.lstrip(" ").startswith(_FORMULA_START) else text


def _finite(value: Any) -> Any:
    """`value` with every NaN or infinity replaced by its name as a string: strict JSON has no such numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def json_text(value: Any, *, indent: int | None = None, strict: bool = True) -> str:
    """`value` as JSON text that every parser reads and that is safe to print: control, C1 and bidi characters
    and lone surrogates inside strings are written as \\u escapes (json escapes only C0 itself). With `strict`,
    NaN and infinities become the strings "nan", "inf", "-inf"; without it they stay Python's NaN/Infinity
    (for data that only dlquest reads back, where a number must stay a number)."""
    text = json.dumps(_finite(value) if strict else value, ensure_ascii=False, indent=indent,
                      allow_nan=not strict)
    # Outside strings JSON is ASCII, so each of these characters sits inside a string, where \\uXXXX is valid.
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
