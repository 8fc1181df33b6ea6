"""The kitchen display in real headless Chromium against a real node: tickets appear without a
reload, are acknowledged, bumped and recalled, and a screen cut off from its node gets every
ticket it missed exactly once when the link comes back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import chromium, wait_for_js
from tests.nodes import Node
from tests.personas import order_body
from tests.tcp_proxy import CuttableProxy

pytestmark = [pytest.mark.browser, pytest.mark.nodes]


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    node = Node(tmp_path_factory.mktemp("kitchen") / "store", name="node1").setup().start()
    yield node
    node.stop()


def place(node, **overrides):
    status, order = node.post("/api/orders", order_body(**overrides))
    assert status == 201, order
    return order


def ticket(page, order, station=None):
    selector = f'[data-testid="ticket"][data-order-id="{order["id"]}"]'
    if station:
        selector += f'[data-station="{station}"]'
    return page.locator(selector)


def open_kitchen(browser, url):
    page = browser.new_page()
    page.goto(url)
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "online", timeout=10_000)
    page.evaluate("window.__sameDocument = true")  # gone if the page ever reloads
    return page


def test_a_ticket_appears_is_acknowledged_bumped_and_recalled(node, chromium_path):
    with chromium(chromium_path) as browser:
        grill = open_kitchen(browser, f"{node.url}/kitchen/?station=grill")
        drinks = open_kitchen(browser, f"{node.url}/kitchen/?station=drinks")
        order = place(node)

        card = ticket(grill, order)
        expect(card).to_have_count(1, timeout=5_000)
        expect(card).to_contain_text("牛丼")
        expect(card).to_contain_text("大盛")
        expect(card).to_contain_text("持ち帰り")
        expect(card).to_contain_text(f"No. {order['number']}")
        expect(card).to_have_attribute("data-acked", "true", timeout=5_000)
        expect(card).to_have_attribute("data-age", "green")
        # The grill screen shows only grill items; the beer goes to drinks.
        expect(card).not_to_contain_text("ビール")
        expect(ticket(drinks, order)).to_contain_text("ビール", timeout=5_000)

        received = node.get(f"/api/orders/{order['id']}")
        assert received["kitchen_received"] is True and received["kitchen_received_at"]
        assert received["status"] == "in_kitchen"

        card.get_by_test_id("bump").click()
        expect(card).to_have_count(0, timeout=5_000)
        grill.get_by_test_id("recall").click()
        expect(ticket(grill, order)).to_have_count(1, timeout=5_000)
        assert grill.evaluate("window.__sameDocument") is True


def test_the_expediter_sees_every_station_bumps_the_last_to_ready_and_marks_it_served(node, chromium_path):
    with chromium(chromium_path) as browser:
        expo = open_kitchen(browser, f"{node.url}/kitchen/")
        grill = open_kitchen(browser, f"{node.url}/kitchen/?station=grill")
        order = place(node)
        # The expediter sees the whole order on one card, every station's items on it.
        card = ticket(expo, order)
        expect(card).to_have_count(1, timeout=5_000)
        assert set(card.get_attribute("data-station").split(",")) == {"grill", "fryer", "drinks"}
        # The grill finishing its part does not make the order ready.
        ticket(grill, order).get_by_test_id("bump").click()
        expect(ticket(grill, order)).to_have_count(0, timeout=5_000)
        expect(card).to_have_attribute("data-station", re.compile(r"^(fryer,drinks|drinks,fryer)$"), timeout=5_000)
        assert node.get(f"/api/orders/{order['id']}")["status"] != "ready"
        card.get_by_test_id("bump").click()
        expect(card).to_have_count(0, timeout=5_000)
        assert node.get(f"/api/orders/{order['id']}")["status"] == "ready"
        # Ready orders wait on the expediter's rail until handed over.
        ready = expo.locator(f'[data-testid="ready-order"][data-order-id="{order["id"]}"]')
        expect(ready).to_contain_text(f"No. {order['number']}", timeout=10_000)
        ready.get_by_test_id("serve").click()
        expect(ready).to_have_count(0, timeout=10_000)
        assert node.get(f"/api/orders/{order['id']}")["status"] == "served"


def test_a_screen_cut_off_gets_every_missed_ticket_once_without_a_reload(node, chromium_path):
    with CuttableProxy(node.port) as proxy, chromium(chromium_path) as browser:
        page = open_kitchen(browser, f"{proxy.url}/kitchen/?station=grill")
        before = place(node)
        expect(ticket(page, before)).to_have_count(1, timeout=5_000)

        proxy.cut()
        # No close, no error: the screen has to notice the silence itself, and say so.
        expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "offline", timeout=20_000)
        expect(page.get_by_test_id("offline-banner")).to_be_visible()
        missed = [place(node) for _ in range(4)]
        for order in missed:
            expect(ticket(page, order)).to_have_count(0)

        proxy.restore()
        expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "online", timeout=30_000)
        for order in missed:
            expect(ticket(page, order)).to_have_count(1, timeout=10_000)
            expect(ticket(page, order)).to_have_attribute("data-acked", "true", timeout=10_000)
        expect(ticket(page, before)).to_have_count(1)
        expect(ticket(page, before)).to_have_attribute("data-acked", "true", timeout=10_000)
        expect(page.get_by_test_id("offline-banner")).to_be_hidden()
        assert page.evaluate("window.__sameDocument") is True
        stats = page.evaluate("window.posKitchen.feed.stats")
        # It resumed from its cursor: the missed tickets were applied once each, no full refetch.
        assert stats["refetches"] == 0 and stats["connects"] >= 2
        for order in missed:
            assert node.get(f"/api/orders/{order['id']}")["kitchen_received"] is True


def test_a_register_page_hears_its_orders_move_live(node, chromium_path):
    with chromium(chromium_path) as browser:
        register = browser.new_page()
        register.goto(f"{node.url}/register/")
        register.evaluate(
            """async () => {
                const { watchOrders } = await import('/static/pos/order-status.js');
                window.heard = [];
                watchOrders((order) => window.heard.push(order));
            }"""
        )
        wait_for_js(register, "window.heard.includes(null)", timeout=10_000)  # connected: refetch once
        expo = open_kitchen(browser, f"{node.url}/kitchen/")
        order = place(node)
        heard = f"(status) => window.heard.some((o) => o && o.id === {order['id']!r} && o.status === status)"
        wait_for_js(register, heard, arg="in_kitchen", timeout=10_000)
        ticket(expo, order).get_by_test_id("bump").click()
        expect(ticket(expo, order)).to_have_count(0, timeout=5_000)
        wait_for_js(register, heard, arg="ready", timeout=10_000)


FEED_SCENARIOS = """async () => {
  const { KitchenFeed, backoffDelay } = await import('/static/pos/feed.js');
  const make = () => {
    const applied = [], snapshots = [], sent = [];
    const feed = new KitchenFeed({
      onSnapshot: (list) => snapshots.push(list.map((t) => t.id)),
      onTicket: (event, ticket) => applied.push(`${event}:${ticket.id}`),
      onState: () => {},
    });
    feed.send = (m) => { sent.push(m.type); return true; };
    return { feed, applied, snapshots, sent };
  };
  const tk = (seq, prev, id, event = 'new') => ({ type: 'ticket', seq, prev, event, ticket: { id } });
  const out = {};

  // A fresh screen takes a snapshot, then applies tickets in order and drops repeats.
  let s = make();
  s.feed.handle({ type: 'hello', epoch: 'E', seq: 5 });
  s.feed.handle(tk(6, 5, 'early'));                       // before the snapshot: ignored
  s.feed.handle({ type: 'snapshot', epoch: 'E', seq: 6, tickets: [{ id: 'early' }] });
  s.feed.handle(tk(7, 6, 'a'));
  s.feed.handle(tk(7, 6, 'a'));                           // duplicate
  s.feed.handle(tk(6, 5, 'early'));                       // stale duplicate
  s.feed.handle(tk(9, 7, 'b'));
  out.fresh = { sent: s.sent, applied: s.applied, stats: { ...s.feed.stats }, seq: s.feed.seq };

  // A gap (prev ahead of the cursor) asks for a snapshot and ignores tickets until it comes.
  s = make();
  s.feed.handle({ type: 'hello', epoch: 'E', seq: 3 });
  s.feed.handle({ type: 'snapshot', epoch: 'E', seq: 3, tickets: [] });
  s.feed.handle(tk(5, 4, 'x'));                           // 4 never arrived
  s.feed.handle(tk(6, 5, 'y'));                           // still before the refetch: ignored
  s.feed.handle({ type: 'snapshot', epoch: 'E', seq: 6, tickets: [{ id: 'x' }, { id: 'y' }] });
  s.feed.handle(tk(7, 6, 'z'));
  out.gap = { sent: s.sent, applied: s.applied, snapshots: s.snapshots, refetches: s.feed.stats.refetches };

  // A reconnect resumes from the cursor; tickets before the server's 'resumed' are ignored.
  s = make();
  s.feed.handle({ type: 'hello', epoch: 'E', seq: 0 });
  s.feed.handle({ type: 'snapshot', epoch: 'E', seq: 10, tickets: [] });
  s.feed.handle({ type: 'hello', epoch: 'E', seq: 12 });
  s.feed.handle(tk(13, 12, 'pushed-early'));
  s.feed.handle({ type: 'resumed', seq: 10 });
  s.feed.handle(tk(11, 10, 'm1'));
  s.feed.handle(tk(13, 11, 'pushed-early'));
  out.resume = { sent: s.sent, applied: s.applied, refetches: s.feed.stats.refetches };

  // Another node's epoch (a restored or replaced server) means a snapshot, not a resume.
  s = make();
  s.feed.handle({ type: 'hello', epoch: 'E', seq: 0 });
  s.feed.handle({ type: 'snapshot', epoch: 'E', seq: 4, tickets: [] });
  s.feed.handle({ type: 'hello', epoch: 'F', seq: 1 });
  out.epoch = { sent: s.sent };

  // A long backlog comes in pages: shown once, whole, when the last page is in.
  s = make();
  s.feed.handle({ type: 'hello', epoch: 'E', seq: 0 });
  s.feed.handle({ type: 'snapshot', epoch: 'E', seq: 9, tickets: [{ id: 'p1' }, { id: 'p2' }], more: true });
  const midway = s.snapshots.length;
  s.feed.handle({ type: 'snapshot.page', seq: 9, tickets: [{ id: 'p3' }], more: true });
  s.feed.handle({ type: 'snapshot.page', seq: 9, tickets: [{ id: 'p4' }], more: false });
  s.feed.handle(tk(10, 9, 'after'));
  out.paged = { midway, snapshots: s.snapshots, applied: s.applied, seq: s.feed.seq };

  const delays = [];
  for (let attempt = 0; attempt < 12; attempt++) delays.push([backoffDelay(attempt, () => 0), backoffDelay(attempt, () => 0.999)]);
  out.backoff = delays;
  return out;
}"""


def test_the_feed_client_drops_duplicates_refetches_on_a_gap_and_backs_off(node, chromium_path):
    with chromium(chromium_path) as browser:
        page = browser.new_page()
        page.goto(f"{node.url}/kitchen/")
        out = page.evaluate(FEED_SCENARIOS)

    assert out["fresh"]["sent"] == ["snapshot"]
    assert out["fresh"]["applied"] == ["new:a", "new:b"]
    assert out["fresh"]["stats"]["duplicates"] == 2 and out["fresh"]["seq"] == 9

    assert out["gap"]["sent"] == ["snapshot", "snapshot"] and out["gap"]["refetches"] == 1
    assert out["gap"]["snapshots"] == [[], ["x", "y"]]
    assert out["gap"]["applied"] == ["new:z"]

    assert out["resume"]["sent"] == ["snapshot", "resume"] and out["resume"]["refetches"] == 0
    assert out["resume"]["applied"] == ["new:m1", "new:pushed-early"]

    assert out["epoch"]["sent"] == ["snapshot", "snapshot"]

    assert out["paged"]["midway"] == 0  # nothing drawn from half a backlog
    assert out["paged"]["snapshots"] == [["p1", "p2", "p3", "p4"]]
    assert out["paged"]["applied"] == ["new:after"] and out["paged"]["seq"] == 10

    low, high = zip(*out["backoff"])
    assert list(low) == sorted(low) and low[0] >= 125  # grows, never hammers
    assert max(high) <= 10_000  # capped
    assert all(h > lo for lo, h in out["backoff"])  # jitter: a spread, not one instant
