"""A small stacked bar chart drawn with plotext as text, sized to the widget and redrawn when it resizes."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class BarPlot(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._labels: list[str] = []
        self._series: dict[str, list[float]] = {}
        self._title = ""
        self._empty = ""

    def plot(self, labels: list[str], series: dict[str, list[float]], title: str, empty: str) -> None:
        """One bar per label, each stacked from the series (named in the legend) in order."""
        self._labels, self._series, self._title, self._empty = list(labels), dict(series), title, empty
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        width, height = self.content_size
        if not self._labels or not self._series:
            self.update(Text(self._empty, style="dim"))
            return
        if width < 20 or height < 6:
            self.update("")
            return
        import plotext  # only the progress screen needs it

        plotext.terminal.limit(False, False)  # the widget's size, not the (headless) terminal's, bounds it
        figure = plotext.figure
        figure.clear()
        figure.theme("simple")
        figure.plot_size(width, height)
        figure.title(self._title)
        base = [0.0] * len(self._labels)
        for name, values in self._series.items():
            top = [b + v for b, v in zip(base, values, strict=True)]
            figure.draw(figure.bar(self._labels, base, top).label(name))
            base = top
        self.update(Text.from_ansi(figure.build().string()))
