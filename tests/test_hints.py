"""Hints go from a nudge to nearly the answer: the first hint of every exercise names the idea to think about
and holds no code in either language: no code span or block, no call, no assignment, no indexing, no dotted
name such as np.argmin. Later hints may hold code; none may be empty (tests/test_lessons.py counts them)."""

from __future__ import annotations

import re

import pytest

from dlquest.course import load_course

COURSE = load_course()

# What makes a hint "code", each with the reason a failure names.
CODE = {
    "a code span or block (backticks)": re.compile(r"`"),
    "a call such as f(x)": re.compile(r"[A-Za-z_][\w.]*\("),
    "an assignment": re.compile(r"(?<![<>=!+\-*/])=(?!=)|[+\-*/]="),
    "indexing such as x[i]": re.compile(r"[\w)\]]\["),
    "a dotted name such as np.argmin": re.compile(r"\b(?!(?:e\.g|i\.e)\b)[A-Za-z_]\w*\.[A-Za-z_]\w*"),
    "an operator of code such as ** or //": re.compile(r"\*\*|//|->|:="),
}


def code_in(text: str) -> list[str]:
    """The kinds of code `text` contains (empty when it is prose)."""
    return [why for why, pattern in CODE.items() if pattern.search(text)]


@pytest.mark.parametrize("text", [
    "Use `np.argmin` along axis 1.",
    "np.argmin(d, axis=1) picks the nearest centroid.",
    "Start with centroids = np.array(initial_centroids, dtype=float).",
    "Broadcast x[:, None] against the centroids.",
    "Call np.where on the mask.",
    "Set w to zeros: w=0 then step.",
    "The squared residuals r ** 2 average into the loss.",
    "```python\nreturn a + b\n```",
    "先写 grads = [p.grad for p in parameters]。",
    "用 torch.cat 拼接。",
])
def test_the_rule_recognises_code(text):
    assert code_in(text), text


@pytest.mark.parametrize("text", [
    "Think about which centroid each point is nearest to, and what a centroid with no points should do.",
    "Every output value is the sum of a window times the kernel, plus the bias (one number per channel).",
    "A score of exactly 0 counts as 1, e.g. on the boundary; i.e. the rule is >= 0.",
    "先想清楚形状：(n, 1) 与 (1, m) 组合成 (n, m)。",
    "Shapes like (n, 1) and (1, m) combine into (n, m); a 5x5 kernel takes 4 from each side.",
])
def test_the_rule_lets_prose_through(text):
    assert not code_in(text), (text, code_in(text))


@pytest.mark.parametrize("exercise_id", list(COURSE.exercises))
def test_the_first_hint_is_a_nudge_without_code(exercise_id):
    first = COURSE.exercises[exercise_id].hints[0]
    for lang in ("en", "zh"):
        found = code_in(first.get(lang))
        assert not found, f"{exercise_id}: hint 1 ({lang}) holds {', '.join(found)}: {first.get(lang)!r}"


@pytest.mark.parametrize("exercise_id", list(COURSE.exercises))
def test_hints_grow_towards_the_answer(exercise_id):
    """The last hint is the nearest to code: it holds code, or at least more of it than the first (none)."""
    hints = COURSE.exercises[exercise_id].hints
    assert len(hints) >= 3
    assert code_in(hints[-1].en) and code_in(hints[-1].zh), f"{exercise_id}: the last hint names no code at all"
