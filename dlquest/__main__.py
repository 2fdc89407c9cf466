from dlquest.entry import run

run()
