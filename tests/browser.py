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


def wait_for_js(page, expression: str, *, arg=None, timeout: float = 10_000) -> None:
    """Playwright's wait_for_function, under the pages' Content-Security-Policy.

    wait_for_function builds its predicate with ``new Function``, which a CSP
    without 'unsafe-eval' blocks; page.evaluate goes through the DevTools
    protocol and is allowed. ``expression`` is a function of ``arg``, or a
    plain expression. Bounded by ``timeout`` (ms).
    """
    import time

    source = expression if "=>" in expression.split("\n")[0] else f"() => ({expression})"
    deadline = time.monotonic() + timeout / 1000
    while True:
        if page.evaluate(source, arg):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} ms waiting for {expression}")
        page.wait_for_timeout(50)


def register_opens(browser, url: str, viewport: dict | None = None):
    """A register page at ``url``, the demo cashier logged in (PIN 1234) and the menu drawn."""
    register = browser.new_page(viewport=viewport) if viewport else browser.new_page()
    register.goto(f"{url}/register/")
    register.get_by_test_id("pin-input").fill("1234")
    register.get_by_test_id("pin-submit").click()
    register.wait_for_selector("body[data-ready=true]")
    return register


def waiter_opens(browser, url: str, table: str, guests: int):
    """The waiter's tablet (1280×900) on /tables/, with ``table``'s check opened for ``guests``."""
    from playwright.sync_api import expect

    waiter = browser.new_page(viewport={"width": 1280, "height": 900})
    waiter.goto(f"{url}/tables/")
    waiter.wait_for_selector("body[data-ready=true]", timeout=15_000)
    waiter.locator(f'[data-testid="table"][data-table="{table}"]').click()
    waiter.get_by_test_id("guests-input").fill(str(guests))
    waiter.get_by_test_id("open-check").click()
    expect(waiter.get_by_test_id("check-guests")).to_have_text(f"{guests}名", timeout=10_000)
    return waiter
