"""The register keeps selling with no node at all, in real headless Chromium
against real daphne nodes: reload offline, survive a closed tab, send every
queued sale exactly once, fail over to a sibling, and take a new release
without losing the queue."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect

from stores import numbers
from tests.browser import wait_for_js
from tests.nodes import DEMO_TOKEN, Node, free_port
from tests.personas import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.nodes]

# Generous bounds: the register retries with a backoff of at most 10 s.
ARRIVE_MS = 45_000


@contextmanager
def tablet(chromium_path: str, profile):
    """A browser profile on disk, as a tablet keeps one: IndexedDB, caches and
    the service worker survive closing a tab."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def node(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    yield node
    node.stop()


def open_register(page: Page, url: str, *, wait_for_worker: bool = True) -> None:
    page.goto(f"{url}/register/")
    if page.get_by_test_id("pin-screen").is_visible():
        page.get_by_test_id("pin-input").fill("1234")
        page.get_by_test_id("pin-submit").click()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.get_by_test_id("till")).to_be_visible()
    if wait_for_worker:
        # Controlled by the worker means it installed, so the shell is precached.
        wait_for_js(page, "navigator.serviceWorker.controller !== null", timeout=15_000)


def sell(page: Page, sku: str = "GYUDON") -> None:
    page.locator(f'[data-sku="{sku}"]').click()
    expect(page.get_by_test_id("cart-total")).not_to_have_text("¥0")
    page.get_by_test_id("pay-cash").click()
    expect(page.get_by_test_id("cart-total")).to_have_text("¥0")


def queued_ids(page: Page) -> set[str]:
    ids = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("posweb");
            open.onsuccess = () => {
              const all = open.result.transaction("outbox").objectStore("outbox").getAllKeys();
              all.onsuccess = () => resolve(all.result);
              all.onerror = () => reject(all.error);
            };
            open.onerror = () => reject(open.error);
        })"""
    )
    return set(ids)


def test_it_reloads_offline_sells_and_sends_every_sale_exactly_once(node, chromium_path, tmp_path):
    with tablet(chromium_path, tmp_path / "profile") as context:
        page = context.new_page()
        open_register(page, node.url)
        node.kill9()

        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "offline")
        for count in range(1, 6):
            sell(page)
            expect(page.get_by_test_id("outbox-count")).to_have_text(str(count))
        expect(page.get_by_test_id("outbox-oldest")).not_to_be_empty()
        expect(page.locator('[data-testid="recent-order"][data-status="queued"]')).to_have_count(5)
        expect(page.get_by_test_id("storage-persist")).not_to_have_attribute("data-state", "unknown")
        sold = queued_ids(page)
        assert len(sold) == 5
        page.close()

        # A new tab: no session, so the PIN is checked against this tablet's cache.
        page = context.new_page()
        open_register(page, node.url, wait_for_worker=False)
        expect(page.get_by_test_id("outbox-count")).to_have_text("5")
        assert queued_ids(page) == sold

        node.start()
        expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
        expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "online", timeout=10_000)

    orders = node.get("/api/orders")["items"]
    assert {o["id"] for o in orders} == sold
    # Numbers come from the tablet's own block (the register it claimed when it
    # first met a node, kept across the reload), one each, and are all different.
    (register,) = {o["register"] for o in orders}
    low, _ = numbers.lane_range(numbers.lane_for_register(register))
    assert sorted(o["number"] for o in orders) == [low, low + 1, low + 2, low + 3, low + 4]
    assert all(o["total"] == 468 for o in orders)


def test_two_tabs_with_queued_sales_send_each_sale_once(node, chromium_path, tmp_path):
    with tablet(chromium_path, tmp_path / "profile") as context:
        first = context.new_page()
        open_register(first, node.url)
        second = context.new_page()
        open_register(second, node.url)
        node.kill9()

        for page in (first, second, first, second, second):
            sell(page, "BUTADON")
        for page in (first, second):
            expect(page.get_by_test_id("outbox-count")).to_have_text("5")
        sold = queued_ids(first)

        accepted: list[str] = []
        for page in (first, second):
            page.on(
                "response",
                lambda r: accepted.append(r.url)
                if r.request.method == "POST" and r.url.endswith("/api/orders") and r.status in (200, 201)
                else None,
            )
        node.start()
        # Both tabs hear the network come back at the same moment and both try
        # to flush: only the one holding the lock may send.
        for page in (first, second):
            page.evaluate("dispatchEvent(new Event('online'))")
        for page in (first, second):
            expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)

    orders = node.get("/api/orders")["items"]
    assert len(orders) == 5 and {o["id"] for o in orders} == sold
    assert len({o["number"] for o in orders}) == 5
    # Web Locks: one tab flushed; no sale was even sent twice.
    assert len(accepted) == 5


def test_when_its_node_dies_the_register_sells_through_the_sibling(tmp_path, chromium_path):
    port_a, port_b = free_port(), free_port()
    url_a, url_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    node_a = Node(tmp_path / "a", name="node1", port=port_a, POS_PEERS=url_b).setup().start()
    node_b = Node(tmp_path / "b", name="node2", port=port_b, POS_PEERS=url_a).setup().start()
    try:
        with tablet(chromium_path, tmp_path / "profile") as context:
            page = context.new_page()
            open_register(page, url_a)
            sell(page)
            expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
            assert len(node_a.get("/api/orders")["items"]) == 1

            node_a.kill9()
            sell(page, "BUTADON")
            sell(page, "BUTADON")
            expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
            connection = page.get_by_test_id("connection")
            expect(connection).to_have_attribute("data-state", "online")
            expect(connection).to_have_attribute("data-node", url_b)

            on_b = node_b.get("/api/orders")["items"]
            # The sibling took both sales (it may also hold the first one, if
            # replication shipped it before its node died).
            taken = [o for o in on_b if o["total"] == 448]
            assert len(taken) == 2 and len(on_b) in (2, 3)
            # The order list now comes from the sibling.
            for order in taken:
                page.locator(f'[data-testid="recent-order"][data-order-id="{order["id"]}"]').wait_for(timeout=10_000)

            # Reloaded while its own node is still dead: the page comes from the
            # tablet's cache and keeps selling through the sibling.
            page.reload()
            page.wait_for_selector("body[data-ready=true]")
            sell(page, "BUTADON")
            expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
            expect(connection).to_have_attribute("data-node", url_b)
            assert len([o for o in node_b.get("/api/orders")["items"] if o["total"] == 448]) == 3
    finally:
        node_a.stop()
        node_b.stop()


def test_a_new_release_reaches_the_tablet_without_losing_the_queue(tmp_path, chromium_path):
    node = Node(tmp_path / "store", name="node1", POS_RELEASE="r1").setup().start()
    try:
        with tablet(chromium_path, tmp_path / "profile") as context:
            page = context.new_page()
            open_register(page, node.url)
            old_version = page.get_by_test_id("app-version").inner_text()
            node.kill9()
            sell(page)
            sell(page)
            sold = queued_ids(page)
            assert len(sold) == 2

            # The deploy also rotates the demo device's token, so the old page
            # cannot send the queue: the sales must survive the update to arrive.
            node.env.update(POS_RELEASE="r2", POS_DEMO_TOKEN="rotated-token")
            node.manage("seed_demo")
            node.start()

            expect(page.get_by_test_id("app-version")).not_to_have_text(old_version, timeout=ARRIVE_MS)
            page.wait_for_selector("body[data-ready=true]")
            expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
            expect(page.get_by_test_id("rejected-orders")).to_be_hidden()
            caches = page.evaluate("caches.keys()")
            assert [k for k in caches if k.startswith("posweb-shell-")] == [f"posweb-shell-{page.get_by_test_id('app-version').inner_text()}"]

        orders = node.get("/api/orders", token="rotated-token")["items"]
        assert {o["id"] for o in orders} == sold
    finally:
        node.stop()
    assert DEMO_TOKEN != "rotated-token"
