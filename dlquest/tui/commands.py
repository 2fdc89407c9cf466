"""Command-palette providers (ctrl+p): find any lesson or exercise by name; switch language and theme."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from dlquest.tui.strings import ui

if TYPE_CHECKING:
    from dlquest.tui.app import DlquestApp


class CourseItems(Provider):
    """Every lesson and exercise, matched on its title (in the current language) and its id."""

    app: DlquestApp

    def _commands(self):
        session = self.app.session
        if session is None:
            return []
        lang = self.app.lang
        commands = []
        for item in session.course.items():
            title = ui(f"cmd.{item.kind}", lang, title=item.title.get(lang))
            commands.append((f"{title} ({item.id})", partial(self.app.open_item, item.id),
                             ui("cmd.open_help", lang, id=item.id)))
        return commands

    async def discover(self) -> Hits:
        for text, command, help_text in self._commands():
            yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, help=help_text)


class Preferences(Provider):
    """Language, light or dark theme, and the app's own screens."""

    app: DlquestApp

    def _commands(self):
        app, lang = self.app, self.app.lang
        commands = [
            (ui("cmd.lang_en", lang), partial(app.set_language, "en"), ui("cmd.lang_help", lang)),
            (ui("cmd.lang_zh", lang), partial(app.set_language, "zh"), ui("cmd.lang_help", lang)),
            (ui("cmd.theme_dark", lang), partial(app.set_dark, True), ui("cmd.theme_help", lang)),
            (ui("cmd.theme_light", lang), partial(app.set_dark, False), ui("cmd.theme_help", lang)),
            (ui("cmd.welcome", lang), app.action_welcome, ""),
        ]
        if app.session is not None:
            commands += [
                (ui("cmd.roadmap", lang), app.back_to_roadmap, ""),
                (ui("cmd.progress", lang), app.action_progress, ""),
                (ui("cmd.next", lang), app.action_next, ""),
            ]
        return commands

    async def discover(self) -> Hits:
        for text, command, help_text in self._commands():
            yield DiscoveryHit(text, command, help=help_text or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, help=help_text or None)
