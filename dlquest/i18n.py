"""Learner-facing strings in English and Chinese, and the choice between them.

Grader feedback is stored as a code plus values (see grader/records.py) and turned into words only here,
at display time, so that switching language also changes past feedback.
"""

from __future__ import annotations

import os

LANGUAGES = ("en", "zh")


def detect_language(setting: str | None = None) -> str:
    """`setting` wins (a --lang flag or a saved choice); otherwise the locale; otherwise English."""
    if setting in LANGUAGES:
        return setting
    for var in ("DLQUEST_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def t(key: str, lang: str, **values: object) -> str:
    """The message `key` in `lang`, with `values` filled in. Unknown keys show themselves, never crash."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key + (" " + repr(values) if values else "")
    template = entry.get(lang) or entry["en"]
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template + " " + repr(values)


def counted(count: int, noun: str, lang: str) -> str:
    """`count` and the noun, inflected where the language does: "1 lesson", "2 lessons" ("2 节课程")."""
    return t(f"count.{noun}.{'one' if count == 1 else 'other'}", lang, count=count)


MESSAGES: dict[str, dict[str, str]] = {
    # --- grader feedback codes (grader/records.py Feedback.code) -------------------------------------
    "fb.value_mismatch": {
        "en": "{what}: values differ at {count} of {total} elements (max abs error {max_abs:.3g}, max rel error "
        "{max_rel:.3g}; allowed atol={atol:.1e}, rtol={rtol:.1e}).\n"
        "  first difference at index {index}: expected {expected}, got {got}",
        "zh": "{what}：{total} 个元素中有 {count} 个数值不同（最大绝对误差 {max_abs:.3g}，最大相对误差 {max_rel:.3g}；"
        "允许 atol={atol:.1e}，rtol={rtol:.1e}）。\n  第一个不同之处在索引 {index}：期望 {expected}，得到 {got}",
    },
    "fb.shape_mismatch": {
        "en": "{what}: expected shape {expected}, got shape {got}",
        "zh": "{what}：期望形状 {expected}，实际形状 {got}",
    },
    "fb.dtype_mismatch": {
        "en": "{what}: expected dtype {expected}, got dtype {got}",
        "zh": "{what}：期望数据类型 {expected}，实际为 {got}",
    },
    "fb.dtype_note": {
        "en": "note: {what} has dtype {got} where the reference has {expected} (values compared as float64)",
        "zh": "提示：{what} 的数据类型是 {got}，参考答案是 {expected}（数值按 float64 比较）",
    },
    "fb.type_mismatch": {
        "en": "{what}: expected {expected}, got {got}",
        "zh": "{what}：期望得到 {expected}，实际得到 {got}",
    },
    "fb.length_mismatch": {
        "en": "{what}: expected {expected} items, got {got}",
        "zh": "{what}：期望 {expected} 项，实际 {got} 项",
    },
    "fb.keys_mismatch": {
        "en": "{what}: expected keys {expected}, got {got}",
        "zh": "{what}：期望的键为 {expected}，实际为 {got}",
    },
    "fb.value_differs": {
        "en": "{what}: expected {expected}, got {got}",
        "zh": "{what}：期望 {expected}，得到 {got}",
    },
    "fb.nan_mismatch": {
        "en": "{what}: NaN where the reference has a number (or the reverse), first at index {index}",
        "zh": "{what}：参考答案是数值的位置出现了 NaN（或相反），首个位置在索引 {index}",
    },
    "fb.not_gradable": {
        "en": "{what}: cannot be compared: {reason}",
        "zh": "{what}：无法比较：{reason}",
    },
    "fb.exception": {
        "en": "your code raised {type}: {message}",
        "zh": "你的代码抛出了 {type}：{message}",
    },
    "fb.exception_at": {
        "en": "  at {file}, line {line}: {source}",
        "zh": "  位置：{file} 第 {line} 行：{source}",
    },
    "fb.syntax_error": {
        "en": "your file does not parse: {message} ({file}, line {line})",
        "zh": "你的文件有语法错误：{message}（{file} 第 {line} 行）",
    },
    "fb.not_implemented": {
        "en": "not implemented yet: {message}",
        "zh": "尚未实现：{message}",
    },
    "fb.timeout": {
        "en": "your code did not finish within {seconds:g} s (an endless loop, or far too slow)",
        "zh": "你的代码在 {seconds:g} 秒内没有结束（可能是死循环，或者太慢）",
    },
    "fb.timeout_skipped": {
        "en": "not run: your code already timed out {count} times in this check",
        "zh": "未运行：你的代码在本次检查中已经超时 {count} 次",
    },
    "fb.memory": {
        "en": "your code ran out of the memory it may use ({limit})",
        "zh": "你的代码超出了允许使用的内存（{limit}）",
    },
    "fb.exited": {
        "en": "your code ended the process (exit status {status}) before returning a result",
        "zh": "你的代码在返回结果之前结束了进程（退出状态 {status}）",
    },
    "fb.killed": {
        "en": "your code's process was killed by signal {signal} ({name})",
        "zh": "你的代码所在进程被信号 {signal}（{name}）终止",
    },
    "fb.system_exit": {
        "en": "your code raised {type}({message}) instead of returning: do not exit or interrupt from an exercise",
        "zh": "你的代码抛出了 {type}({message}) 而不是返回结果：练习中不要退出或中断程序",
    },
    "fb.bad_result": {
        "en": "the result could not be read back from your code's process: {reason}",
        "zh": "无法从你的代码所在进程读回结果：{reason}",
    },
    "fb.forbidden": {
        "en": "your code called {op}, which this exercise asks you to implement yourself",
        "zh": "你的代码调用了 {op}，本练习要求你自己实现它",
    },
    "fb.no_exec": {
        "en": "your code tried to start another program (a subprocess, os.exec*, a fresh interpreter), which the "
              "grader does not allow: {message}",
        "zh": "你的代码试图启动另一个程序（子进程、os.exec*、新的解释器），评分器不允许这样做：{message}",
    },
    "fb.output_limit": {
        "en": "your code printed more than {limit} bytes; the rest was dropped",
        "zh": "你的代码输出超过 {limit} 字节，其余部分已丢弃",
    },
    "fb.assertion": {"en": "{message}", "zh": "{message}"},
    "fb.reference_failed": {
        "en": "the course has a bug in its reference solution for {exercise}; tell your instructor (not a problem "
        "in your code). The reference failed this test: {detail}",
        "zh": "课程中 {exercise} 的参考答案有错误；请告诉你的老师（不是你的代码的问题）。"
        "参考答案在此测试上出错：{detail}",
    },
    "fb.check_error": {
        "en": "the course has a bug in its check for {exercise}; tell your instructor (not a problem in your code). "
        "The check raised {type}: {message}",
        "zh": "课程中 {exercise} 的检查代码有错误；请告诉你的老师（不是你的代码的问题）。"
        "检查代码抛出了 {type}：{message}",
    },
    "fb.check_runs_no_test": {
        "en": "the course has a bug in its check for {exercise}; tell your instructor (not a problem in your code). "
        "The check runs no test.",
        "zh": "课程中 {exercise} 的检查代码有错误；请告诉你的老师（不是你的代码的问题）。检查代码没有运行任何测试。",
    },
    "fb.this_exercise": {"en": "this exercise", "zh": "本练习"},
    "fb.missing_file": {
        "en": "your file {file} does not exist; run `dlquest reset {exercise}` to get the stub back",
        "zh": "你的文件 {file} 不存在；运行 `dlquest reset {exercise}` 恢复初始文件",
    },
    # An exercise that builds on the learner's earlier files (the manifest's `uses`) stops before its check.
    "fb.uses_missing": {
        "en": "{exercise} builds on your own {used} ({file}), which does not exist: run `dlquest reset {used}`, "
        "solve it, then come back",
        "zh": "{exercise} 要用到你自己写的 {used}（{file}），但这个文件不存在：运行 `dlquest reset {used}`，"
        "先完成它再回来",
    },
    "fb.uses_failed": {
        "en": "{exercise} builds on your own {used} ({file}), which does not pass its own check yet "
        "({count} failing): run `dlquest check {used}` and fix it first",
        "zh": "{exercise} 要用到你自己写的 {used}（{file}），但它还没有通过自己的检查（{count} 项未通过）："
        "先运行 `dlquest check {used}` 并把它改对",
    },
    # Frames the grader could not read: learner code wrote to the result channel (a descriptor it holds).
    "fb.frame_not_json": {
        "en": "something your code wrote reached the grader's result channel and is not a result (not JSON): "
        "write output with print(), never to other file descriptors",
        "zh": "你的代码写入的内容进入了评分程序的结果通道，但它不是结果（不是 JSON）：请用 print() 输出，不要写入其他文件描述符",
    },
    "fb.frame_too_deep": {
        "en": "something your code wrote reached the grader's result channel nested deeper than any result is: "
        "write output with print(), never to other file descriptors",
        "zh": "你的代码写入评分程序结果通道的内容嵌套层数超过任何结果：请用 print() 输出，不要写入其他文件描述符",
    },
    "fb.frame_too_large": {
        "en": "your code's process sent the grader's result channel more than the {limit} bytes a result may have "
        "(or bytes that are no result at all): return a smaller result, and write output with print(), never to "
        "other file descriptors",
        "zh": "你的代码所在进程向评分程序的结果通道发送的数据超过了结果允许的 {limit} 字节（或者发送的根本不是结果）："
        "请返回更小的结果，并用 print() 输出，不要写入其他文件描述符",
    },
    "fb.frame_malformed": {
        "en": "your code wrote a message the grader does not understand (a {kind!r} frame) to its result channel: "
        "write output with print(), never to other file descriptors",
        "zh": "你的代码向评分程序的结果通道写入了无法理解的消息（{kind!r} 帧）：请用 print() 输出，不要写入其他文件描述符",
    },
    # --- instructor reports (dlquest grade: feedback/<student>.md, Gradescope's output) --------------------
    "report.feedback_title": {"en": "Feedback for {student}", "zh": "{student} 的反馈"},
    "report.total": {"en": "Total: {total:g} / {possible:g} points", "zh": "总分：{total:g} / {possible:g} 分"},
    "report.exercise_head": {
        "en": "{exercise}: {verdict} ({score:g} / {points:g})",
        "zh": "{exercise}：{verdict}（{score:g} / {points:g}）",
    },
    "report.no_tests": {"en": "(no tests ran)", "zh": "（没有运行任何测试）"},
    "report.no_file": {
        "en": "no file for exercise {exercise} in this submission (expected {file})",
        "zh": "本次提交中没有练习 {exercise} 的文件（应为 {file}）",
    },
    "report.unmatched": {
        "en": "warning: submission {student} holds a file for none of the {count} exercises graded (such as "
        "{examples}): is it for this course, laid out as a workspace (exercises/<name>.py)?",
        "zh": "警告：提交 {student} 中没有所评 {count} 个练习中任何一个的文件（例如 {examples}）："
        "它是这门课程的提交吗？是否按工作区的结构（exercises/<name>.py）存放？",
    },
    "report.verdict.passed": {"en": "passed", "zh": "通过"},
    "report.verdict.failed": {"en": "failed", "zh": "未通过"},
    "report.verdict.error": {"en": "error", "zh": "错误"},
    "report.verdict.timeout": {"en": "timeout", "zh": "超时"},
    "report.verdict.out_of_memory": {"en": "out of memory", "zh": "内存不足"},
    "report.verdict.crashed": {"en": "crashed", "zh": "崩溃"},
    "report.verdict.not_gradable": {"en": "not gradable", "zh": "无法评分"},
    # --- the class report (report.html, dlquest grade --summary, dlquest report) -----------------------------
    "class.title": {"en": "Class report: {course}", "zh": "班级报告：{course}"},
    "class.headline": {
        "en": "{students}, {exercises} · {points:g} points in all",
        "zh": "{students}，{exercises} · 共 {points:g} 分",
    },
    "class.contents": {"en": "Contents", "zh": "目录"},
    "class.overview": {"en": "At a glance", "zh": "概览"},
    "class.exercises": {"en": "Exercises", "zh": "各练习"},
    "class.col.exercise": {"en": "exercise", "zh": "练习"},
    "class.col.students": {"en": "students", "zh": "学生数"},
    "class.col.full_marks": {"en": "full marks", "zh": "满分"},
    "class.col.mean": {"en": "mean score", "zh": "平均分"},
    "class.col.most_failed": {"en": "most failed test", "zh": "失败最多的测试"},
    "class.col.test": {"en": "test", "zh": "测试"},
    "class.col.pass_rate": {"en": "pass rate", "zh": "通过率"},
    "class.col.passed_of": {"en": "passed / ran", "zh": "通过 / 运行"},
    "class.col.feedback": {"en": "most common feedback (an example student each)",
                           "zh": "最常见的反馈（各附一名学生为例）"},
    "class.col.student": {"en": "student", "zh": "学生"},
    "class.col.why": {"en": "why", "zh": "原因"},
    "class.col.detail": {"en": "what the grader said", "zh": "评分程序的说明"},
    "class.col.time": {"en": "grading time", "zh": "评分用时"},
    "class.full_marks": {
        "en": "{count} of {students} with full marks ({share})",
        "zh": "{students}中 {count} 人满分（{share}）",
    },
    "class.mean": {"en": "mean {mean:.1f} / {points:g} points", "zh": "平均 {mean:.1f} / {points:g} 分"},
    "class.histogram": {"en": "Score distribution", "zh": "得分分布"},
    "class.axis.points": {"en": "points", "zh": "分数"},
    "class.axis.students": {"en": "students", "zh": "人数"},
    "class.bin": {"en": "{students} scored {low:g}–{high:g}", "zh": "{students}得分 {low:g}–{high:g}"},
    "class.tests": {"en": "Tests, the most failed first", "zh": "各测试的通过率（失败最多的在前）"},
    "class.no_tests": {"en": "No test of this exercise ran for any student.", "zh": "没有任何学生运行过本练习的测试。"},
    "class.code_count": {"en": "{count}×", "zh": "{count} 人"},
    "class.example": {"en": "e.g. {student}", "zh": "例如 {student}"},
    "class.ungraded": {"en": "Could not be graded", "zh": "无法评分"},
    "class.ungraded_intro": {
        "en": "Work the grader could not judge (rather than judged wrong): it scores 0.",
        "zh": "评分程序无法判定（而非判定为错误）的作业：计 0 分。",
    },
    "class.ungraded_none": {"en": "Every student's work could be graded.", "zh": "所有学生的作业都能评分。"},
    "class.skipped": {"en": "Skipped as unchanged", "zh": "未改动而跳过的提交"},
    "class.skipped_intro": {
        "en": "Graded in an earlier run and unchanged since: their stored grades are in this report.",
        "zh": "这些提交在之前的运行中已评分且此后未改动：本报告使用其已保存的成绩。",
    },
    "class.skipped_none": {"en": "None: every submission was graded in this run.",
                           "zh": "没有：本次运行为每份提交评了分。"},
    "class.run": {"en": "The run", "zh": "本次运行"},
    "class.run.none": {"en": "No record of the run was kept (graded by an older dlquest).",
                       "zh": "没有保存本次运行的记录（由旧版 dlquest 评分）。"},
    "class.run.started": {"en": "started", "zh": "开始时间"},
    "class.run.wall_time": {"en": "wall time", "zh": "总用时"},
    "class.run.where": {"en": "graded on", "zh": "评分环境"},
    "class.run.local": {"en": "{workers} local workers", "zh": "{workers} 个本地评分进程"},
    "class.run.cluster": {"en": "the Dask cluster at {address}", "zh": "Dask 集群 {address}"},
    "class.run.device": {"en": "device", "zh": "设备"},
    "class.run.timeout": {"en": "time-out per call into student code", "zh": "每次调用学生代码的超时"},
    "class.run.timeout_own": {"en": "each exercise's own", "zh": "各练习自己的设置"},
    "class.run.submissions": {"en": "submissions", "zh": "提交数"},
    "class.run.graded": {"en": "graded in this run", "zh": "本次评分"},
    "class.run.only": {"en": "only student {student} (--student)", "zh": "仅学生 {student}（--student）"},
    "class.run.seeded": {"en": "secret seed", "zh": "秘密种子"},
    "class.run.yes": {"en": "yes", "zh": "是"},
    "class.run.no": {"en": "no", "zh": "否"},
    "class.run.interrupted": {
        "en": "Interrupted: some students are not graded yet; rerun the same command to grade the rest.",
        "zh": "运行被中断：部分学生尚未评分；再次运行同一命令即可为其余学生评分。",
    },
    "class.seconds": {"en": "{seconds:.1f} s", "zh": "{seconds:.1f} 秒"},
    "class.slowest": {"en": "Slowest to grade", "zh": "评分最慢的学生"},
    "class.footer": {
        "en": "Made by dlquest {version} from the result store in this folder; `dlquest report {out}` rebuilds it.",
        "zh": "由 dlquest {version} 根据本文件夹中的评分记录生成；`dlquest report {out}` 可重新生成。",
    },
    "class.written": {"en": "Class report: {path}", "zh": "班级报告：{path}"},
    "class.reports_in": {
        "en": "Reports in {out}: report.html, gradebook.csv, results.json, junit.xml, gradescope/, feedback/",
        "zh": "报告位于 {out}：report.html、gradebook.csv、results.json、junit.xml、gradescope/、feedback/",
    },
    "class.no_run": {
        "en": "error: {out} holds no class run (no results.jsonl in it): give the --out folder of a `dlquest grade` "
        "run",
        "zh": "错误：{out} 中没有班级评分记录（缺少 results.jsonl）：请给出 `dlquest grade` 运行时 --out 指定的文件夹",
    },
    "class.other_course": {
        "en": "error: {out} holds grades of course {held!r}, not {course!r}: pass that course with --course DIR",
        "zh": "错误：{out} 中是课程 {held!r} 的成绩，而不是 {course!r}：请用 --course DIR 指定那门课程",
    },
    # --- outcomes ---------------------------------------------------------------------------------
    "outcome.passed": {"en": "PASS", "zh": "通过"},
    "outcome.failed": {"en": "FAIL", "zh": "未通过"},
    "outcome.error": {"en": "ERROR", "zh": "错误"},
    "outcome.skipped": {"en": "SKIP", "zh": "跳过"},
    "status.not_started": {"en": "not started", "zh": "未开始"},
    "status.failing": {"en": "failing", "zh": "未通过"},
    "status.passed": {"en": "passed", "zh": "已通过"},
    # --- CLI --------------------------------------------------------------------------------------
    "cli.no_workspace": {
        "en": "error: {where} is not inside a dlquest workspace.\n"
        "Create one with `dlquest init DIR` (then cd DIR), or point at one with --workspace DIR.",
        "zh": "错误：{where} 不在 dlquest 工作区中。\n用 `dlquest init DIR` 创建一个（然后 cd DIR），或用 --workspace DIR 指定。",
    },
    "cli.unknown_item": {
        "en": "error: no {kind} {name!r}{suggestion}\n`dlquest list` shows them all.",
        "zh": "错误：没有名为 {name!r} 的{kind}{suggestion}\n用 `dlquest list` 查看全部。",
    },
    "cli.did_you_mean": {"en": "; did you mean {names}?", "zh": "；你是不是想找 {names}？"},
    "cli.same_as_above": {"en": "(same as above)", "zh": "（同上）"},
    "cli.kind.exercise": {"en": "exercise", "zh": "练习"},
    "cli.kind.lesson": {"en": "lesson", "zh": "课程"},
    "cli.kind.guide": {"en": "guide", "zh": "指南"},
    "cli.kind.quiz": {"en": "concept check", "zh": "概念检查"},
    "cli.guides": {"en": "Guides", "zh": "学习指南"},
    "cli.guide_legend": {"en": "Read one: dlquest guide ID", "zh": "阅读：dlquest guide ID"},
    "cli.manifest_error": {
        "en": "error: the course manifest {file} is broken:",
        "zh": "错误：课程清单 {file} 有问题：",
    },
    "cli.progress_locked": {
        "en": "error: your progress ({path}) is locked by another dlquest (the app, or a command) and stayed locked "
        "for {seconds} s. Nothing was changed: try again once it has finished.",
        "zh": "错误：你的进度（{path}）被另一个 dlquest（应用或命令）锁定，等待 {seconds} 秒后仍未释放。"
        "没有做任何更改：等它结束后再试。",
    },
    "cli.progress_read_only": {
        "en": "error: your progress ({path}) cannot be written: the workspace is read-only ({detail}). "
        "Nothing was changed: make the workspace writable, or copy it somewhere writable.",
        "zh": "错误：无法写入你的进度（{path}）：工作区是只读的（{detail}）。没有做任何更改：请让工作区可写，或把它复制到可写的位置。",
    },
    "cli.workspace_read_only": {
        "en": "error: {path} cannot be written: the workspace is read-only ({detail}). Nothing was changed: make "
        "the workspace writable, or copy it somewhere writable.",
        "zh": "错误：无法写入 {path}：工作区是只读的（{detail}）。没有做任何更改：请让工作区可写，或把它复制到可写的位置。",
    },
    "cli.progress_unavailable": {
        "en": "error: your progress ({path}) cannot be used ({detail}). Nothing was changed.",
        "zh": "错误：无法使用你的进度（{path}）（{detail}）。没有做任何更改。",
    },
    "serve.no_login": {
        "en": "warning: serving on {host}: anyone who can reach this address gets the app and your workspace; "
        "the page has no login.\nPut a reverse proxy with authentication in front (nginx or Caddy with basic "
        "auth, or JupyterHub's proxy), serve on 127.0.0.1 behind it, and pass --public-url with the address the "
        "browser uses.",
        "zh": "警告：正在 {host} 上提供服务：能访问此地址的任何人都能使用本应用和你的工作区；页面没有登录。\n"
        "请在前面放一个带身份验证的反向代理（带 basic auth 的 nginx 或 Caddy，或 JupyterHub 的代理），"
        "在其后面用 127.0.0.1 提供服务，并用 --public-url 传入浏览器使用的地址。",
    },
    "serve.needs_app": {
        "en": "error: `dlquest {command}` needs the app (textual), which this installation cannot open.",
        "zh": "错误：`dlquest {command}` 需要应用（textual），但此安装无法打开它。",
    },
    "cli.remembered_course": {
        "en": "(the course the workspace {workspace} remembers; pass --course DIR for another)",
        "zh": "（工作区 {workspace} 记住的课程；用 --course DIR 指定其他课程）",
    },
    "cli.corrupt_progress": {
        "en": "warning: the progress database was unreadable ({reason}); it was moved to {moved} and a new one "
        "started. Your exercise files are untouched.",
        "zh": "警告：进度数据库无法读取（{reason}）；已移动到 {moved} 并新建。你的练习文件没有受影响。",
    },
    "cli.init_created": {
        "en": "Created workspace {path} with {files}.\nNext: cd {path} && dlquest list",
        "zh": "已创建工作区 {path}，包含 {files}。\n下一步：cd {path} && dlquest list",
    },
    "cli.init_exists": {
        "en": "{path} is already a workspace; {files} added, your files untouched.",
        "zh": "{path} 已经是工作区；新增 {files}，你的文件未被改动。",
    },
    "cli.synced": {
        "en": "note: this course has {files}; added to your workspace: {names}",
        "zh": "提示：课程新增了 {files}，已加入你的工作区：{names}",
    },
    # The notebook API (dlquest/notebook): a note while the grading runs out of the kernel, and an interrupt.
    "nb.grading": {
        "en": "Grading {exercise}… (Interrupt the kernel to cancel.)",
        "zh": "正在评分 {exercise}…（中断内核即可取消。）",
    },
    "nb.interrupted": {
        "en": "The grading of {exercise} was cancelled (kernel interrupt); nothing was recorded.",
        "zh": "{exercise} 的评分已取消（内核被中断）；没有记录这次尝试。",
    },
    "cli.grading": {
        "en": "Grading {exercise}…",
        "zh": "正在评分 {exercise}…",
    },
    "cli.daemon_status": {
        "en": "The grading daemon is running: pid {pid}, key {daemon_key}, socket {socket}, exits after {idle} s idle.",
        "zh": "评分守护进程正在运行：pid {pid}，键 {daemon_key}，套接字 {socket}，空闲 {idle} 秒后退出。",
    },
    "cli.daemon_not_running": {
        "en": "No grading daemon is running (the next `dlquest check` starts one).",
        "zh": "没有正在运行的评分守护进程（下一次 `dlquest check` 会启动它）。",
    },
    "cli.daemon_stopped": {
        "en": "The grading daemon was stopped.",
        "zh": "评分守护进程已停止。",
    },
    "cli.daemon_start_failed": {
        "en": "The grading daemon could not start; `dlquest check` grades without it.",
        "zh": "评分守护进程无法启动；`dlquest check` 会在没有它的情况下评分。",
    },
    # --- dlquest watch ---------------------------------------------------------------------------------
    "watch.start_saves": {
        "en": "Watching {exercise} ({file}): every save is graded. q or Ctrl-C leaves.",
        "zh": "正在监视 {exercise}（{file}）：每次保存都会评分。按 q 或 Ctrl-C 退出。",
    },
    "watch.start_manual": {
        "en": "Watching {exercise} ({file}) by hand: press Enter (or r) to grade it again. q or Ctrl-C leaves.",
        "zh": "手动监视 {exercise}（{file}）：按回车（或 r）重新评分。按 q 或 Ctrl-C 退出。",
    },
    "watch.no_keys_saves": {
        "en": "Keys are unavailable (input is not a terminal): every save is graded; Ctrl-C or the end of the "
              "input leaves.",
        "zh": "按键不可用（输入不是终端）：每次保存都会评分；按 Ctrl-C 或输入结束时退出。",
    },
    "watch.no_keys_manual": {
        "en": "Keys are unavailable (input is not a terminal): each line of input grades again; Ctrl-C or the end "
              "of the input leaves.",
        "zh": "按键不可用（输入不是终端）：每读到一行输入就重新评分；按 Ctrl-C 或输入结束时退出。",
    },
    "watch.keys_passed": {
        "en": "Keys: n next exercise · h hint · l list · r regrade · q quit",
        "zh": "按键：n 下一个练习 · h 提示 · l 列表 · r 重新评分 · q 退出",
    },
    "watch.keys_failing": {
        "en": "Save {file} to grade it again. Keys: h hint · l list · r regrade · n next exercise · q quit",
        "zh": "保存 {file} 即可重新评分。按键：h 提示 · l 列表 · r 重新评分 · n 下一个练习 · q 退出",
    },
    "watch.keys_manual": {
        "en": "Press Enter to grade {file} again. Keys: h hint · l list · r regrade · n next exercise · q quit",
        "zh": "按回车重新评分 {file}。按键：h 提示 · l 列表 · r 重新评分 · n 下一个练习 · q 退出",
    },
    "watch.list_legend": {
        "en": "Exercises (▶ this one · ✔ passed · ✘ failing · · not started · 🔒 locked):",
        "zh": "练习（▶ 当前 · ✔ 已通过 · ✘ 未通过 · · 未开始 · 🔒 未解锁）：",
    },
    "watch.all_done": {
        "en": "No open exercise is left to pass: every one is passed or still locked. `dlquest list` shows them.",
        "zh": "没有待通过的已解锁练习了：每个练习都已通过或尚未解锁。`dlquest list` 可以查看。",
    },
    "watch.grading_failed": {
        "en": "error: the grading itself failed ({error}); save again or press r to retry.",
        "zh": "错误：评分本身失败了（{error}）；再保存一次或按 r 重试。",
    },
    "watch.interrupted": {"en": "Stopped watching.", "zh": "已停止监视。"},
    "cli.check_header": {
        "en": "Checking {exercise} ({file})…",
        "zh": "正在检查 {exercise}（{file}）…",
    },
    "cli.check_summary_pass": {
        "en": "All {total} tests passed. Well done! Next: {next}",
        "zh": "全部 {total} 个测试通过，干得好！下一步：{next}",
    },
    "cli.check_summary_pass_last": {
        "en": "All {total} tests passed. Well done!",
        "zh": "全部 {total} 个测试通过，干得好！",
    },
    "cli.check_summary_pass_one": {
        "en": "The test passed. Well done! Next: {next}",
        "zh": "测试通过，干得好！下一步：{next}",
    },
    "cli.check_summary_pass_one_last": {"en": "The test passed. Well done!", "zh": "测试通过，干得好！"},
    "cli.check_summary_fail_one": {"en": "The test failed.", "zh": "测试未通过。"},
    "cli.check_summary_fail": {
        "en": "{failed} of {total} tests failed.",
        "zh": "{total} 个测试中有 {failed} 个未通过。",
    },
    "cli.last_hint": {"en": "Hint {n}/{total}: {text}", "zh": "提示 {n}/{total}：{text}"},
    "cli.more_hints": {
        "en": "Stuck? `dlquest hint {exercise}` shows the next hint ({left} left).",
        "zh": "卡住了？`dlquest hint {exercise}` 显示下一条提示（还剩 {left} 条）。",
    },
    "cli.no_more_hints": {
        "en": "That was the last hint. `dlquest solution {exercise}` shows the reference once you pass, or with --yes.",
        "zh": "这是最后一条提示。通过后（或加 --yes）可以用 `dlquest solution {exercise}` 查看参考答案。",
    },
    "cli.protections_off": {
        "en": "note: grading without {names} on this system (learner code is less contained).",
        "zh": "提示：本系统上评分时未启用 {names}（对学习者代码的隔离较弱）。",
    },
    "cli.solution_locked": {
        "en": "The reference solution opens after you pass {exercise}. To see it now anyway: "
        "`dlquest solution {exercise} --yes`.",
        "zh": "通过 {exercise} 之后才能查看参考答案。如果现在就要看：`dlquest solution {exercise} --yes`。",
    },
    "cli.reset_done": {
        "en": "Restored the stub of {exercise}; your version was saved as backup {backup}.",
        "zh": "已恢复 {exercise} 的初始文件；你的版本已备份为 {backup}。",
    },
    "cli.reset_fresh": {"en": "Restored the stub of {exercise}.", "zh": "已恢复 {exercise} 的初始文件。"},
    "cli.no_backups": {"en": "No backups for {exercise}.", "zh": "{exercise} 没有备份。"},
    "cli.restored": {
        "en": "Restored {exercise} from backup {backup}; the version it replaced was saved as backup {saved}.",
        "zh": "已从备份 {backup} 恢复 {exercise}；被替换的版本已备份为 {saved}。",
    },
    "cli.unknown_backup": {
        "en": "error: no backup {backup!r} for {exercise}. `dlquest backups {exercise}` lists them.",
        "zh": "错误：{exercise} 没有名为 {backup!r} 的备份。用 `dlquest backups {exercise}` 查看。",
    },
    "cli.locked": {"en": "locked: pass {names} first", "zh": "未解锁：请先通过 {names}"},
    "cli.next_up": {"en": "next", "zh": "下一个"},
    "cli.stage_time": {"en": "(about {time})", "zh": "（预计 {time}）"},
    "cli.lesson_read": {"en": "read", "zh": "已读"},
    "cli.task_footer": {"en": "Your file: {file}. Grade it with: dlquest check {exercise}",
                        "zh": "你的文件：{file}。检查：dlquest check {exercise}"},
    "cli.list_legend": {
        "en": "Open a lesson: dlquest lesson ID   Grade an exercise: dlquest check ID   Read a guide: dlquest guide ID",
        "zh": "打开课程：dlquest lesson ID   检查练习：dlquest check ID   阅读指南：dlquest guide ID",
    },
    "cli.no_example": {"en": "Lesson {lesson} has no runnable example.", "zh": "课程 {lesson} 没有可运行的示例。"},
    "cli.notebook_exists": {
        "en": "error: {path} already exists. Choose another file with -o FILE, or add --force to replace it.",
        "zh": "错误：{path} 已存在。用 -o FILE 换一个文件，或加 --force 覆盖它。",
    },
    "cli.notebook_written": {"en": "Wrote lesson {lesson} as the notebook {path}.",
                             "zh": "已把课程 {lesson} 写成笔记本 {path}。"},
    "cli.course_check_ok": {
        "en": "Course {course} is sound: {exercises}, {lessons}.",
        "zh": "课程 {course} 检查通过：{exercises}，{lessons}。",
    },
    "cli.course_check_bad": {
        "en": "Course {course} has {problems}.",
        "zh": "课程 {course} 有 {problems}。",
    },
    # --- concept checks (dlquest/quiz.py judges; both faces word it) ----------------------------------
    "quiz.empty": {"en": "Give an answer first.", "zh": "请先作答。"},
    "quiz.bad_choice": {"en": "{given!r} is not a choice; answer with {keys}.", "zh": "{given!r} 不是选项；请从 {keys} 中作答。"},
    "quiz.one_choice": {"en": "Choose exactly one.", "zh": "请只选一项。"},
    "quiz.bad_number": {"en": "{given!r} is not a number (write 14, 0.25 or 3/4).", "zh": "{given!r} 不是数（写成 14、0.25 或 3/4）。"},
    "quiz.bad_shape": {"en": "{given!r} is not a shape (write (8, 16, 14, 14)).", "zh": "{given!r} 不是形状（写成 (8, 16, 14, 14)）。"},
    "quiz.finished": {"en": "Every question is answered.", "zh": "所有问题都已作答。"},
    "quiz.right": {"en": "✔ Right.", "zh": "✔ 回答正确。"},
    "quiz.wrong": {"en": "✘ Not quite.", "zh": "✘ 不太对。"},
    "quiz.the_answer": {"en": "The answer: {answer}", "zh": "正确答案：{answer}"},
    "quiz.your_answer": {"en": "you: {answer}", "zh": "你的答案：{answer}"},
    "quiz.note_picked": {"en": "{choice} (your choice):", "zh": "{choice}（你的选择）："},
    "quiz.note_answer": {"en": "{choice} (the right one):", "zh": "{choice}（正确选项）："},
    "quiz.note_missed": {"en": "{choice} (right, not chosen):", "zh": "{choice}（正确但未选）："},
    "quiz.note_other": {"en": "{choice}:", "zh": "{choice}："},
    "quiz.note_right": {"en": "Why:", "zh": "原因："},
    "quiz.note_wrong": {"en": "Why:", "zh": "原因："},
    "quiz.note_mistake": {"en": "Your answer:", "zh": "你的答案："},
    "quiz.score": {"en": "{correct} of {total} right (pass mark {mark}).", "zh": "答对 {correct}/{total} 题（及格线 {mark} 题）。"},
    "quiz.passed": {"en": "Passed: well done!", "zh": "通过，干得好！"},
    "quiz.not_passed": {"en": "Not passed yet: reread the sections above and retake it.", "zh": "尚未通过：重读上面这些小节后再做一次。"},
    "cli.quiz_header": {"en": "{title} — {count} questions on lesson {lesson}", "zh": "{title} —— 关于课程 {lesson} 的 {count} 个问题"},
    "cli.quiz_question": {"en": "Question {n} of {total} · from “{section}”", "zh": "第 {n}/{total} 题 · 出自“{section}”"},
    "cli.quiz_ask_one": {"en": "Your answer (one letter)", "zh": "你的答案（一个字母）"},
    "cli.quiz_ask_many": {"en": "Your answer (every letter that applies, e.g. a,c)", "zh": "你的答案（所有符合的字母，如 a,c）"},
    "cli.quiz_ask_line": {"en": "Your answer (a line number)", "zh": "你的答案（行号）"},
    "cli.quiz_ask_number": {"en": "Your answer (a number)", "zh": "你的答案（一个数）"},
    "cli.quiz_ask_shape": {"en": "Your answer (a shape such as (8, 16, 14, 14))", "zh": "你的答案（形状，如 (8, 16, 14, 14)）"},
    "cli.quiz_ended": {
        "en": "error: the input ended before question {n} was answered; nothing was stored.",
        "zh": "错误：在回答第 {n} 题之前输入就结束了；没有保存任何记录。",
    },
    "cli.quiz_broken": {"en": "error: the concept check {quiz} is broken:", "zh": "错误：概念检查 {quiz} 有问题："},
    "cli.quiz_retake": {"en": "Retake it any time: dlquest quiz {lesson}", "zh": "随时可以重做：dlquest quiz {lesson}"},
    "cli.course_check_quizzes": {"en": "Every concept check is sound: {quizzes}.", "zh": "所有概念检查均无问题：{quizzes}。"},
    "count.quiz.one": {"en": "{count} concept check", "zh": "{count} 个概念检查"},
    "count.quiz.other": {"en": "{count} concept checks", "zh": "{count} 个概念检查"},
    # --- counted nouns: counted(n, "exercise", lang) -> "1 exercise", "2 exercises", "2 个练习" ---------
    "count.exercise.one": {"en": "{count} exercise", "zh": "{count} 个练习"},
    "count.exercise.other": {"en": "{count} exercises", "zh": "{count} 个练习"},
    "count.student.one": {"en": "{count} student", "zh": "{count} 名学生"},
    "count.student.other": {"en": "{count} students", "zh": "{count} 名学生"},
    "count.lesson.one": {"en": "{count} lesson", "zh": "{count} 节课程"},
    "count.lesson.other": {"en": "{count} lessons", "zh": "{count} 节课程"},
    "count.problem.one": {"en": "{count} problem", "zh": "{count} 个问题"},
    "count.problem.other": {"en": "{count} problems", "zh": "{count} 个问题"},
    "count.test.one": {"en": "{count} test", "zh": "{count} 个测试"},
    "count.test.other": {"en": "{count} tests", "zh": "{count} 个测试"},
    "count.exercise_file.one": {"en": "{count} exercise file", "zh": "{count} 个练习文件"},
    "count.exercise_file.other": {"en": "{count} exercise files", "zh": "{count} 个练习文件"},
    "count.new_exercise_file.one": {"en": "{count} new exercise file", "zh": "{count} 个练习文件"},
    "count.new_exercise_file.other": {"en": "{count} new exercise files", "zh": "{count} 个练习文件"},
}
