"""Terminal figures for the course's examples: headings, line plots (plotext) and heat maps (characters).

Examples run as plain scripts (`dlquest run LESSON` or `python example.py`); this file sits beside them,
so `from termplot import plot_curves` works from any of them. Plots stay within 70 x 18 characters.
"""

from __future__ import annotations

import sys

WIDTH, HEIGHT = 70, 18
SHADES = " .:-=+*#%@"


def heading(en: str, zh: str) -> None:
    print()
    print(f"== {en} / {zh} ==")


MARKERS = ("•", "x", "+", "o", "*", "#")


def plot_curves(title: str, xs, curves: dict) -> None:
    """Draw labelled curves {label: ys} over xs. Colours only when printing to a terminal."""
    import plotext as plt

    fig = plt.figure
    fig.clear()
    fig.plot_size(WIDTH, HEIGHT)
    fig.title(title)
    colorless = not sys.stdout.isatty()
    for n, (label, ys) in enumerate(curves.items()):
        # Without colour every curve would look the same: give each its own marker (shown in the legend).
        marker = MARKERS[n % len(MARKERS)] if colorless else None
        fig.draw(fig.signal(list(xs), list(ys), marker=marker).label(label).lines())
    fig.show(colorless=colorless)


def heat_rows(matrix) -> list[str]:
    """A 2-D array or nested list as rows of shading characters (each value two characters wide)."""
    rows = [list(map(float, row)) for row in (matrix.tolist() if hasattr(matrix, "tolist") else matrix)]
    low = min(min(row) for row in rows)
    high = max(max(row) for row in rows)
    scale = (len(SHADES) - 1) / (high - low) if high > low else 0.0
    return ["".join(SHADES[round((v - low) * scale)] * 2 for v in row) for row in rows]


def heat_map(matrix, title: str = "") -> None:
    if title:
        print(title)
    for row in heat_rows(matrix):
        print("    " + row)
