"""Text a hostile submission raises, prints and is named by: shared by the tests of every writer."""

HOSTILE = "boom \x00\x1b[31mred\x1b[0m \x07\x1b]0;title\x07 end"
# What a terminal, the app and every text report show instead: the same characters, as escapes.
SHOWN = "boom \\x00\\x1b[31mred\\x1b[0m \\x07\\x1b]0;title\\x07 end"
WORSE = HOSTILE + " \x9b2J \u202eevil\u202c \ud800 \r FAKE PASS ```` ~~~ </failure>]]> <script>x</script> | ="
PRINTED = "printed \x1b[2J\x1b]0;pwned\x07\n```\n# not a heading\n````` still in the block"
STUDENT = '=HYPERLINK("x")'
CONTROL = ("\x1b", "\x07", "\x00", "\x9b", "\u202e", "\r")

PERCEPTRON_RAISES = f'''
HOSTILE = {WORSE!r}


class Perceptron:
    def __init__(self, learning_rate=0.01, n_iterations=1000):
        pass

    def fit(self, X, y):
        print({PRINTED!r})
        raise ValueError(HOSTILE)
'''
