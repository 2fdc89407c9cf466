"""The grader: sandbox (runs learner code), wire (plain data back), compare (the one comparison helper),
plugin (pytest fixtures and result hooks), grade (one exercise), checklib (what checks import).

Importing this package imports neither torch nor textual.
"""
