"""The register as a cashier uses it, in real headless Chromium against a real
node: the cash screen (keypad, notes, お預かり/お釣り, confirmation), card and
QR with the terminal's approval, split tender, the 未会計 list paid with the
node dead, age check on alcohol, the PIN pad, a 12-line order paid without
scrolling, the phone layout; and the DOM layout checks at every size, with
screenshots under var/screenshots/ to look at."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser import chromium
from tests.layout import assert_layout_ok
from tests.nodes import Node

pytestmark = [pytest.mark.browser, pytest.mark.nodes]

TABLET = {"width": 1180, "height": 820}
PHONES = [{"width": 390, "height": 844}, {"width": 360, "height": 740}]
ARRIVE_MS = 45_000  # the outbox retries with a backoff of at most 10 s

# Checks beyond the shared ones of tests/layout.py, measured in the page:
# - any box (not only one with its own text) whose content spills out of it,
#   unless the box scrolls on purpose;
# - two pieces of text that are both on top (not under a modal dialog) overlap;
# - a short label (a button, a heading) breaks over two lines (ログア/ウト).
LAYOUT_JS = """
() => {
  const problems = [];
  const vw = innerWidth, vh = innerHeight;
  const doc = document.documentElement;
  if (doc.scrollWidth > vw + 1) problems.push(`page is ${doc.scrollWidth}px wide in a ${vw}px screen`);
  const shown = (el) => {
    const s = getComputedStyle(el);
    if (s.display === "none" || s.visibility === "hidden") return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const label = (el) => `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ""}` +
    `${typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : ""}` +
    ` "${(el.textContent || "").trim().slice(0, 20)}"`;
  const all = [...document.querySelectorAll("body *")].filter((el) => !["SCRIPT", "STYLE", "TEMPLATE"].includes(el.tagName));
  for (const el of all) {
    if (!shown(el)) continue;
    const s = getComputedStyle(el);
    if (s.display.startsWith("inline") && s.display !== "inline-block" && s.display !== "inline-flex" && s.display !== "inline-grid") continue;
    const scrollsX = ["auto", "scroll"].includes(s.overflowX);
    const scrollsY = ["auto", "scroll"].includes(s.overflowY);
    if (!scrollsX && el.scrollWidth > el.clientWidth + 1) problems.push(`${label(el)}: content ${el.scrollWidth}px wide in a ${el.clientWidth}px box`);
    if (!scrollsY && el.scrollHeight > el.clientHeight + 1) problems.push(`${label(el)}: content ${el.scrollHeight}px high in a ${el.clientHeight}px box`);
  }
  // Text boxes that are really seen: on screen and the topmost thing where they are.
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const owner = node.parentElement;
    if (!node.textContent.trim() || !owner || !shown(owner) || owner.closest("script,style,option")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 1 && r.height > 1);
    for (const r of rects) {
      const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
      if (cx < 0 || cy < 0 || cx > vw || cy > vh) continue;
      const hit = document.elementFromPoint(cx, cy);
      if (!hit || !(hit === owner || owner.contains(hit) || hit.contains(owner))) continue;
      let scroller = false;
      for (let a = owner; a && !scroller; a = a.parentElement) scroller = ["auto", "scroll"].includes(getComputedStyle(a).overflowX);
      if (!scroller && (r.left < -1 || r.right > vw + 1)) problems.push(`text "${node.textContent.trim().slice(0, 20)}" runs off the screen`);
      boxes.push({ r, owner, text: node.textContent.trim().slice(0, 20) });
    }
    // A short label must not break over two lines (オンライ/ン, ログア/ウト).
    const short = node.textContent.trim().length <= 10 && owner.closest("button,summary,h2,dt,.figure");
    if (short && new Set(rects.map((r) => Math.round(r.top))).size > 1) problems.push(`label "${node.textContent.trim()}" breaks over lines`);
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.owner === b.owner) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > 2 && h > 2) problems.push(`text "${a.text}" overlaps "${b.text}"`);
    }
  }
  return problems;
}
"""


# While a modal dialog is open the page under it is inert and covered: only the dialog is checked.
UNDER_A_MODAL = "body > :not(dialog[open])"
# The shared checker sees text a scroll box hides (cart lines under the pay
# buttons, menu items under the phone's cart) as overlapping what is drawn
# there; this file's check, which only counts text that is on top where it is
# drawn, covers what is inside them.
SCROLLED = [".cart-body", ".items"]


def check_layout(page: Page, name: str) -> None:
    """Save the screenshot under var/screenshots/ (look at it), then fail on any
    layout problem the DOM shows: the shared checks, then this file's."""
    page.evaluate("() => document.querySelectorAll('.items, .cart-body').forEach((e) => e.scrollTo(0, 0))")
    page.wait_for_timeout(300)  # let a dialog's first frame settle
    modal = page.evaluate("() => !!document.querySelector('dialog[open]')")
    assert_layout_ok(page, name, ignore=[UNDER_A_MODAL] if modal else SCROLLED)
    problems = page.evaluate(LAYOUT_JS)
    assert problems == [], f"{name}: {problems}"


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    node = Node(tmp_path_factory.mktemp("register") / "store", name="node1").setup().start()
    yield node
    node.stop()


@pytest.fixture
def browser(chromium_path):
    with chromium(chromium_path) as browser:
        yield browser


# A browser that refuses persistent storage, as a tablet's may before the app is installed.
REFUSE_STORAGE = "navigator.storage.persisted = async () => false; navigator.storage.persist = async () => false;"


def open_register(browser, node: Node, viewport: dict, name: str | None = None) -> Page:
    """A fresh tablet (or phone); the cashier logs in with the on-screen PIN pad."""
    page = browser.new_page(viewport=viewport)
    page.add_init_script(REFUSE_STORAGE)
    page.goto(f"{node.url}/register/")
    expect(page.get_by_test_id("pin-pad")).to_be_visible()
    if name:
        check_layout(page, f"{name}-pin")
    for digit in "1234":
        page.get_by_test_id(f"pin-key-{digit}").click()
    expect(page.get_by_test_id("pin-input")).to_have_value("1234")
    page.get_by_test_id("pin-submit").click()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.get_by_test_id("till")).to_be_visible()
    return page


def add(page: Page, *skus: str) -> None:
    for sku in skus:
        page.locator(f'[data-sku="{sku}"]').click()


def count(node: Node) -> int:
    return node.get("/api/orders?limit=1")["count"]


def new_order(node: Node, before: int) -> dict:
    """The order that arrives after ``before`` orders were there (bounded wait)."""
    deadline = time.monotonic() + ARRIVE_MS / 1000
    while (listed := node.get("/api/orders?limit=1"))["count"] == before:
        assert time.monotonic() < deadline, "the sale never arrived"
        time.sleep(0.2)
    assert listed["count"] == before + 1, "more than one order arrived"
    return listed["items"][0]


def test_cash_2000_for_a_1213_order_shows_787_change_and_asks_before_recording(node, browser):
    page = open_register(browser, node, TABLET, "tablet")
    before = count(node)
    add(page, "GYUDON", "OYAKODON", "COLA", "BAG")  # 468 + 590 + 150 + 5
    expect(page.get_by_test_id("cart-total")).to_have_text("¥1,213")
    check_layout(page, "tablet-cart")

    page.get_by_test_id("pay-cash-open").click()
    expect(page.get_by_test_id("tender-left")).to_have_text("¥1,213")
    expect(page.get_by_test_id("tender-next")).to_be_disabled()  # nothing handed over yet
    page.get_by_test_id("tender-note-1000").click()
    page.get_by_test_id("tender-note-1000").click()
    expect(page.get_by_test_id("tender-amount")).to_have_text("¥2,000")
    expect(page.get_by_test_id("tender-change")).to_have_text("¥787")
    check_layout(page, "tablet-cash")
    # Typed on the keypad instead: the same figures.
    page.get_by_test_id("tender-key-C").click()
    for k in ("2", "00", "0"):
        page.get_by_test_id(f"tender-key-{k}").click()
    expect(page.get_by_test_id("tender-amount")).to_have_text("¥2,000")
    page.get_by_test_id("tender-next").click()

    # The confirmation step: nothing is recorded before it.
    expect(page.get_by_test_id("tender-confirm-change")).to_have_text("¥787")
    expect(page.get_by_test_id("tender-confirm-amount")).to_have_text("¥2,000")
    check_layout(page, "tablet-cash-confirm")
    assert count(node) == before
    page.get_by_test_id("tender-confirm").click()
    expect(page.get_by_test_id("tender-done-change")).to_have_text("¥787")
    sold = new_order(node, before)
    assert sold["total"] == 1213 and sold["paid"] == 1213
    assert [(p["method"], p["tendered"], p["change"]) for p in sold["payments"]] == [("cash", 2000, 787)]
    page.get_by_test_id("tender-close").click()
    expect(page.get_by_test_id("tender-dialog")).to_be_hidden()
    expect(page.get_by_test_id("cart-total")).to_have_text("¥0")


def test_card_asks_for_the_approval_and_a_bill_is_split_between_card_and_cash(node, browser):
    page = open_register(browser, node, TABLET)
    before = count(node)
    add(page, "KATSUCURRY", "FRIES")  # 790 + 250 = 1040
    page.get_by_test_id("pay-card").click()
    expect(page.get_by_test_id("tender-method-card")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("tender-reference")).to_be_visible()
    expect(page.get_by_test_id("tender-amount")).to_have_text("¥1,040")  # card: all that is left
    for k in ("5", "00"):
        page.get_by_test_id(f"tender-key-{k}").click()
    page.get_by_test_id("tender-reference").fill("834201")
    page.get_by_test_id("tender-add").click()  # ¥500 on the card, the rest in cash
    expect(page.get_by_test_id("tender-list")).to_contain_text("834201")
    expect(page.get_by_test_id("tender-left")).to_have_text("¥540")
    page.get_by_test_id("tender-note-1000").click()
    expect(page.get_by_test_id("tender-change")).to_have_text("¥460")
    page.get_by_test_id("tender-next").click()
    expect(page.get_by_test_id("tender-no-terminal")).to_be_hidden()  # the card has its approval
    page.get_by_test_id("tender-confirm").click()
    expect(page.get_by_test_id("tender-done-change")).to_have_text("¥460")
    sold = new_order(node, before)
    assert [(p["method"], p["amount"], p["reference"], p["change"]) for p in sold["payments"]] == [
        ("card", 500, "834201", 0), ("cash", 540, "", 460)
    ]
    page.get_by_test_id("tender-close").click()

    # QR with no terminal reference: the confirmation says to check the terminal.
    add(page, "FRIES")
    page.get_by_test_id("pay-qr").click()
    page.get_by_test_id("tender-next").click()
    expect(page.get_by_test_id("tender-no-terminal")).to_be_visible()
    page.get_by_test_id("tender-confirm").click()
    expect(page.get_by_test_id("tender-done")).to_be_visible()
    assert [(p["method"], p["amount"]) for p in new_order(node, before + 1)["payments"]] == [("qr", 250)]


def test_a_12_line_order_is_paid_without_scrolling(node, browser):
    page = open_register(browser, node, TABLET)
    before = count(node)
    skus = ["GYUDON", "BUTADON", "OYAKODON", "CURRY", "KATSUCURRY", "HAMBURGER",
            "CHEESEBURGER", "TERIYAKI", "EBIFILET", "FRIES", "KARAAGE", "NUGGETS"]
    add(page, *skus)
    expect(page.locator('[data-testid="cart-lines"] > li')).to_have_count(12)
    page.evaluate("() => document.querySelectorAll('.items, .cart-body').forEach((e) => e.scrollTo(0, 0))")
    for hook in ("cart-total", "pay-cash-open", "pay-cash", "pay-card", "pay-qr"):
        expect(page.get_by_test_id(hook)).to_be_in_viewport(ratio=1)
    assert page.evaluate("() => [scrollX, scrollY, document.scrollingElement.scrollTop]") == [0, 0, 0]
    check_layout(page, "tablet-12-lines")
    page.get_by_test_id("pay-cash").click()  # the public one-tap exact cash
    assert len(new_order(node, before)["lines"]) == 12


def test_the_storage_notice_shows_once_with_the_install_hint(node, browser):
    page = open_register(browser, node, TABLET)
    expect(page.get_by_test_id("storage-persist")).to_have_attribute("data-state", "refused")
    expect(page.get_by_test_id("storage-notice")).to_be_visible()
    expect(page.get_by_test_id("install-hint")).to_contain_text("インストール")
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.get_by_test_id("storage-persist")).to_have_attribute("data-state", "refused")
    expect(page.get_by_test_id("storage-notice")).to_be_hidden()  # once per device, not on every screen


def test_the_age_check_comes_before_the_first_alcoholic_item_of_each_order(node, browser):
    page = open_register(browser, node, TABLET)
    add(page, "BEER")
    expect(page.get_by_test_id("age-dialog")).to_be_visible()
    check_layout(page, "tablet-age-check")
    page.get_by_test_id("age-cancel").click()
    expect(page.get_by_test_id("cart-lines").locator("li")).to_have_count(0)  # not confirmed: not sold
    add(page, "FRIES", "BEER")
    page.get_by_test_id("age-confirm").click()
    expect(page.get_by_test_id("cart-total")).to_have_text("¥800")
    add(page, "HIGHBALL")  # same order: asked once
    expect(page.get_by_test_id("age-dialog")).to_be_hidden()
    expect(page.get_by_test_id("cart-total")).to_have_text("¥1,250")
    page.get_by_test_id("pay-cash").click()
    expect(page.get_by_test_id("cart-total")).to_have_text("¥0")
    add(page, "BEER")  # the next order asks again
    expect(page.get_by_test_id("age-dialog")).to_be_visible()


@pytest.mark.parametrize("viewport", PHONES, ids=lambda v: f"{v['width']}x{v['height']}")
def test_the_phone_layout_sells_an_order_end_to_end(node, browser, viewport):
    name = f"phone-{viewport['width']}"
    page = open_register(browser, node, viewport, name)
    before = count(node)
    add(page, "GYUDON")
    expect(page.get_by_test_id("cart-total")).to_have_text("¥468")
    expect(page.get_by_test_id("pay-cash-open")).to_be_in_viewport(ratio=1)
    check_layout(page, f"{name}-menu")
    page.get_by_test_id("cart-toggle").click()  # the bottom sheet opens over the menu
    expect(page.get_by_test_id("cart-lines").locator("li")).to_have_count(1)
    page.get_by_test_id("dining-take-out").click()
    page.locator('button[data-testid="line-options"]').click()
    expect(page.get_by_test_id("modifier-dialog")).to_contain_text("(+¥110)")  # option prices in yen
    page.locator('input[value="size_oomori"]').check()
    page.get_by_test_id("modifier-ok").click()
    expect(page.get_by_test_id("cart-total")).to_have_text("¥578")
    expect(page.get_by_test_id("reduced-legend")).to_be_visible()  # take-out food: ※ 8 %
    check_layout(page, f"{name}-sheet")
    page.get_by_test_id("pay-cash-open").click()
    page.get_by_test_id("tender-note-1000").click()
    expect(page.get_by_test_id("tender-change")).to_have_text("¥422")
    check_layout(page, f"{name}-cash")
    page.get_by_test_id("tender-next").click()
    page.get_by_test_id("tender-confirm").click()
    expect(page.get_by_test_id("tender-done-change")).to_have_text("¥422")
    sold = new_order(node, before)
    assert sold["total"] == 578 and sold["dining"] == "take_out" and sold["paid"] == 578


def test_a_kiosk_order_is_paid_at_the_register_with_the_node_dead_and_arrives_once(node, browser):
    kitchen = browser.new_page()
    kitchen.goto(f"{node.url}/kitchen/")  # the kiosk takes orders only while a kitchen screen listens
    kitchen.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)
    page = open_register(browser, node, TABLET)

    kiosk = browser.new_page(viewport={"width": 1280, "height": 800})
    kiosk.goto(f"{node.url}/kiosk/")
    kiosk.get_by_test_id("categories").get_by_role("button", name="サイド").click()
    kiosk.locator('[data-sku="FRIES"]').click()
    kiosk.get_by_test_id("place-order").click()
    expect(kiosk.get_by_test_id("order-number")).not_to_be_empty(timeout=10_000)
    number = kiosk.get_by_test_id("order-number").inner_text()
    placed = next(o for o in node.get("/api/orders")["items"] if str(o["number"]) == number)
    assert placed["paid"] == 0 and placed["register"].startswith("kiosk:")

    # Within seconds, on the register's 未会計 list.
    row = page.locator(f'[data-testid="unpaid-order"][data-order-id="{placed["id"]}"]')
    page.get_by_test_id("unpaid").locator("summary").click()
    expect(row).to_be_visible(timeout=10_000)
    expect(row).to_contain_text("¥250")
    check_layout(page, "tablet-unpaid")

    node.kill9()
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "offline", timeout=20_000)
    row.get_by_test_id("unpaid-pay").click()
    page.get_by_test_id("tender-note-500").click()
    expect(page.get_by_test_id("tender-change")).to_have_text("¥250")
    page.get_by_test_id("tender-next").click()
    page.get_by_test_id("tender-confirm").click()
    expect(page.get_by_test_id("tender-done-change")).to_have_text("¥250")
    page.get_by_test_id("tender-close").click()
    expect(page.get_by_test_id("outbox-count")).to_have_text("1")
    expect(row).to_have_count(0)  # paid, as far as the counter is concerned
    page.reload()  # a queued payment survives a reload, and the list still leaves it out
    page.wait_for_selector("body[data-ready=true]")
    expect(page.get_by_test_id("outbox-count")).to_have_text("1")

    node.start()
    expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
    paid = node.get(f"/api/orders/{placed['id']}")
    assert paid["paid"] == 250 and paid["balance_due"] == 0
    assert [(p["method"], p["tendered"], p["change"]) for p in paid["payments"]] == [("cash", 500, 250)]
    page.wait_for_timeout(3_000)  # another flush round sends nothing twice
    assert len(node.get(f"/api/orders/{placed['id']}")["payments"]) == 1
    assert node.get("/api/orders?unpaid=true")["count"] == 0

