"""What every dlquest screen shares: the session, the language, and footer keys in that language."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Generic, TypeVar

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

from dlquest.tui.keys import BROWSER_KEPT, browser_key
from dlquest.tui.strings import STRINGS, ui

ResultType = TypeVar("ResultType")

if TYPE_CHECKING:
    from dlquest.session import LearnerSession
    from dlquest.tui.app import DlquestApp


def text_markdown_parser():
    """Markdown for course text: "<PAD>" or "<sos>" in a task is a word to show, never an HTML tag to drop."""
    from markdown_it import MarkdownIt

    return MarkdownIt("gfm-like", {"html": False})


def editor_theme(dark: bool) -> str:
    """The code editor's colours for a dark or a light app theme."""
    return "monokai" if dark else "github_light"


def localize_bindings(node: DOMNode, lang: str, source: BindingsMap | None = None) -> None:
    """Show `node`'s key descriptions in `lang`. Descriptions in BINDINGS are keys of the strings catalog;
    the class's merged bindings (never changed) are the source, so switching back and forth is lossless.
    In a browser the keys it keeps for itself are not offered: each action bound to one gets its browser key
    (dlquest.tui.keys, the one table that the texts naming keys use too), shown where the terminal's key is."""
    source = source or type(node)._merged_bindings
    if source is None:
        return
    in_browser = bool(getattr(node, "is_web", False) or getattr(node.app, "is_web", False))
    keys: dict[str, list[Binding]] = {}
    for key, bindings in source.key_to_bindings.items():
        localized = [_localized(b, lang) for b in bindings]
        if in_browser and key in BROWSER_KEPT:
            for binding in localized:
                alternative = browser_key(binding.action)
                if alternative is not None and not any(b.action == binding.action
                                                       for b in keys.get(alternative, [])):
                    keys.setdefault(alternative, []).append(replace(binding, key=alternative))
            continue
        keys.setdefault(key, []).extend(localized)
    node._bindings = BindingsMap.from_keys(keys)
    node.refresh_bindings()


def _localized(binding: Binding, lang: str) -> Binding:
    key = "key.palette" if binding.action == "command_palette" else binding.description
    if key not in STRINGS:
        return binding
    return replace(binding, description=ui(key, lang), tooltip=ui(key, lang))


class Localized:
    """Mixin for screens: relabel (and retranslate the footer) whenever the app's language changes."""

    app: DlquestApp

    @property
    def session(self) -> LearnerSession:
        return self.app.session

    @property
    def lang(self) -> str:
        return self.app.lang

    def ui(self, key: str, **values) -> str:
        """The app string `key` in the current language, naming the keys bound in this session (a browser's or
        a terminal's)."""
        return ui(key, self.app.lang, web=self.app.is_web, **values)

    def _localize_on_mount(self) -> None:
        localize_bindings(self, self.app.lang)
        self.watch(self.app, "lang", self._language_changed, init=False)

    def _language_changed(self, _old: str, new: str) -> None:
        localize_bindings(self, new)
        self.relabel()

    def relabel(self) -> None:
        """Show every text of the screen in the current language. Screens override this."""


class DlquestScreen(Localized, Screen):
    def on_mount(self) -> None:
        self._localize_on_mount()


class DlquestModal(Localized, ModalScreen[ResultType], Generic[ResultType]):
    def on_mount(self) -> None:
        self._localize_on_mount()
