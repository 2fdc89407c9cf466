"""A matplotlib backend for lesson examples run inside the app: `plt.show()` prints every open figure as a
text plot (plotext) instead of opening a window, so the figure appears in the example's output pane.

The app's example runner sets MPLBACKEND=module://dlquest.tui.mpl_backend in the example's own process; the
app itself never imports this module (nor matplotlib). Without matplotlib installed it is simply unused.
"""

from __future__ import annotations

import os
import shutil

from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

FigureCanvas = FigureCanvasAgg
FigureManager = FigureManagerBase


def plot_size() -> tuple[int, int]:
    """The example pane's width (the app passes COLUMNS), and a height that leaves room for the text."""
    columns = int(os.environ.get("COLUMNS") or shutil.get_terminal_size((80, 24)).columns)
    return max(40, min(columns, 120)), 20


def show(*_args, **_kwargs) -> None:
    import matplotlib.pyplot as pyplot
    import plotext

    width, height = plot_size()
    plotext.terminal.limit(False, False)
    for number in pyplot.get_fignums():
        plotext.matplotlib(pyplot.figure(number))
        plotext.figure.plot_size(width, height)
        print(plotext.figure.build().string(), flush=True)
    pyplot.close("all")
