"""The Textual app: the learner's face on the course, the workspace, the progress store and the grader.

`dlquest.tui.app.run_app` starts it. Nothing here grades or manages files on its own: every action is a call
into the core (course, workspace, progress, grader), the same calls the CLI makes. This package is imported
only when the app starts, and the app's own process never imports torch (grading runs in a warm worker
process, see dlquest.grader.worker).
"""
