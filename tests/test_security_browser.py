"""In real headless Chromium, on a real store (POS_DEMO=0): an unpaired tablet
and kitchen screen are sent to /pair/, pair with a code from admin, then sell
and show the ticket; the admin and every page work under the CSP."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser import chromium
from tests.nodes import Node

pytestmark = [pytest.mark.browser, pytest.mark.nodes]

ADMIN_PASSWORD = "Tenchou-no-Pasuwaado-2026"
MANAGER_PIN = "2580"


@pytest.fixture
def store(tmp_path):
    node = Node(
        tmp_path / "store", name="node1", POS_DEMO="0",
        SECRET_KEY="a-real-store-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        POS_SYNC_KEY="store-S001-real-sync-key",
        DJANGO_SUPERUSER_USERNAME="tenchou", DJANGO_SUPERUSER_EMAIL="tenchou@example.com",
        DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD,
    ).setup()
    node.manage("createsuperuser", "--noinput")
    # No demo PINs on a real store: its first manager, as store_init makes one.
    subprocess.run([sys.executable, "manage.py", "store_init", "--first-manager", "--manager-name", "店長"],
                   cwd=node.root, env=node.env, input=f"{MANAGER_PIN}\n", text=True, check=True, capture_output=True,
                   timeout=120)
    yield node.start()
    node.stop()


def csp_violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    return found


def admin_pairing_code(browser, url: str, name: str, kind: str) -> str:
    admin = browser.new_page()
    violations = csp_violations(admin)
    admin.goto(f"{url}/admin/login/")
    admin.fill("#id_username", "tenchou")
    admin.fill("#id_password", ADMIN_PASSWORD)
    admin.click("input[type=submit]")
    admin.goto(f"{url}/admin/security/pairingcode/add/")
    admin.fill("#id_name", name)
    admin.select_option("#id_kind", kind)
    admin.click("input[name=_save]")
    code = admin.get_by_test_id("pairing-code").inner_text()
    expect(admin.get_by_test_id("pairing-qr").locator("svg")).to_be_visible()
    assert violations == [], violations
    admin.close()
    return code


def test_unpaired_devices_pair_with_a_code_from_admin_then_sell_and_cook(store, chromium_path):
    with chromium(chromium_path) as browser:
        register_code = admin_pairing_code(browser, store.url, "register-2", "register")
        kitchen_code = admin_pairing_code(browser, store.url, "kitchen-2", "kitchen")

        kitchen = browser.new_context().new_page()
        kitchen_violations = csp_violations(kitchen)
        kitchen.goto(f"{store.url}/kitchen/")
        kitchen.wait_for_url(re.compile(r"/pair/"))
        kitchen.get_by_test_id("pair-code").fill(kitchen_code)
        kitchen.get_by_test_id("pair-submit").click()
        kitchen.wait_for_url(re.compile(r"/kitchen/$"))
        kitchen.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)

        tablet = browser.new_context()
        register = tablet.new_page()
        register_violations = csp_violations(register)
        register.goto(f"{store.url}/register/")
        register.wait_for_url(re.compile(r"/pair/"))
        register.get_by_test_id("pair-code").fill("WRONG-CODE")
        register.get_by_test_id("pair-submit").click()
        expect(register.get_by_test_id("pair-error")).not_to_be_empty()
        # The QR code carries the code in the fragment: scanning it pairs at once.
        register.goto(f"{store.url}/pair/?next=/register/#code={register_code}")
        register.wait_for_url(re.compile(r"/register/$"))
        register.get_by_test_id("pin-input").fill(MANAGER_PIN)
        register.get_by_test_id("pin-submit").click()
        register.wait_for_selector("body[data-ready=true]")
        register.locator('[data-sku="GYUDON"]').click()
        register.get_by_test_id("pay-cash").click()
        register.wait_for_selector('[data-testid="message"][data-kind="ok"]', timeout=10_000)
        expect(register.get_by_test_id("outbox-count")).to_have_text("0")

        kitchen.locator('[data-testid="ticket"]').first.wait_for(timeout=10_000)
        assert kitchen_violations == [] and register_violations == []


def test_admin_and_the_money_pages_run_under_the_csp(store, chromium_path):
    with chromium(chromium_path) as browser:
        admin_pairing_code(browser, store.url, "register-3", "register")  # logs in, issues a code, no violation
        page = browser.contexts[0].new_page() if browser.contexts else browser.new_page()
        violations = csp_violations(page)
        page.goto(f"{store.url}/admin/login/")
        page.fill("#id_username", "tenchou")
        page.fill("#id_password", ADMIN_PASSWORD)
        page.click("input[type=submit]")
        for path in ("/admin/", "/admin/stores/device/", "/admin/menu/menuitem/", "/admin/security/pairingcode/"):
            page.goto(f"{store.url}{path}")
            expect(page.locator("#content")).to_be_visible()
        page.goto(f"{store.url}/admin/stores/device/")
        page.locator('input[name="_selected_action"]').first.check()  # the admin's own scripts run
        expect(page.locator(".action-counter")).to_contain_text("1")
        assert violations == [], violations


def test_logging_out_clears_the_cashier_but_never_the_unsent_sales(tmp_path, chromium_path):
    from tests.test_browser_offline import ARRIVE_MS, open_register, queued_ids, sell, tablet

    node = Node(tmp_path / "store", name="node1").setup().start()
    try:
        with tablet(chromium_path, tmp_path / "profile") as context:
            page = context.new_page()
            open_register(page, node.url)
            node.kill9()
            sell(page)
            expect(page.get_by_test_id("outbox-count")).to_have_text("1")
            sold = queued_ids(page)
            page.locator('[data-sku="GYUDON"]').click()  # a cart in progress: staff data
            expect(page.get_by_test_id("cart-total")).not_to_have_text("¥0")

            page.get_by_test_id("logout").click()
            expect(page.get_by_test_id("pin-screen")).to_be_visible()
            assert page.evaluate("sessionStorage.getItem('pos.staff')") is None
            assert queued_ids(page) == sold  # the queue stays
            page.get_by_test_id("pin-input").fill(MANAGER_PIN)  # offline: this tablet's cached login
            page.get_by_test_id("pin-submit").click()
            expect(page.get_by_test_id("cart-total")).to_have_text("¥0")  # the last cashier's cart is gone
            expect(page.get_by_test_id("outbox-count")).to_have_text("1")

            node.start()
            expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
        assert {o["id"] for o in node.get("/api/orders")["items"]} == sold
    finally:
        node.stop()
