"""Headless Chromium for the tests that look at a page (the class report, `dlquest serve`).

Playwright drives the system's Chromium (Debian's `chromium` package, which `make test` installs when it may);
it never downloads a browser of its own. Without Chromium the browser tests skip and say how to get it,
except where `DLQUEST_REQUIRE_BROWSER` is set (CI): there a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    path = chromium_path()
    if path is None:
        message = "no Chromium on this machine: `sudo apt-get install chromium` (make test installs it as root)"
        if os.environ.get("DLQUEST_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@dataclass
class PageLog:
    """What a page said while it was open: console errors and uncaught exceptions."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.console_errors + self.page_errors


@contextmanager
def chromium_page(width: int = 1280, height: int = 900) -> Iterator[tuple[object, PageLog]]:
    """A fresh page in headless Chromium, and the log of its console errors. `--no-sandbox`: the tests run as
    root in CI, where Chromium refuses its own sandbox."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    log = PageLog()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"], headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda message: log.console_errors.append(message.text)
                    if message.type == "error" else None)
            page.on("pageerror", lambda error: log.page_errors.append(str(error)))
            yield page, log
        finally:
            browser.close()
