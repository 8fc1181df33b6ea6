"""The register's edges, in real headless Chromium against a real node: a sale the
node refuses stays visible, an unknown PIN cannot open the register offline, the
cashier is warned when the browser may evict or run out of storage, and a send
hanging on a wedged sibling never holds up the next sale."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from playwright.sync_api import expect

from tests.browser import chromium
from tests.nodes import Node
from tests.test_browser_offline import ARRIVE_MS, open_register, queued_ids, sell, tablet

pytestmark = [pytest.mark.browser, pytest.mark.nodes]


@pytest.fixture
def node(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    yield node
    node.stop()


def test_a_sale_the_node_refuses_is_kept_in_sight_not_dropped(node, chromium_path, tmp_path):
    with tablet(chromium_path, tmp_path / "profile") as context:
        page = context.new_page()
        open_register(page, node.url)
        node.kill9()
        sell(page, "GYUDON")
        sell(page, "BUTADON")
        expect(page.get_by_test_id("outbox-count")).to_have_text("2")
        # While the register was cut off, the beef bowl sold out on the node.
        node.manage("shell", "-c", "from menu.models import MenuItem; MenuItem.objects.filter(sku='GYUDON').update(available=False)")
        node.start()

        expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
        refused = page.get_by_test_id("rejected-orders")
        expect(refused).to_be_visible()
        expect(refused.locator("li")).to_have_count(1)
        expect(refused).to_contain_text("sold out")
        expect(refused).to_contain_text("422")

    orders = node.get("/api/orders")["items"]
    assert [o["lines"][0]["sku"] for o in orders] == ["BUTADON"]


def test_offline_only_a_pin_used_on_this_tablet_opens_the_register(node, chromium_path, tmp_path):
    with tablet(chromium_path, tmp_path / "profile") as context:
        page = context.new_page()
        open_register(page, node.url)  # the cashier's 1234 is accepted once online
        node.kill9()
        page.close()

        page = context.new_page()
        page.goto(f"{node.url}/register/")
        page.get_by_test_id("pin-input").fill("9999")  # the manager never logged in here
        page.get_by_test_id("pin-submit").click()
        expect(page.get_by_test_id("pin-error")).to_contain_text("オフライン")
        expect(page.get_by_test_id("till")).to_be_hidden()

        page.get_by_test_id("pin-input").fill("1234")
        page.get_by_test_id("pin-submit").click()
        expect(page.get_by_test_id("till")).to_be_visible()
        expect(page.get_by_test_id("staff-name")).not_to_be_empty()


def test_the_cashier_is_warned_when_queued_sales_are_at_risk(node, chromium_path):
    with chromium(chromium_path) as browser:
        page = browser.new_page()
        # A browser that refuses persistence and is nearly out of quota.
        page.add_init_script(
            """
            navigator.storage.persisted = async () => false;
            navigator.storage.persist = async () => false;
            navigator.storage.estimate = async () => ({ usage: 95 * 2 ** 20, quota: 100 * 2 ** 20 });
            """
        )
        open_register(page, node.url, wait_for_worker=False)
        expect(page.get_by_test_id("storage-persist")).to_be_visible()
        expect(page.get_by_test_id("storage-persist")).to_have_attribute("data-state", "refused")
        expect(page.get_by_test_id("storage-warning")).to_be_visible()

        healthy = browser.new_page()
        healthy.add_init_script(
            """
            navigator.storage.persisted = async () => true;
            navigator.storage.estimate = async () => ({ usage: 1 * 2 ** 20, quota: 100 * 2 ** 20 });
            """
        )
        open_register(healthy, node.url, wait_for_worker=False)
        expect(healthy.get_by_test_id("storage-persist")).to_have_attribute("data-state", "granted")
        expect(healthy.get_by_test_id("storage-persist")).to_be_hidden()
        expect(healthy.get_by_test_id("storage-warning")).to_be_hidden()


def test_a_double_tap_on_pay_rings_the_sale_up_once(node, chromium_path):
    with chromium(chromium_path) as browser:
        page = browser.new_page()
        open_register(page, node.url, wait_for_worker=False)
        page.locator('[data-sku="GYUDON"]').click()
        page.get_by_test_id("pay-cash").dblclick()
        expect(page.get_by_test_id("cart-total")).to_have_text("¥0")
        expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
    assert node.get("/api/orders")["count"] == 1


class WedgedPeer:
    """A sibling node that accepts connections and never answers (hung, not
    down), noting which of its open connections the register's page made."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.lock = threading.Lock()
        self.open_from_page: set[int] = set()
        self.next_id = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.next_id += 1
                ident = self.next_id
            threading.Thread(target=self._hold, args=(conn, ident), daemon=True).start()

    def _hold(self, conn: socket.socket, ident: int) -> None:
        # The node's own replication also calls its peers; only a request
        # carrying the page's Origin header is the register's.
        seen = b""
        with conn:
            while chunk := conn.recv(4096):
                seen += chunk
                if b"\r\norigin:" in seen.lower():
                    with self.lock:
                        self.open_from_page.add(ident)
        with self.lock:
            self.open_from_page.discard(ident)

    def pending(self) -> set[int]:
        with self.lock:
            return set(self.open_from_page)

    def close(self) -> None:
        self.listener.close()


def test_a_sale_shows_as_queued_while_a_send_to_a_wedged_sibling_hangs(tmp_path, chromium_path):
    peer = WedgedPeer()
    node = Node(tmp_path / "store", name="node1", POS_PEERS=peer.url).setup().start()
    try:
        with tablet(chromium_path, tmp_path / "profile") as context:
            page = context.new_page()
            open_register(page, node.url)
            node.kill9()
            sell(page)
            expect(page.get_by_test_id("outbox-count")).to_have_text("1")
            # Its own node refuses at once; the send then waits on the sibling.
            deadline = time.monotonic() + 15
            while not (hanging := peer.pending()):
                assert time.monotonic() < deadline, "the register never tried the sibling"
                time.sleep(0.05)

            sell(page, "BUTADON")
            expect(page.get_by_test_id("outbox-count")).to_have_text("2")
            # Queued while that send was still waiting for an answer, not after it gave up.
            assert hanging & peer.pending()
            assert len(queued_ids(page)) == 2
    finally:
        node.stop()
        peer.close()
