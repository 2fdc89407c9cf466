from dlquest.cli import run

run()
