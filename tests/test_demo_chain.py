"""``bin/demo --chain`` as a newcomer runs it: one command starts HQ (on
PostgreSQL here), two sibling nodes of S001 and a node of S002, and prints
every URL and login; the HQ admin changes a price in Django admin in Chromium
and every store's register shows it."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from tests.browser import chromium
from tests.conftest import port_open
from tests.nodes import ROOT, free_port
from tests.test_browser_offline import open_register
from tests.test_replication_hq import throwaway_postgres

pytestmark = [pytest.mark.nodes, pytest.mark.browser]

READY_S = 400  # four nodes migrate and seed at once on a shared 2-core machine


def consecutive_ports(n: int) -> int:
    for _ in range(50):
        base = free_port()
        if base + n < 32000 and all(port_free(base + i) for i in range(1, n)):
            return base
    raise RuntimeError("no run of free ports")


def port_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def chain_demo(tmp_path) -> Iterator[tuple[str, int, bool]]:
    """The running chain's banner, its base port and whether HQ is on PostgreSQL;
    the whole chain is stopped afterwards."""
    base = consecutive_ports(4)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POS_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update(PORT=str(base), DEMO_DIR=str(tmp_path / "chain"))
    with contextlib.ExitStack() as stack:
        if port_open("127.0.0.1", 5432):
            env["HQ_DATABASE_URL"] = stack.enter_context(throwaway_postgres())
        proc = subprocess.Popen([str(ROOT / "bin" / "demo"), "--chain"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        lines: list[str] = []
        ready = threading.Event()

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                if line.strip() == "chain demo ready":
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        try:
            deadline = time.monotonic() + READY_S
            while not ready.wait(1):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("bin/demo --chain did not come up:\n" + "".join(lines)[-4000:])
            yield "".join(lines), base, "HQ_DATABASE_URL" in env
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)  # the chain stops its nodes on SIGTERM
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def fries_price_on_register(page: Page, url: str) -> int:
    open_register(page, url, wait_for_worker=False)
    text = page.locator('[data-sku="FRIES"] .price').inner_text()
    return int(re.sub(r"\D", "", text))


def test_one_command_starts_a_chain_and_a_price_changed_at_hq_reaches_both_stores(tmp_path, chromium_path):
    with chain_demo(tmp_path) as (banner, base, on_postgres):
        hq = f"http://127.0.0.1:{base}"
        registers = {name: f"http://127.0.0.1:{base + i}" for i, name in enumerate(["s001-a", "s001-b", "s002-a"], 1)}
        assert f"{hq}/admin/" in banner
        for url in registers.values():
            assert f"{url}/register/" in banner
        assert "cashier 1234" in banner and "manager 9999" in banner
        assert ("HQ (database: PostgreSQL" in banner) == on_postgres, banner
        login = re.search(r"login (\S+) / (\S+)", banner)
        assert login, banner

        with chromium(chromium_path) as browser:
            page = browser.new_page(locale="ja-JP")
            old = fries_price_on_register(page, registers["s002-a"])
            new = old + 60
            page.goto(f"{hq}/admin/login/?next=/admin/menu/menuitem/")
            page.fill("#id_username", login[1])
            page.fill("#id_password", login[2])
            page.click("input[type=submit]")
            page.fill("#searchbar", "FRIES")
            page.press("#searchbar", "Enter")
            page.click("text=FRIES")
            page.fill("#id_price", str(new))
            page.click("input[name=_save]")
            page.wait_for_selector(".messagelist .success")

            for name, url in registers.items():
                deadline = time.monotonic() + 30
                seen = fries_price_on_register(page, url)
                while seen != new and time.monotonic() < deadline:
                    page.wait_for_timeout(1000)
                    seen = fries_price_on_register(page, url)
                assert seen == new, f"{name} shows ¥{seen}, HQ set ¥{new}"
            page.screenshot(path=str(tmp_path / "s002-register.png"))
