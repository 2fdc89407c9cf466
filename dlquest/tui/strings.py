"""Every piece of app text in English and Chinese, in the shape of dlquest.i18n.MESSAGES.

Grader feedback, outcomes and statuses come from dlquest.i18n (shared with the CLI); this catalog holds only
what the app itself says. Binding descriptions are keys of this catalog ("key.save"), translated when a
screen is shown and whenever the language changes. A text that names a key a browser keeps for itself (F5,
ctrl+n, ...) names it as `{key_grade}`, `{key_next}`, `{key_retake}` or `{key_quit}`: ui() fills in the key bound
in a terminal or, with web=True, in a browser (dlquest.tui.keys); a test keeps such keys out of the templates.
"""

from __future__ import annotations

from dlquest.i18n import t
from dlquest.tui.keys import key_names


def ui(key: str, lang: str, *, web: bool = False, **values) -> str:
    """The app string `key` in `lang`, falling back to dlquest.i18n's catalog, then to the key itself. `web`:
    the app runs in a browser (App.is_web), so the keys it names are the browser's."""
    entry = STRINGS.get(key)
    if entry is None:
        return t(key, lang, **values)
    template = entry.get(lang) or entry["en"]
    try:
        return template.format(**{**key_names(web), **values})
    except (KeyError, IndexError, ValueError):
        return template + " " + repr(values)


STRINGS: dict[str, dict[str, str]] = {
    # --- keys (binding descriptions in the footer) ---------------------------------------------------
    "key.quit": {"en": "Quit", "zh": "退出"},
    "key.palette": {"en": "Commands", "zh": "命令"},
    "key.open": {"en": "Open", "zh": "打开"},
    "key.next": {"en": "Next", "zh": "下一个"},
    "key.progress": {"en": "Progress", "zh": "进度"},
    "key.language": {"en": "中文", "zh": "English"},
    "key.theme": {"en": "Light/dark", "zh": "明暗"},
    "key.help": {"en": "Keys", "zh": "按键"},
    "key.back": {"en": "Back", "zh": "返回"},
    "key.run": {"en": "Run example", "zh": "运行示例"},
    "key.stop": {"en": "Stop", "zh": "停止"},
    "key.exercise": {"en": "Exercise", "zh": "练习"},
    "key.contents": {"en": "Contents", "zh": "目录"},
    "key.save": {"en": "Save", "zh": "保存"},
    "key.grade": {"en": "Grade", "zh": "评分"},
    "key.cancel": {"en": "Cancel", "zh": "取消"},
    "key.hint": {"en": "Hint", "zh": "提示"},
    "key.solution": {"en": "Solution", "zh": "答案"},
    "key.editor": {"en": "Editor", "zh": "编辑器"},
    "key.reset": {"en": "Reset", "zh": "重置"},
    "key.lesson": {"en": "Lesson", "zh": "课程"},
    "key.close": {"en": "Close", "zh": "关闭"},
    "key.yes": {"en": "Yes", "zh": "是"},
    "key.no": {"en": "No", "zh": "否"},
    "key.create": {"en": "Create", "zh": "创建"},
    "key.quiz": {"en": "Concept check", "zh": "概念检查"},
    "key.quiz_answer": {"en": "Answer / next", "zh": "作答/继续"},
    "key.quiz_retake": {"en": "Retake", "zh": "重做"},
    # --- common --------------------------------------------------------------------------------------
    "app.lang_set": {"en": "Language: English", "zh": "语言：中文"},
    "app.grader_unavailable": {
        "en": "The grader could not start ({reason}). It will try again at the next grading.",
        "zh": "评分程序无法启动（{reason}）。下次评分时会再次尝试。",
    },
    "app.corrupt_progress": {
        "en": "The progress database was unreadable ({reason}); it was moved to {moved} and a new one started. "
        "Your exercise files are untouched.",
        "zh": "进度数据库无法读取（{reason}）；已移动到 {moved} 并新建。你的练习文件没有受影响。",
    },
    "app.progress_failed": {
        "en": "Could not store this attempt in your progress ({error}); the verdict below is still right.",
        "zh": "无法把这次提交写入学习进度（{error}）；下面的评分结果仍然有效。",
    },
    "app.synced": {
        "en": "This course has new exercises; added to your workspace: {names}",
        "zh": "课程新增了练习，已加入你的工作区：{names}",
    },
    "kind.lesson": {"en": "Lesson", "zh": "课程"},
    "kind.exercise": {"en": "Exercise", "zh": "练习"},
    "kind.guide": {"en": "Guide", "zh": "指南"},
    "kind.quiz": {"en": "Concept check", "zh": "概念检查"},
    "status.read": {"en": "read", "zh": "已读"},
    "status.unread": {"en": "not read", "zh": "未读"},
    # --- roadmap -------------------------------------------------------------------------------------
    "roadmap.title": {"en": "Roadmap", "zh": "学习路线"},
    "roadmap.next": {"en": "next", "zh": "下一步"},
    "roadmap.locked": {"en": "locked: pass {names} first", "zh": "未解锁：请先通过 {names}"},
    "roadmap.empty_unit": {"en": "coming soon", "zh": "即将推出"},
    "roadmap.stage_count": {"en": "{done}/{total} done", "zh": "已完成 {done}/{total}"},
    "roadmap.stage_empty": {"en": "no items yet", "zh": "暂无内容"},
    "roadmap.stage_time": {"en": "About {total} in all, {left} left.", "zh": "预计共需 {total}，还剩 {left}。"},
    "roadmap.item_time": {"en": "About {time}.", "zh": "预计用时：{time}。"},
    "roadmap.guides": {"en": "Guides: the path, resources, FAQ, careers", "zh": "学习指南：路线、资源、常见问题与职业"},
    "roadmap.guide_about": {"en": "A guide to read at any time; it counts toward no stage.",
                            "zh": "随时可读的指南，不计入任何阶段的进度。"},
    "roadmap.status": {"en": "Status: {status}", "zh": "状态：{status}"},
    "roadmap.passed_before": {"en": "(passed before)", "zh": "（曾经通过）"},
    "roadmap.attempts": {"en": "Attempts: {count}", "zh": "提交次数：{count}"},
    "roadmap.points": {"en": "Points: {points:g}", "zh": "分值：{points:g}"},
    "roadmap.hints": {"en": "Hints seen: {seen}/{total}", "zh": "已看提示：{seen}/{total}"},
    "roadmap.has_example": {"en": "Has a runnable example.", "zh": "附带可运行的示例。"},
    "roadmap.for_lesson": {"en": "Lesson: {title}", "zh": "对应课程：{title}"},
    "roadmap.open_hint": {"en": "Enter opens it.", "zh": "按 Enter 打开。"},
    "roadmap.open_locked": {
        "en": "Enter opens it anyway (after a confirmation).",
        "zh": "按 Enter 仍可打开（需确认）。",
    },
    "roadmap.quiz_runs": {"en": "Taken: {count}", "zh": "作答次数：{count}"},
    "roadmap.quiz_best": {"en": "best: {best} right", "zh": "最好成绩：答对 {best} 题"},
    "roadmap.quiz_about": {
        "en": "Questions on the lesson, answered here and never graded; retake it at any time. Enter opens it.",
        "zh": "关于本课的问题，在这里作答，不计入评分；随时可以重做。按 Enter 打开。",
    },
    "roadmap.all_done": {"en": "Everything is done. Well done!", "zh": "全部完成，干得好！"},
    "roadmap.next_line": {"en": "Next: {title} (press n)", "zh": "下一步：{title}（按 n）"},
    # --- lesson --------------------------------------------------------------------------------------
    "lesson.output_title": {"en": "Example output", "zh": "示例输出"},
    "lesson.no_example": {"en": "This lesson has no runnable example.", "zh": "本课没有可运行的示例。"},
    "lesson.running": {"en": "Running {script} …  (s stops it)", "zh": "正在运行 {script} …（按 s 停止）"},
    "lesson.exited_ok": {"en": "The example finished.", "zh": "示例运行完毕。"},
    "lesson.exited_bad": {
        "en": "The example failed (exit status {code}); its output is above.",
        "zh": "示例运行失败（退出状态 {code}）；输出见上方。",
    },
    "lesson.stopped": {"en": "The example was stopped.", "zh": "示例已停止。"},
    "lesson.cannot_start": {"en": "Could not start the example: {error}", "zh": "无法启动示例：{error}"},
    "lesson.page_missing": {
        "en": "Cannot read the lesson page: {error}",
        "zh": "无法读取课程页面：{error}",
    },
    "lesson.no_exercise": {"en": "This lesson has no exercise.", "zh": "本课没有练习。"},
    "lesson.already_running": {"en": "The example is already running.", "zh": "示例已在运行。"},
    "lesson.quiz_offer": {
        "en": "**Check your understanding:** {title}, a few questions on this lesson. Press **k** to start.",
        "zh": "**检验一下理解：**{title}，关于本课的几个问题。按 **k** 开始。",
    },
    # --- concept check -------------------------------------------------------------------------------
    "quiz.heading": {"en": "Question {n} of {total} · from “{section}”", "zh": "第 {n}/{total} 题 · 出自“{section}”"},
    "quiz.broken": {
        "en": "This concept check cannot be opened; its question file is broken:\n{problems}",
        "zh": "无法打开这个概念检查，它的题目文件有问题：\n{problems}",
    },
    "quiz.placeholder_number": {"en": "a number, then Enter", "zh": "输入一个数，然后按 Enter"},
    "quiz.placeholder_shape": {"en": "a shape such as (8, 16, 14, 14), then Enter",
                               "zh": "输入形状，例如 (8, 16, 14, 14)，然后按 Enter"},
    "quiz.enter_next": {"en": "Enter: next question", "zh": "按 Enter 进入下一题"},
    "quiz.enter_summary": {"en": "Enter: see how you did", "zh": "按 Enter 查看结果"},
    "quiz.summary_title": {"en": "How you did", "zh": "作答结果"},
    "quiz.summary_keys": {
        "en": "{key_retake} retakes it · Enter or Esc goes back. Only your progress records it: concept checks are never graded.",
        "zh": "{key_retake} 重做 · Enter 或 Esc 返回。结果只记入你的学习进度：概念检查不计入评分。",
    },
    "quiz.store_failed": {
        "en": "Could not store this run in your progress ({error}); the summary is still right.",
        "zh": "无法把这次作答写入学习进度（{error}）；结果仍然有效。",
    },
    # --- exercise ------------------------------------------------------------------------------------
    "exercise.task_title": {"en": "Task", "zh": "任务"},
    "exercise.results_title": {"en": "Results", "zh": "结果"},
    "exercise.modified": {"en": "modified", "zh": "未保存"},
    "exercise.not_graded": {
        "en": "Not graded yet. Save (ctrl+s) or press {key_grade} to grade.",
        "zh": "尚未评分。保存（ctrl+s）或按 {key_grade} 开始评分。",
    },
    "exercise.grading": {"en": "Grading …  (F8 cancels)", "zh": "正在评分 …（按 F8 取消）"},
    "exercise.starting": {
        "en": "Grading … the grader is still loading PyTorch the first time.  (F8 cancels)",
        "zh": "正在评分 … 评分程序第一次启动，正在加载 PyTorch。（按 F8 取消）",
    },
    "exercise.queued": {
        "en": "The file changed again; it is graded once this grading ends.",
        "zh": "文件又有改动；本次评分结束后会再评一次。",
    },
    "exercise.cancelled": {
        "en": "Grading cancelled. {key_grade} grades again.",
        "zh": "评分已取消。按 {key_grade} 重新评分。",
    },
    "exercise.nothing_to_cancel": {"en": "No grading is running.", "zh": "当前没有正在进行的评分。"},
    "exercise.grader_failed": {
        "en": "The grader failed: {reason}\nYour file is unchanged; {key_grade} tries again.",
        "zh": "评分程序出错：{reason}\n你的文件没有改动；按 {key_grade} 重试。",
    },
    "exercise.passed": {"en": "All {total} tests passed. Well done!", "zh": "全部 {total} 个测试通过，干得好！"},
    "exercise.passed_one": {"en": "The test passed. Well done!", "zh": "测试通过，干得好！"},
    "exercise.passed_next": {
        "en": "Next up: {title}. Press {key_next} when you are ready.",
        "zh": "下一步：{title}。准备好了就按 {key_next}。",
    },
    "exercise.passed_last": {"en": "That was the last item of the course.", "zh": "这是课程的最后一项。"},
    "exercise.failed": {"en": "{failed} of {total} tests failed.", "zh": "{total} 个测试中有 {failed} 个未通过。"},
    "exercise.error": {"en": "The check could not run.", "zh": "检查无法运行。"},
    "exercise.graded_at": {"en": "graded {when}", "zh": "评分时间 {when}"},
    "exercise.hint": {"en": "Hint {n}/{total}: {text}", "zh": "提示 {n}/{total}：{text}"},
    "exercise.more_hints": {
        "en": "Stuck? F2 shows the next hint ({left} left).",
        "zh": "卡住了？按 F2 查看下一条提示（还剩 {left} 条）。",
    },
    "exercise.no_more_hints": {
        "en": "That was the last hint. F3 shows the reference solution.",
        "zh": "这是最后一条提示。按 F3 查看参考答案。",
    },
    "exercise.file_missing": {
        "en": "Your file {file} does not exist. F9 puts the stub back.",
        "zh": "你的文件 {file} 不存在。按 F9 恢复初始文件。",
    },
    "exercise.file_unreadable": {"en": "Cannot read {file}: {error}", "zh": "无法读取 {file}：{error}"},
    "exercise.save_failed": {"en": "Could not save {file}: {error}", "zh": "无法保存 {file}：{error}"},
    "exercise.saved": {"en": "Saved {file}.", "zh": "已保存 {file}。"},
    "exercise.reloaded": {"en": "{file} changed on disk; reloaded.", "zh": "{file} 在磁盘上被修改，已重新载入。"},
    "exercise.conflict": {
        "en": "{file} changed on disk, but you have unsaved edits here: ctrl+s saves yours over it.",
        "zh": "{file} 在磁盘上被修改，但这里有未保存的改动：按 ctrl+s 用你的版本覆盖。",
    },
    "exercise.no_suspend": {
        "en": "An external editor cannot take over this terminal here; edit in the app instead.",
        "zh": "此处无法切换到外部编辑器；请直接在应用内编辑。",
    },
    "exercise.editor_failed": {"en": "Could not run the editor {editor}: {error}", "zh": "无法运行编辑器 {editor}：{error}"},
    "exercise.no_editor": {
        "en": "No editor found: set $EDITOR (or $VISUAL).",
        "zh": "找不到编辑器：请设置 $EDITOR（或 $VISUAL）。",
    },
    "exercise.solution_confirm": {
        "en": "You have not passed {exercise} yet. Look at the reference solution anyway?",
        "zh": "你还没有通过 {exercise}。仍然要查看参考答案吗？",
    },
    "exercise.solution_title": {"en": "Reference solution · {exercise}", "zh": "参考答案 · {exercise}"},
    "exercise.solution_missing": {
        "en": "Cannot read the reference solution: {error}",
        "zh": "无法读取参考答案：{error}",
    },
    "exercise.reset_confirm": {
        "en": "Put the stub of {exercise} back? Your version is kept as a backup.",
        "zh": "恢复 {exercise} 的初始文件？你的版本会保存为备份。",
    },
    "exercise.reset_done": {
        "en": "Restored the stub; your version was saved as backup {backup}.",
        "zh": "已恢复初始文件；你的版本已备份为 {backup}。",
    },
    "exercise.reset_fresh": {"en": "Restored the stub.", "zh": "已恢复初始文件。"},
    "exercise.reset_failed": {"en": "Could not reset: {error}", "zh": "无法重置：{error}"},
    "exercise.locked_confirm": {
        "en": "{exercise} is locked: pass {names} first. Open it anyway?",
        "zh": "{exercise} 尚未解锁：请先通过 {names}。仍然要打开吗？",
    },
    "exercise.worker_stopped": {"en": "the grading worker stopped", "zh": "评分进程意外退出"},
    "exercise.protections_off": {
        "en": "note: graded without {names} on this system.",
        "zh": "提示：本系统评分时未启用 {names}。",
    },
    # --- progress ------------------------------------------------------------------------------------
    "progress.title": {"en": "Progress", "zh": "学习进度"},
    "progress.col.exercise": {"en": "Exercise", "zh": "练习"},
    "progress.col.status": {"en": "Status", "zh": "状态"},
    "progress.col.attempts": {"en": "Attempts", "zh": "提交"},
    "progress.col.passed": {"en": "Passed on", "zh": "通过日期"},
    "progress.col.time": {"en": "Time", "zh": "用时"},
    "progress.col.hints": {"en": "Hints", "zh": "提示"},
    "progress.plot_title": {"en": "Attempts per day", "zh": "每日提交次数"},
    "progress.no_attempts": {
        "en": "No attempts yet: grade an exercise and it shows up here.",
        "zh": "还没有提交记录：完成一次评分后会显示在这里。",
    },
    "progress.summary": {
        "en": "{passed} of {total} exercises passed · {attempts} attempts · {time} of work",
        "zh": "已通过 {passed}/{total} 个练习 · 共提交 {attempts} 次 · 用时 {time}",
    },
    "progress.stage_left": {"en": "{stage}: {done}/{total} done · {left} left of {all}",
                            "zh": "{stage}：已完成 {done}/{total} · 预计还剩 {left}（共 {all}）"},
    "progress.quiz_row": {"en": "Concept check: {title}", "zh": "概念检查：{title}"},
    "progress.quiz_best": {"en": "best {best}", "zh": "最好 {best}"},
    "progress.quiz_summary": {
        "en": " · {passed} of {total} concept checks passed",
        "zh": " · 已通过 {passed}/{total} 个概念检查",
    },
    "progress.time_note": {
        "en": "Time counts the gaps between your gradings, pauses over 15 minutes left out.",
        "zh": "用时按相邻两次评分的间隔累计，超过 15 分钟的停顿不计。",
    },
    # --- welcome -------------------------------------------------------------------------------------
    "welcome.title": {"en": "Welcome to dlquest", "zh": "欢迎使用 dlquest"},
    "welcome.body": {
        "en": "Learn deep learning with PyTorch by reading short lessons and implementing the pieces yourself.\n\n"
        "- **Roadmap**: arrows move, **Enter** opens a lesson or an exercise, **n** jumps to what is next.\n"
        "- **Lesson**: **r** runs the example, **e** opens its exercise, **Esc** goes back.\n"
        "- **Exercise**: edit on the right, **ctrl+s** saves and grades at once. **F2** shows a hint, "
        "**F3** the solution, {editor}**{key_grade}** grades again, **F8** cancels a grading.\n"
        "- **ctrl+p** finds any lesson or exercise and switches language and theme; **p** shows your "
        "progress; **{key_quit}** quits.\n\n"
        "The keys of each screen are always shown at the bottom. **F1** brings this page back.",
        "zh": "通过阅读简短的课程、亲手实现关键部件来学习 PyTorch 深度学习。\n\n"
        "- **学习路线**：方向键移动，**Enter** 打开课程或练习，**n** 跳到下一步。\n"
        "- **课程**：**r** 运行示例，**e** 打开对应练习，**Esc** 返回。\n"
        "- **练习**：在右侧编辑，**ctrl+s** 保存并立即评分。**F2** 查看提示，**F3** 查看参考答案，"
        "{editor}**{key_grade}** 重新评分，**F8** 取消评分。\n"
        "- **ctrl+p** 可以搜索任意课程或练习、切换语言和主题；**p** 查看学习进度；**{key_quit}** 退出。\n\n"
        "每个界面可用的按键都显示在底部。按 **F1** 可再次打开本页。",
    },
    # the F4 part of welcome.body's {editor}: in a browser there is no outside editor (the one on the screen is it)
    "welcome.editor": {"en": "**F4** opens your $EDITOR, ", "zh": "**F4** 用 $EDITOR 打开，"},
    "welcome.start": {"en": "Start", "zh": "开始"},
    # --- workspace setup -----------------------------------------------------------------------------
    "setup.title": {"en": "Create a workspace", "zh": "创建工作区"},
    "setup.body": {
        "en": "dlquest keeps your exercise files and your progress in a workspace folder. There is none at or "
        "above {where}.\n\nCreate one in this folder (it is made if it does not exist; existing files are "
        "never overwritten):",
        "zh": "dlquest 把你的练习文件和学习进度保存在工作区文件夹中。在 {where} 及其上级目录中没有找到工作区。\n\n"
        "在下面的文件夹中创建一个（不存在会自动创建；已有文件不会被覆盖）：",
    },
    "setup.quit": {"en": "Quit", "zh": "退出"},
    "setup.failed": {"en": "Could not create the workspace: {error}", "zh": "无法创建工作区：{error}"},
    "setup.created": {
        "en": "Created the workspace {path}. Next time, start dlquest in that folder.",
        "zh": "已创建工作区 {path}。下次请在该文件夹中启动 dlquest。",
    },
    # --- problems that stop the app from opening a course ------------------------------------------
    "problem.title": {"en": "dlquest cannot open the course", "zh": "dlquest 无法打开课程"},
    "problem.manifest": {"en": "The course manifest {file} is broken:", "zh": "课程清单 {file} 有问题："},
    "problem.quit": {"en": "Press q to quit.", "zh": "按 q 退出。"},
    # --- command palette ---------------------------------------------------------------------------
    "cmd.placeholder": {"en": "Search lessons, exercises and commands…", "zh": "搜索课程、练习和命令…"},
    "sys.theme": {"en": "Theme…", "zh": "主题…"},
    "sys.theme_help": {"en": "Choose any colour theme", "zh": "选择任意配色主题"},
    "sys.keys": {"en": "Keys", "zh": "按键"},
    "sys.keys_help": {"en": "Show the keys of this screen in a side panel", "zh": "在侧栏显示本界面的按键"},
    "sys.keys_hide": {"en": "Hide the keys panel", "zh": "隐藏按键侧栏"},
    "sys.quit": {"en": "Quit", "zh": "退出"},
    "sys.quit_help": {"en": "Leave dlquest (your work is saved)", "zh": "退出 dlquest（你的修改会保存）"},
    "cmd.lesson": {"en": "Lesson: {title}", "zh": "课程：{title}"},
    "cmd.exercise": {"en": "Exercise: {title}", "zh": "练习：{title}"},
    "cmd.quiz": {"en": "Concept check: {title}", "zh": "概念检查：{title}"},
    "cmd.open_help": {"en": "Open {id}", "zh": "打开 {id}"},
    "cmd.lang_en": {"en": "Language: English", "zh": "语言：English"},
    "cmd.lang_zh": {"en": "Language: 中文 (Chinese)", "zh": "语言：中文"},
    "cmd.lang_help": {"en": "Show lessons, feedback and the app in this language",
                      "zh": "用这种语言显示课程、反馈和界面"},
    "cmd.theme_dark": {"en": "Theme: dark", "zh": "主题：深色"},
    "cmd.theme_light": {"en": "Theme: light", "zh": "主题：浅色"},
    "cmd.theme_help": {"en": "Switch the colours (remembered in the workspace)", "zh": "切换配色（保存在工作区中）"},
    "cmd.progress": {"en": "Show my progress", "zh": "查看学习进度"},
    "cmd.roadmap": {"en": "Show the roadmap", "zh": "查看学习路线"},
    "cmd.welcome": {"en": "Show the keys (welcome page)", "zh": "查看按键说明（欢迎页）"},
    "cmd.next": {"en": "Go to what is next", "zh": "前往下一步"},
}
