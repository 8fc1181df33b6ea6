"""Headless Chromium (Debian's) driven by Playwright; never downloads a browser."""

from __future__ import annotations

from contextlib import contextmanager

from tests.personas import CHROMIUM, CHROMIUM_ARGS


@contextmanager
def chromium(path: str = CHROMIUM):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
