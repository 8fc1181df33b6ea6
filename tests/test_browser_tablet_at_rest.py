"""A stolen tablet gives away as little as possible (issue 15), in real headless
Chromium against a real node: after selling offline, the tablet's storage holds
no sale, PIN digest or item name in clear, its sealing key cannot be exported,
and the sales still arrive; an older release's clear data is sealed in place
with nothing unsent lost; a revoked tablet wipes itself but keeps, sealed, the
sales it could not deliver, which arrive once it is paired again."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.nodes import Node
from tests.test_browser_offline import ARRIVE_MS, open_register, queued_ids, sell, tablet

pytestmark = [pytest.mark.browser, pytest.mark.nodes]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"

# Everything the page's origin keeps that a script can read: every IndexedDB
# store (values and keys, binary as hex, CryptoKeys as their properties),
# localStorage, sessionStorage and Cache Storage's keys.
DUMP_STORAGE = """async () => {
  const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
  const plain = (v) => JSON.parse(JSON.stringify(v, (k, x) =>
    x instanceof ArrayBuffer ? { buffer: hex(x) }
    : x instanceof Uint8Array ? { bytes: hex(x) }
    : x instanceof CryptoKey ? { cryptoKey: x.algorithm.name, extractable: x.extractable }
    : x));
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open("posweb");
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const all = (store, what) => new Promise((resolve, reject) => {
    const r = db.transaction(store).objectStore(store)[what]();
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const idb = {};
  for (const store of db.objectStoreNames) {
    const [keys, values] = [await all(store, "getAllKeys"), await all(store, "getAll")];
    idb[store] = keys.map((k, i) => [k, plain(values[i])]);
  }
  db.close();
  return {
    version: db.version, idb,
    local: { ...localStorage }, session: { ...sessionStorage },
    caches: "caches" in self ? await caches.keys() : [],
  };
}"""

EXPORT_KEY = """async () => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open("posweb");
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const key = await new Promise((resolve) => {
    const r = db.transaction("keys").objectStore("keys").get("device");
    r.onsuccess = () => resolve(r.result);
  });
  db.close();
  const found = { type: String(key && key.constructor.name), extractable: key.extractable, algorithm: key.algorithm.name };
  for (const format of ["raw", "jwk"]) {
    try { await crypto.subtle.exportKey(format, key); found[format] = "exported"; }
    catch (error) { found[format] = error.name; }
  }
  return found;
}"""

# What an older release (outbox.js with DB_VERSION 1) left: a sale, the ticket
# counter, a menu and fast SHA-256 PIN digests, all in clear.
WRITE_LEGACY = """async ({ sale, menu, logins, salt }) => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open("posweb", 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore("outbox", { keyPath: "id" }).createIndex("created", "created");
      open.result.createObjectStore("rejected", { keyPath: "id" });
      open.result.createObjectStore("kv");
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  await new Promise((resolve, reject) => {
    const t = db.transaction(["outbox", "kv"], "readwrite");
    t.objectStore("outbox").put(sale);
    t.objectStore("kv").put(menu, "menu");
    t.objectStore("kv").put(logins, "staffLogins");
    t.objectStore("kv").put(salt, "pinSalt");
    t.objectStore("kv").put({ day: "2026-01-01", count: 1 }, "ticketCounter");
    t.oncomplete = resolve;
    t.onerror = () => reject(t.error);
  });
  db.close();
}"""


@pytest.fixture
def node(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    yield node
    node.stop()


def secrets_of(node: Node) -> list[str]:
    """What must never be readable at rest: the SKUs and names of what was sold."""
    items = {i["sku"]: i for i in node.get("/api/menu")["items"]}
    found = []
    for sku in ("GYUDON", "BUTADON"):
        found += [sku, items[sku]["name_ja"], items[sku]["name_en"]]
    return found


def assert_sealed(dump: dict) -> None:
    """Every sale and every kv value but the ticket counter is AES-GCM ciphertext."""
    for _id, row in dump["idb"]["outbox"]:
        assert set(row) == {"id", "created", "number", "box"}, row
        assert set(row["box"]) == {"sealed", "iv", "data"}
    for key, value in dump["idb"]["kv"]:
        if key != "ticketCounter":
            assert set(value) == {"sealed", "iv", "data"}, (key, value)


def assert_nothing_in_clear(text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text, secret
    # A PIN digest (hex SHA-256 or PBKDF2) in clear would be 64 hex digits on its
    # own; ciphertext is dumped as {"buffer": ...}/{"bytes": ...} and skipped here.
    stripped = re.sub(r'"(buffer|bytes)": ?"[0-9a-f]*"', "", text)
    assert not re.search(r"\b[0-9a-f]{64}\b", stripped)


def storage_text(page: Page) -> tuple[dict, str]:
    import json

    dump = page.evaluate(DUMP_STORAGE)
    return dump, json.dumps(dump, ensure_ascii=False)


def profile_holds(profile: Path, secrets: list[str]) -> list[str]:
    """The secrets found anywhere in the browser profile on disk, as UTF-8 or
    UTF-16 (V8 keeps strings in either), e.g. in Chromium's HTTP cache."""
    needles = {s: (s.encode(), s.encode("utf-16-le")) for s in secrets}
    found = []
    for path in profile.rglob("*"):
        if path.is_file() and path.stat().st_size < 64 * 1024 * 1024:
            data = path.read_bytes()
            found += [f"{s} in {path.relative_to(profile)}" for s, forms in needles.items() if any(f in data for f in forms)]
    return found


def test_a_tablet_that_sold_offline_keeps_only_ciphertext_and_its_key_cannot_be_exported(node, chromium_path, tmp_path):
    secrets = secrets_of(node)
    profile = tmp_path / "profile"
    with tablet(chromium_path, profile) as context:
        page = context.new_page()
        open_register(page, node.url)  # online: the PIN's digest is cached for offline logins
        node.kill9()
        sell(page, "GYUDON")
        sell(page, "BUTADON")
        expect(page.get_by_test_id("outbox-count")).to_have_text("2")
        sold = queued_ids(page)

        dump, text = storage_text(page)
        assert dump["version"] == 2 and len(dump["idb"]["outbox"]) == 2
        assert_sealed(dump)
        assert_nothing_in_clear(text, secrets)
        assert {k for k, _ in dump["idb"]["kv"]} >= {"menu", "pinCache"}  # what selling offline needs, sealed
        assert "posweb-runtime" not in dump["caches"]  # the worker keeps no API answer

        key = page.evaluate(EXPORT_KEY)
        assert key == {"type": "CryptoKey", "extractable": False, "algorithm": "AES-GCM",
                       "raw": "InvalidAccessError", "jwk": "InvalidAccessError"}

        # The sealed cache still opens the register with no node: a new tab, the cashier's PIN.
        page.close()
        page = context.new_page()
        open_register(page, node.url, wait_for_worker=False)
        expect(page.get_by_test_id("outbox-count")).to_have_text("2")

        node.start()
        expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
        assert page.evaluate(DUMP_STORAGE)["idb"]["outbox"] == []  # acknowledged means gone
    assert {o["id"] for o in node.get("/api/orders")["items"]} == sold
    # Not even Chromium's own files (HTTP cache, IndexedDB's LevelDB) hold what was sold.
    assert profile_holds(profile, secrets) == []


def legacy_sale(node: Node) -> dict:
    gyudon = next(i for i in node.get("/api/menu")["items"] if i["sku"] == "GYUDON")
    modifiers = [m["code"] for g in gyudon["modifier_groups"] for m in g["modifiers"][: g["min"]]]
    sale_id = str(uuid.uuid4())
    body = {
        "id": sale_id, "register": "register-1", "dining": "eat_in", "number": 10_001,
        "lines": [{"sku": "GYUDON", "qty": 1, "modifiers": modifiers}],
        "payments": [{"method": "cash", "amount": 1000}],
    }
    prices = [{"sku": "GYUDON", "qty": 1, "unit_price": gyudon["price"], "name": gyudon["name_ja"]}]
    return {"id": sale_id, "body": body, "prices": prices, "total": gyudon["price"], "created": 1}


def test_an_older_releases_clear_data_is_sealed_in_place_and_its_unsent_sale_still_arrives(node, chromium_path, tmp_path):
    secrets = secrets_of(node)
    sale = legacy_sale(node)
    salt = "legacy-salt"
    logins = {hashlib.sha256(f"{salt}:S001:1234".encode()).hexdigest(): {"name": "Legacy Cashier", "role": "cashier"}}
    with tablet(chromium_path, tmp_path / "profile") as context:
        page = context.new_page()
        page.goto(f"{node.url}/api/health")  # the origin, with no register code running yet
        page.evaluate(WRITE_LEGACY, {"sale": sale, "menu": node.get("/api/menu"), "logins": logins, "salt": salt})

        # The node is up but takes no sale and no PIN yet: the migrated sale must
        # wait in the outbox, and the PIN is checked against the migrated cache.
        page.route("**/api/orders", lambda route: route.abort() if route.request.method == "POST" else route.continue_())
        page.route("**/api/staff/login", lambda route: route.abort())
        page.goto(f"{node.url}/register/")
        expect(page.get_by_test_id("pin-screen")).to_be_visible()
        expect(page.get_by_test_id("outbox-count")).to_have_text("1")

        dump, text = storage_text(page)
        assert_sealed(dump)
        assert_nothing_in_clear(text, secrets)
        assert [row["id"] for _, row in dump["idb"]["outbox"]] == [sale["id"]]
        assert {"staffLogins", "pinSalt"}.isdisjoint(k for k, _ in dump["idb"]["kv"])

        page.get_by_test_id("pin-input").fill("1234")
        page.get_by_test_id("pin-submit").click()
        expect(page.get_by_test_id("staff-name")).to_have_text("Legacy Cashier")  # the old digest, once
        expect(page.get_by_test_id("till")).to_be_visible()

        def kv_keys() -> set[str]:
            return {k for k, _ in page.evaluate(DUMP_STORAGE)["idb"]["kv"]}

        # Used once, the fast digest is replaced by a PBKDF2 one and gone.
        deadline_ms = 20_000
        while "legacyLogins" in kv_keys() and deadline_ms > 0:
            page.wait_for_timeout(200)
            deadline_ms -= 200
        assert "legacyLogins" not in kv_keys() and "pinCache" in kv_keys()

        page.unroute("**/api/orders")
        page.unroute("**/api/staff/login")
        expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
    order = node.get(f"/api/orders/{sale['id']}")
    assert order["number"] == 10_001 and order["lines"][0]["sku"] == "GYUDON"


def test_a_revoked_tablet_wipes_itself_but_keeps_its_unsent_sale_until_paired_again(node, chromium_path, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with tablet(chromium_path, tmp_path / "profile") as context:
        page = context.new_page()
        open_register(page, node.url)
        sell(page, "BUTADON")
        expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
        # The next sale cannot reach the node before the tablet is revoked.
        page.route("**/api/orders", lambda route: route.abort() if route.request.method == "POST" else route.continue_())
        sell(page, "GYUDON")
        expect(page.get_by_test_id("outbox-count")).to_have_text("1")
        unsent = queued_ids(page)

        node.manage("shell", "-c", "from stores.models import Device; from security.pairing import device_revoke; "
                    "device_revoke(device=Device.objects.get(name='register-1'), by='test')")
        notice = page.get_by_test_id("device-revoked")
        expect(notice).to_be_visible(timeout=20_000)
        expect(notice).to_contain_text("この端末は利用停止されました")
        expect(page.get_by_test_id("revoked-kept")).to_contain_text("1")
        page.screenshot(path=str(SCREENSHOTS / "tablet-revoked.png"), full_page=True)

        dump = page.evaluate(DUMP_STORAGE)
        assert dump["local"] == {} and dump["session"] == {} and dump["caches"] == []
        assert [k for k, _ in dump["idb"]["kv"]] == ["ticketCounter"]  # menu, nodes, PIN cache: gone
        assert [row["id"] for _, row in dump["idb"]["outbox"]] == list(unsent)  # the unsent sale: kept, sealed
        assert_sealed(dump)
        assert [k for k, _ in dump["idb"]["keys"]] == ["device"]  # ...with the key that opens it
        assert page.evaluate("navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
        # The page no longer talks to the node for this device.
        assert page.get_by_test_id("pin-input").count() == 0

        # A manager pairs the tablet again: the kept sale goes out with the new token.
        page.unroute("**/api/orders")
        code = node.manage("pairing_code", "register-2", "--kind", "register").strip()
        page.get_by_test_id("pair-again").click()
        page.wait_for_url(re.compile(r"/pair/"))
        page.get_by_test_id("pair-code").fill(code)
        page.get_by_test_id("pair-submit").click()
        page.wait_for_url(re.compile(r"/register/$"))
        open_register(page, node.url, wait_for_worker=False)
        expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
        token = page.evaluate("localStorage.getItem('pos.deviceToken')")
    assert unsent <= {o["id"] for o in node.get("/api/orders", token=token)["items"]}
    status, answer = node.request("GET", "/api/menu")  # the revoked demo token, refused and told so
    assert status == 401 and answer["code"] == "device_revoked"


def test_a_revoked_kitchen_screen_forgets_its_token_and_says_so(node, chromium_path):
    from tests.browser import chromium

    with chromium(chromium_path) as browser:
        context = browser.new_context(locale="en-US")
        context.add_cookies([{"name": "django_language", "value": "en", "url": node.url}])
        page = context.new_page()
        page.goto(f"{node.url}/kitchen/")
        expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "online", timeout=15_000)
        page.evaluate("localStorage.setItem('pos.deviceToken', 'what-a-paired-screen-keeps')")

        node.manage("shell", "-c", "from stores.models import Device; from security.pairing import device_revoke; "
                    "device_revoke(device=Device.objects.get(name='kitchen-1'), by='test')")
        notice = page.get_by_test_id("device-revoked")
        expect(notice).to_be_visible(timeout=20_000)  # the screen asks the node every 5 s
        expect(notice).to_contain_text("This device has been revoked")
        expect(page.get_by_test_id("revoked-kept")).to_have_count(0)  # a screen has no sales to keep
        expect(page.get_by_test_id("pair-again")).to_have_attribute("href", "/pair/?next=%2Fkitchen%2F")
        page.screenshot(path=str(SCREENSHOTS / "kitchen-revoked.png"), full_page=True)
        assert page.evaluate("({ ...localStorage })") == {}
