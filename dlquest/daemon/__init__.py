"""A per-user grading daemon: torch imported once, each `dlquest check` graded in a child forked for it."""
