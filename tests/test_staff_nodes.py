"""Acceptance, through real processes: HQ's admin makes a new cashier (PIN 4821)
for S001 in Chromium; within 5 s both sibling nodes of S001 accept the PIN and
the register opens with it; with both siblings cut from HQ it still does; HQ
deactivates the cashier and, once the siblings reach HQ again, both refuse it."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser import chromium
from tests.nodes import Node, free_port
from tests.tcp_proxy import CuttableProxy
from tests.test_replication_nodes import KEY, wait_for

pytestmark = [pytest.mark.nodes, pytest.mark.browser]

ADMIN = {"DJANGO_SUPERUSER_USERNAME": "hqadmin", "DJANGO_SUPERUSER_PASSWORD": "hq-pass-123-Staff",
         "DJANGO_SUPERUSER_EMAIL": "a@example.invalid"}
PIN = "4821"
NAME = "高橋 新"


@pytest.fixture
def chain(tmp_path):
    hq = Node(tmp_path / "hq", name="hq1", POS_ROLE="hq", POS_STORE="S001", POS_SYNC_KEY=KEY, **ADMIN)
    hq.setup()
    hq.manage("createsuperuser", "--noinput")
    hq.start()
    p1, p2 = free_port(), free_port()
    with CuttableProxy(hq.port) as link:
        common = {"POS_STORE": "S001", "POS_SYNC_KEY": KEY, "POS_HQ_URL": link.url}
        n1 = Node(tmp_path / "n1", name="s1-node1", port=p1, POS_PEERS=f"http://127.0.0.1:{p2}", **common)
        n2 = Node(tmp_path / "n2", name="s1-node2", port=p2, POS_PEERS=f"http://127.0.0.1:{p1}", **common)
        try:
            n1.setup(), n2.setup()
            yield hq, n1.start(), n2.start(), link
        finally:
            for node in (n1, n2, hq):
                node.stop()


def accepts(node: Node, pin: str) -> int:
    status, _ = node.post("/api/staff/login", {"pin": pin}, timeout=5)
    return status


def listed_active(node: Node) -> bool | None:
    """Whether the node lists the new cashier as active (None: not at all). Polled instead of
    trying the PIN, which would spend the store's wrong-PIN budget (10 per 5 minutes)."""
    rows = [row for row in node.get("/api/staff", timeout=5) if row["name"] == NAME]
    return rows[0]["active"] if rows else None


def admin_login(page: Page, hq: Node, next_path: str) -> None:
    page.goto(f"{hq.url}/admin/login/?next={next_path}")
    page.fill("#id_username", ADMIN["DJANGO_SUPERUSER_USERNAME"])
    page.fill("#id_password", ADMIN["DJANGO_SUPERUSER_PASSWORD"])
    page.click("input[type=submit]")


def register_opens(browser, node: Node, pin: str) -> None:
    """A fresh tablet opens the register with ``pin`` (the PIN screen, then the till)."""
    context = browser.new_context(locale="ja-JP")
    try:
        page = context.new_page()
        page.goto(f"{node.url}/register/")
        expect(page.get_by_test_id("pin-input")).to_be_visible(timeout=15_000)
        page.get_by_test_id("pin-input").fill(pin)
        page.get_by_test_id("pin-submit").click()
        expect(page.get_by_test_id("till")).to_be_visible(timeout=15_000)
        expect(page.get_by_test_id("pin-screen")).to_be_hidden()
    finally:
        context.close()


def test_a_cashier_made_at_hq_opens_both_siblings_registers_offline_from_hq_until_deactivated(chain, chromium_path):
    hq, n1, n2, link = chain
    assert accepts(n1, PIN) == 403 and accepts(n2, PIN) == 403
    with chromium(chromium_path) as browser:
        admin = browser.new_page()
        admin_login(admin, hq, "/admin/stores/staff/add/")
        admin.fill("#id_name", NAME)
        admin.select_option("#id_role", "cashier")
        admin.check("input[name=stores][value=S001]")
        admin.fill("#id_pin", PIN)
        admin.click("input[name=_save]")
        expect(admin.locator(".messagelist .success")).to_be_visible()
        saved = time.monotonic()
        wait_for("both siblings to have the new cashier", lambda: listed_active(n1) and listed_active(n2), timeout=5)
        assert accepts(n1, PIN) == 200 and accepts(n2, PIN) == 200
        assert time.monotonic() - saved < 5
        register_opens(browser, n1, PIN)

        link.cut()  # both siblings lose HQ; they still have each other and their own copies
        time.sleep(1)
        assert accepts(n1, PIN) == 200 and accepts(n2, PIN) == 200
        register_opens(browser, n2, PIN)

        admin.goto(f"{hq.url}/admin/stores/staff/?q=%E9%AB%98%E6%A9%8B")
        admin.check("input.action-select")
        admin.select_option("select[name=action]", "deactivate")
        admin.click("button[name=index]")
        expect(admin.locator(".messagelist .success")).to_be_visible()
        time.sleep(2)
        assert accepts(n1, PIN) == 200  # cut off: it has not heard yet

        link.restore()
        wait_for("both siblings to hear of the deactivation",
                 lambda: listed_active(n1) is False and listed_active(n2) is False, timeout=30)
        assert accepts(n1, PIN) == 403 and accepts(n2, PIN) == 403
        assert accepts(n1, "9999") == 200  # HQ's own record of the demo manager still works
