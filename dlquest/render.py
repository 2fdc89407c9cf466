"""Grade records and feedback as text in the learner's language: shared by the CLI and the app.

Pure functions over records; no terminal, no Textual.
"""

from __future__ import annotations

from dlquest.grader.records import ERROR, FAILED, PASSED, SKIPPED, Feedback, GradeRecord, TestResult
from dlquest.i18n import t

OUTCOME_STYLE = {PASSED: "green", FAILED: "red", ERROR: "magenta", SKIPPED: "yellow"}
PROTECTION_NAMES = {
    "pid_namespace": ("a PID namespace", "PID 命名空间"),
    "network_namespace": ("a network namespace", "网络命名空间"),
    "mount_namespace": ("a mount namespace", "挂载命名空间"),
    "read_only_files": ("read-only files", "只读文件系统"),
    "hidden_solutions": ("hidden solutions", "隐藏参考答案"),
    "process_limit": ("a process limit", "进程数限制"),
    "memory_limit": ("a memory limit", "内存限制"),
    "no_capabilities": ("dropped capabilities", "去除特权"),
    "no_exec": ("no new programs (seccomp)", "禁止启动新程序（seccomp）"),
    "hidden_data": ("hidden held-out data", "隐藏留出数据"),
}


def minutes_text(minutes: int, lang: str, hours: bool = True) -> str:
    """An estimated time, short: "25 min", "4 h 10 min" (zh: "25 分钟", "4 小时 10 分钟"); in minutes only
    ("90 min") when `hours` is false, as a column of items shows it."""
    whole_hours, rest = divmod(int(minutes), 60) if hours else (0, int(minutes))
    h, m = ("小时", "分钟") if lang == "zh" else ("h", "min")
    if not whole_hours:
        return f"{rest} {m}"
    return f"{whole_hours} {h} {rest} {m}" if rest else f"{whole_hours} {h}"


def feedback_text(feedback: Feedback, lang: str) -> str:
    values = dict(feedback.values)
    if feedback.code in ("check_error", "reference_failed"):  # a course fault; older records lack some values
        values.setdefault("exercise", t("fb.this_exercise", lang))
        own = feedback.values
        values.setdefault("detail", f"{own['type']}: {own.get('message', '')}" if "type" in own
                          else own.get("reason") or own.get("message", ""))
        values.setdefault("type", "error")
        values.setdefault("message", "")
    no_tests = feedback.code == "check_error" and values.get("type") == "no tests"
    text = t("fb.check_runs_no_test" if no_tests else f"fb.{feedback.code}", lang, **values)
    if feedback.code in ("exception", "not_implemented", "check_error", "reference_failed") and "line" in values:
        text += "\n" + t("fb.exception_at", lang, **{"source": "", **values})
    return text


def test_lines(result: TestResult, lang: str, previous: TestResult | None = None) -> list[str]:
    """One head line for the test, then its feedback and what the learner's code printed, indented.
    Feedback identical to the previous test's is not repeated (a stub fails every test the same way)."""
    device = f" [{result.device}]" if result.device and result.device not in result.test else ""
    lines = [f"{t('outcome.' + result.outcome, lang):<6} {result.test}{device}  ({result.duration:.2f}s)"]
    if previous is not None and result.feedback and previous.feedback == result.feedback:
        lines[0] += "  " + t("cli.same_as_above", lang)
    else:
        for feedback in result.feedback:
            lines.extend("       " + line for line in feedback_text(feedback, lang).splitlines())
    if result.output.strip() and result.outcome != PASSED:
        printed = result.output.strip().splitlines()
        label = "your code printed:" if lang == "en" else "你的代码输出："
        lines.append(f"       {label}")
        lines.extend("         | " + line for line in printed[:8])
        if len(printed) > 8:
            lines.append(f"         | … ({len(printed) - 8} more lines)")
    return lines


def record_lines(record: GradeRecord, lang: str) -> list[str]:
    lines: list[str] = []
    if record.problem is not None:
        lines.append(feedback_text(record.problem, lang))
    previous = None
    for result in record.tests:
        lines.extend(test_lines(result, lang, previous))
        previous = result
    return lines


def protections_off(record: GradeRecord, lang: str) -> list[str]:
    index = 1 if lang == "zh" else 0
    return [PROTECTION_NAMES[name][index] for name, active in record.protections.items()
            if not active and name in PROTECTION_NAMES]
