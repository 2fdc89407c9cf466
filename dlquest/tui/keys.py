"""The keys that differ between a terminal and a browser, and the name a text gives a key: one table for both.

A browser keeps some keys for itself (new window, close tab, quit) and reloads the page on F5 / ctrl+r when the
terminal has lost the focus for a moment. Every action bound to such a key has a browser key instead: the
screens declare their bindings with `terminal_keys(action)`, screens.base.localize_bindings swaps in
`browser_key(action)` when the app runs in a browser (App.is_web), and every text that names one of these keys
names it through `key_name(action, web)` (strings.ui fills the `{key_<action>}` fields), so a text always names
the key actually bound in this session. Plain Python: the strings catalog imports it.
"""

from __future__ import annotations

BROWSER_KEPT = frozenset({"f5", "ctrl+r", "ctrl+w", "ctrl+q", "ctrl+n", "ctrl+t"})

# action: (its keys in a terminal, as a Binding takes them, the first one the one texts name; its key in a browser)
SWAPPED: dict[str, tuple[str, str]] = {
    "grade": ("f5,ctrl+r", "ctrl+g"),  # the exercise
    "retake": ("ctrl+r", "ctrl+g"),  # the concept check
    "next": ("ctrl+n", "ctrl+f"),  # the exercise, after a pass ("forward")
    "quit": ("ctrl+q", "f10"),  # the app: Textual's own ctrl+q; hidden in both (the roadmap shows q)
}


def terminal_keys(action: str) -> str:
    """The keys of `action` in a terminal, for its Binding."""
    return SWAPPED[action][0]


def browser_key(action: str) -> str | None:
    """The key that replaces `action`'s browser-kept keys in a browser; None for an action not in SWAPPED."""
    keys = SWAPPED.get(action)
    return keys[1] if keys else None


def shown_key(key: str) -> str:
    """A key as texts write it: function keys in capitals (F5), the others as Textual names them (ctrl+g)."""
    return key.upper() if key[:1] == "f" and key[1:].isdigit() else key


def key_name(action: str, web: bool) -> str:
    """The key a text names for `action`: the one bound in a browser (`web`) or in a terminal."""
    terminal, browser = SWAPPED[action]
    return shown_key(browser if web else terminal.split(",")[0])


def key_names(web: bool) -> dict[str, str]:
    """The `{key_<action>}` fields of the strings catalog, for a browser or a terminal."""
    return {f"key_{action}": key_name(action, web) for action in SWAPPED}
