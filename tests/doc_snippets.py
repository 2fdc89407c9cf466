"""The fenced snippets of a Markdown guide that claim to be complete (a helper for the tests, not a test module).

A snippet claims it with an HTML comment on the line before its fence:

    <!-- complete file: example-course/checks/test_relu.py -->   the snippet is that file (relative to docs/)
    <!-- complete check: relu -->                                 a whole check module for exercise relu
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MARK = re.compile(r"^<!-- complete (file|check): (\S+) -->$")


@dataclass(frozen=True)
class Snippet:
    kind: str  # "file" or "check"
    target: str  # the file (relative to the guide's folder) or the exercise id
    text: str
    line: int  # where its fence opens in the guide

    @property
    def name(self) -> str:
        return f"line{self.line}-{self.kind}-{self.target}"


def complete_snippets(guide: Path) -> list[Snippet]:
    lines = guide.read_text(encoding="utf-8").splitlines()
    found = []
    for number, line in enumerate(lines):
        mark = MARK.match(line.strip())
        if not mark:
            continue
        fence = lines[number + 1] if number + 1 < len(lines) else ""
        assert fence.startswith("```"), f"{guide}:{number + 1}: a complete-snippet mark must precede a fence"
        close = next(i for i in range(number + 2, len(lines)) if lines[i].startswith("```"))
        text = "\n".join(lines[number + 2:close]) + "\n"
        found.append(Snippet(mark.group(1), mark.group(2), text, number + 2))
    return found


def fenced_python(guide: Path) -> list[str]:
    """Every ```python snippet of the guide, complete or not."""
    return re.findall(r"^```python\n(.*?)^```", guide.read_text(encoding="utf-8"), flags=re.S | re.M)


def copy_files_into(guide: Path) -> list[str]:
    """Rewrite every `complete file` snippet of the guide with the file it names; the snippets changed."""
    lines = guide.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = []
    for snippet in reversed(complete_snippets(guide)):
        if snippet.kind != "file":
            continue
        text = (guide.parent / snippet.target).read_text(encoding="utf-8")
        if text != snippet.text:
            close = next(i for i in range(snippet.line, len(lines)) if lines[i].startswith("```"))
            lines[snippet.line:close] = [text]
            changed.append(snippet.target)
    guide.write_text("".join(lines), encoding="utf-8")
    return changed


if __name__ == "__main__":  # python tests/doc_snippets.py: copy the example course's files into the guide
    print("\n".join(copy_files_into(Path(__file__).resolve().parents[1] / "docs" / "authoring.md")) or "in step")
