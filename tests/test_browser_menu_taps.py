"""In real headless Chromium: the live socket's (re)connect reloads the menu,
and an unchanged menu is not drawn anew, so a cashier's tap in that moment
is not lost (its press and release landed on two different buttons)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import chromium
from tests.nodes import Node

pytestmark = [pytest.mark.browser, pytest.mark.nodes]


@pytest.fixture
def node(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    yield node
    node.stop()


def test_the_menu_buttons_outlive_the_sockets_hello_and_every_tap_counts(node, chromium_path):
    with chromium(chromium_path) as browser:
        register = browser.new_page()
        register.goto(f"{node.url}/register/")
        register.get_by_test_id("pin-input").fill("1234")
        register.get_by_test_id("pin-submit").click()
        register.wait_for_selector("body[data-ready=true]")
        button = register.locator('[data-sku="GYUDON"]').element_handle()
        register.wait_for_timeout(3000)  # the socket's hello and its menu reload come within this
        assert button.evaluate("b => b.isConnected"), "the same menu was drawn anew under the cashier's finger"
        for _ in range(3):
            register.locator('[data-sku="GYUDON"]').click()
        register.get_by_test_id("dining-take-out").click()
        expect(register.get_by_test_id("cart-total")).to_have_text("¥1,404")  # 3 x 468
