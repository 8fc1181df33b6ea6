"""In real headless Chromium, the manager page's staff and receipt buttons: a
cashier's PIN is reset on the PIN pad (typed twice, confirmed, refused for a
cashier's approval) and the cashier logs in with the new one; a refund's receipt
is shown from the order's row, printed, reprinted and switched to English; and
after a sale the register hands the guest an English e-receipt with one tap."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser import chromium, register_opens, wait_for_js
from tests.layout import assert_layout_ok
from tests.nodes import Node
from tests.personas import order_body
from tests.test_browser_register_screen import check_layout

pytestmark = [pytest.mark.browser, pytest.mark.nodes]

TABLET, PHONE = {"width": 1180, "height": 820}, {"width": 390, "height": 844}
# Under a modal dialog the page is inert and covered: only the dialog is checked.
UNDER_DIALOG = ("header.bar", "main.mgr")


@pytest.fixture
def node(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    yield node
    node.stop()


def type_on_pad(page: Page, pin: str) -> None:
    for digit in pin:
        page.get_by_test_id("pin-reset-dialog").get_by_test_id(f"pin-key-{digit}").click()
    page.get_by_test_id("pin-reset-next").click()


def login_status(node: Node, pin: str) -> int:
    return node.post("/api/staff/login", {"pin": pin})[0]


def test_a_manager_resets_a_cashiers_pin_on_the_pad_and_the_cashier_logs_in_with_it(node, chromium_path):
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport=PHONE)
        page.goto(f"{node.url}/register/manager/")
        cashier = page.locator('[data-testid="staff-row"][data-code="demo-cashier"]')
        cashier.wait_for(timeout=10_000)
        expect(cashier).to_contain_text("山田 花子 (レジ担当)")
        manager = page.locator('[data-testid="staff-row"][data-code="demo-manager"]')
        expect(manager.get_by_test_id("pin-reset")).to_have_count(0)  # a manager's PIN is HQ's to reset
        expect(manager).to_contain_text("PINは本部で変更")

        # A cashier's PIN in the manager's field: typed twice, confirmed, and refused by the server.
        page.get_by_test_id("manager-pin").fill("1234")
        page.get_by_test_id("reason").fill("PINを忘れた")
        cashier.get_by_test_id("pin-reset").click()
        expect(page.get_by_test_id("pin-reset-prompt")).to_have_text("山田 花子 の新しいPIN（4〜8桁）")
        assert_layout_ok(page, "manager-pin-reset", ignore=UNDER_DIALOG)
        type_on_pad(page, "5566")
        expect(page.get_by_test_id("pin-reset-prompt")).to_have_text("確認のため、同じPINをもう一度")
        type_on_pad(page, "5566")
        expect(page.get_by_test_id("confirm-text")).to_have_text("山田 花子 のPINをリセットしますか？")
        page.get_by_test_id("confirm-ok").click()
        expect(page.get_by_test_id("manager-message")).to_have_text("責任者のPINが必要です")
        assert login_status(node, "5566") == 403 and login_status(node, "1234") == 200

        # The manager's own PIN; the second entry differs, so it starts again.
        page.get_by_test_id("manager-pin").fill("9999")
        cashier.get_by_test_id("pin-reset").click()
        type_on_pad(page, "5566")
        type_on_pad(page, "5567")
        expect(page.get_by_test_id("pin-reset-error")).to_have_text("2回の入力が違います。最初から入力してください")
        expect(page.get_by_test_id("pin-reset-prompt")).to_contain_text("新しいPIN")
        type_on_pad(page, "5566")
        type_on_pad(page, "5566")
        page.get_by_test_id("confirm-ok").click()
        expect(page.get_by_test_id("manager-message")).to_have_text("記録しました")
        expect(cashier.get_by_test_id("staff-pin-set")).to_contain_text("佐藤 健")
        expect(cashier.get_by_test_id("staff-pin-set")).to_contain_text("PINを忘れた")
        assert login_status(node, "1234") == 403
        assert_layout_ok(page, "manager-staff")

        register = browser.new_page(viewport=TABLET)
        register.goto(f"{node.url}/register/")
        for digit in "5566":
            register.get_by_test_id(f"pin-key-{digit}").click()
        register.get_by_test_id("pin-submit").click()
        register.wait_for_selector("body[data-ready=true]")
        expect(register.get_by_test_id("staff-name")).to_contain_text("山田 花子")
        expect(register.get_by_test_id("till")).to_be_visible()
    node.manage("verify_journal")


def test_a_refund_receipt_prints_from_the_order_row_reprinted_and_in_english(node, chromium_path):
    status, sale = node.post("/api/orders", order_body())  # 2116 in cash
    assert status == 201
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport=TABLET)
        page.goto(f"{node.url}/register/manager/")
        row = page.locator(f'[data-testid="manager-order"][data-order-id="{sale["id"]}"]')
        row.wait_for(timeout=10_000)
        expect(row.get_by_test_id("refund-receipt")).to_have_count(0)
        page.get_by_test_id("manager-pin").fill("9999")
        page.get_by_test_id("reason").fill("返品")
        row.get_by_test_id("refund").click()
        page.get_by_test_id("confirm-ok").click()
        button = row.get_by_test_id("refund-receipt")
        expect(button).to_have_text("返金明細書 ¥2,116", timeout=10_000)
        [refund] = node.get(f"/api/orders/{sale['id']}")["refunds"]
        assert button.get_attribute("data-refund-id") == refund["id"]

        button.click()
        dialog = page.get_by_test_id("receipt-dialog")
        receipt = dialog.get_by_test_id("receipt")
        expect(receipt).to_have_attribute("data-kind", "refund")
        expect(receipt.locator("h1")).to_have_text("返金明細書")
        expect(dialog.get_by_test_id("receipt-total")).to_have_text("-¥2,116")
        expect(dialog.get_by_test_id("receipt-copy")).to_have_count(0)
        expect(dialog.get_by_test_id("receipt-lang-ja")).to_have_attribute("aria-pressed", "true")
        # A function body, not an expression: Playwright would call a function the expression returns.
        page.evaluate("() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; }")
        dialog.get_by_test_id("receipt-print").click()
        wait_for_js(page, "window.__printed === 1", timeout=5_000)
        assert_layout_ok(page, "manager-refund-receipt", ignore=UNDER_DIALOG)

        dialog.get_by_test_id("receipt-lang-en").click()
        expect(receipt.locator("h1")).to_have_text("Refund receipt")
        expect(dialog.get_by_test_id("receipt")).to_have_attribute("lang", "en")
        expect(dialog.get_by_test_id("receipt-store")).to_have_text("posweb Shibuya")
        dialog.get_by_test_id("receipt-as-copy").click()
        expect(dialog.get_by_test_id("receipt-copy")).to_have_text("(reprint, copy)")
        expect(dialog.get_by_test_id("receipt")).to_have_attribute("lang", "en")  # the language stays chosen
        expect(dialog.get_by_test_id("receipt-total")).to_have_text("-¥2,116")
        dialog.get_by_test_id("receipt-print").click()
        wait_for_js(page, "window.__printed === 2", timeout=5_000)
        page.set_viewport_size(PHONE)
        assert_layout_ok(page, "manager-refund-receipt-en", ignore=UNDER_DIALOG)
        dialog.get_by_test_id("receipt-close").click()

        # The sale's own receipt from the same row: in Japanese again, a reprint marked 再発行.
        row.get_by_test_id("reprint").click()
        expect(dialog.get_by_test_id("receipt")).to_have_attribute("data-kind", "sale")
        dialog.get_by_test_id("receipt-lang-ja").click()
        expect(dialog.get_by_test_id("receipt-copy")).to_contain_text("再発行")
        expect(dialog.get_by_test_id("receipt")).to_have_attribute("lang", "ja")


def test_after_a_sale_the_register_hands_out_an_english_e_receipt(node, chromium_path):
    with chromium(chromium_path) as browser:
        register = register_opens(browser, node.url, viewport=TABLET)
        register.locator('[data-sku="FRIES"]').click()
        register.get_by_test_id("pay-cash").click()
        link = register.get_by_test_id("e-receipt-link")
        link.wait_for(timeout=15_000)
        expect(register.get_by_test_id("receipt-lang-ja")).to_have_attribute("aria-pressed", "true")
        assert link.get_attribute("href").endswith("?lang=ja")
        register.get_by_test_id("receipt-lang-en").click()
        expect(register.get_by_test_id("receipt-lang-en")).to_have_attribute("aria-pressed", "true")
        href = link.get_attribute("href")
        assert href.startswith(f"{node.url}/r/S001.") and href.endswith("?lang=en")
        check_layout(register, "register-receipt-lang")
        register.set_viewport_size(PHONE)
        register.get_by_test_id("cart-toggle").click()  # on a phone the sale's message is in the cart's sheet
        expect(register.get_by_test_id("receipt-lang-en")).to_be_visible()
        check_layout(register, "register-receipt-lang")

        phone = browser.new_page(viewport=PHONE)
        phone.goto(href)
        expect(phone.get_by_test_id("receipt")).to_have_attribute("lang", "en")
        expect(phone.locator("h1")).to_have_text("Receipt")
        expect(phone.get_by_test_id("receipt-store")).to_have_text("posweb Shibuya")
        assert_layout_ok(phone, "e-receipt-en")
