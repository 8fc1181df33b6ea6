"""Authority is proven by keys, never by names (issue 15, findings 1-3), with
real processes: HQ on PostgreSQL, store S001 with two sibling nodes and store
S002 with one. A store's sync key, even a whole store node (its key and its
database), can damage only its own store's data: the chain's menu, the other
store and the other store's sales reaching HQ stay intact, and every refusal
is answered (403), never taken in silently.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sync import auth
from tests.conftest import port_open
from tests.nodes import Node, free_port
from tests.personas import order_body
from tests.replication_fixtures import RemoteOrigin, placed
from tests.test_replication_hq import throwaway_postgres
from tests.test_replication_nodes import KEY, wait_for

pytestmark = pytest.mark.nodes

KEY2 = "store-key-S002"


@pytest.fixture(scope="module")
def chain_database_url() -> Iterator[str]:
    """As tests/test_replication_hq.py's hq_database_url, for the module's one chain."""
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="module")
def chain(tmp_path_factory, chain_database_url) -> Iterator[dict[str, Node]]:
    # Module scope: one chain for every finding (four real processes are slow to start).
    url = chain_database_url
    tmp = tmp_path_factory.mktemp("chain")
    hq = Node(tmp / "hq", name="hq1", POS_ROLE="hq", POS_STORE="S001", POS_SYNC_KEY=KEY, DATABASE_URL=url)
    p1, p2 = free_port(), free_port()
    s001 = {"POS_STORE": "S001", "POS_SYNC_KEY": KEY, "POS_HQ_URL": hq.url}
    n1 = Node(tmp / "n1", name="node1", port=p1, POS_PEERS=f"http://127.0.0.1:{p2}", **s001)
    n2 = Node(tmp / "n2", name="node2", port=p2, POS_PEERS=f"http://127.0.0.1:{p1}", **s001)
    n3 = Node(tmp / "n3", name="node3", POS_STORE="S002", POS_SYNC_KEY=KEY2, POS_HQ_URL=hq.url)
    nodes = {"hq": hq, "n1": n1, "n2": n2, "n3": n3}
    try:
        hq.setup()
        hq.manage("add_store", "S002", "--key", KEY2)
        # Reading every store at HQ takes an HQ staff credential, not a store's device.
        ANALYST["token"] = hq.manage("analyst_token", "auditor").strip().splitlines()[-1]
        hq.start()
        for node in (n1, n2, n3):
            node.setup().start()
        wait_for("every store to have pinned HQ's key and pulled its menu",
                 lambda: all(n.get("/api/health")["hq"]["state"] == "up" for n in (n1, n2, n3)), timeout=40)
        yield nodes
    finally:
        for node in (n1, n2, n3, hq):
            node.stop()


def signed_push(node: Node, changes: list[dict[str, Any]], *, key: str, store: str, sender: str = "rogue") -> tuple[int, dict]:
    """A push signed with a store's real key, as a thief of that key sends it."""
    path = "/api/sync/push"
    raw = json.dumps({"changes": changes, "vector": {}}).encode()
    signed = auth.sign_request(key=key, method="POST", path=path, store=store, node=sender, body=raw)
    request = urllib.request.Request(node.url + path, data=raw, method="POST",
                                     headers={"Content-Type": "application/json", **signed.headers()})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def price(node: Node, sku: str = "BEER") -> int:
    return next(i["price"] for i in node.get("/api/menu")["items"] if i["sku"] == sku)


def hq_price(hq: Node, sku: str = "BEER") -> int:
    return int(hq.manage("shell", "-c", f"from menu.models import MenuItem; print(MenuItem.objects.get(sku='{sku}').price)")
               .strip().splitlines()[-1])


def forged_menu(origin: str, *, store: str = "*", key: str = "BEER", model: str = "registers.MenuItem",
                fields: dict | None = None) -> dict[str, Any]:
    forger = RemoteOrigin(origin, store=store, hq_signed=False)
    return forger.change("master.upsert", {"model": model, "key": key, "fields": fields or {"price": "1"}})


def sell(node: Node) -> str:
    status, answer = node.post("/api/orders", order_body())
    assert status == 201, answer
    return answer["id"]


ANALYST: dict[str, str] = {}


def hq_orders(hq: Node, store: str) -> set[str]:
    return {o["id"] for o in hq.get(f"/api/orders?store={store}&limit=500", token=ANALYST["token"])["items"]}


def test_finding_1_a_store_key_cannot_forge_hq_master_data_through_a_sibling(chain):
    hq, n1, n2 = chain["hq"], chain["n1"], chain["n2"]
    beer = price(n2)
    # Named like HQ, unsigned: not taken (and not relayed), the push says why.
    status, answer = signed_push(n2, [forged_menu("hq:hq1.0badf00d")], key=KEY, store="S001")
    assert status == 200 and answer["applied"] == 0, answer
    assert answer["held_back"] == {"hq:hq1.0badf00d": "not signed by HQ"}
    # With a signature that is not HQ's: refused outright.
    forged = forged_menu("hq:hq1.0badf00e")
    forged["signature"] = "A" * 88
    status, answer = signed_push(n2, [forged], key=KEY, store="S001")
    assert status == 403 and "signature" in answer["detail"], answer
    # Under the sibling's own kind of origin: master data is HQ's alone.
    status, answer = signed_push(n2, [forged_menu("S001:node9.0badf00d")], key=KEY, store="S001")
    assert status == 403 and "only by HQ" in answer["detail"], answer
    sold = sell(n2)  # a commit: node2 pushes to node1 now
    wait_for("node2's sale on node1", lambda: n1.request("GET", f"/api/orders/{sold}")[0] == 200)
    assert price(n2) == price(n1) == beer == hq_price(hq)


def test_finding_2_a_store_key_cannot_rewrite_the_chains_menu_or_another_stores_rows_at_hq(chain):
    hq, n1, n3 = chain["hq"], chain["n1"], chain["n3"]
    beer = hq_price(hq)
    attempts = [
        forged_menu("hq:hq1.0badf00d", store="S002"),
        forged_menu("S002:node3.0badf00d", store="S002"),
        forged_menu("S002:node3.0badf00e", store="S002", model="registers.Store", key="S001", fields={"name": "pwned"}),
        forged_menu("S002:node3.0badf00f", store="S002", model="registers.StoreItem", key="S001:BEER",
                    fields={"price": "1"}),
    ]
    for forged in attempts:
        status, answer = signed_push(hq, [forged], key=KEY2, store="S002", sender="node3")
        assert (status, answer.get("applied", 0)) in {(403, 0), (200, 0)}, (forged["origin"], status, answer)
        assert status == 403 or answer["held_back"], answer
    sell(n3)
    wait_for("HQ's next changes to reach the stores", lambda: n3.get("/api/health")["hq"]["state"] == "up")
    assert hq_price(hq) == beer == price(n1) == price(n3)
    names = hq.manage("shell", "-c", "from stores.models import Store; print(Store.objects.get(code='S001').name)")
    assert "pwned" not in names


def test_finding_3_a_store_key_cannot_write_under_another_stores_origin(chain):
    hq, n3 = chain["hq"], chain["n3"]
    health = n3.get("/api/health")
    origin, last = health["origin"], health["changes"]
    assert origin.startswith("S002:"), "a store node's origin names its store"
    squatter = RemoteOrigin(origin, store="S001", seq=last)
    status, answer = signed_push(hq, [squatter.change("order.placed", placed(uuid.uuid4(), number=900))],
                                 key=KEY, store="S001", sender="node1")
    assert status == 403 and "belongs to store S002" in answer["detail"], answer
    # Nor under the store's own name for S002's sales.
    squatter = RemoteOrigin(origin, store="S002", seq=last)
    status, answer = signed_push(hq, [squatter.change("order.placed", placed(uuid.uuid4(), number=901))],
                                 key=KEY, store="S001", sender="node1")
    assert status == 403, answer
    sold = {sell(n3) for _ in range(3)}
    wait_for("S002's sales at HQ, at the seqs the squatter tried", lambda: sold <= hq_orders(hq, "S002"), timeout=40)


def test_a_compromised_store_node_damages_only_its_own_store(chain):
    hq, n1, n2, n3 = chain["hq"], chain["n1"], chain["n2"], chain["n3"]
    beer, beer_s002 = price(n2), price(n3)
    # The attacker owns node1: its database takes anything, and it pushes with its key.
    n1.manage("shell", "-c", COMPROMISE)
    assert price(n1) == 1, "its own copy is the attacker's to ruin"
    theirs = {sell(n3) for _ in range(2)}
    wait_for("node1's HQ link to report that HQ refuses it", lambda: any(
        r["code"] == "upstream_refused" for r in n1.get("/api/health")["reasons"]), timeout=40)
    wait_for("S002's sales at HQ", lambda: theirs <= hq_orders(hq, "S002"), timeout=40)
    assert price(n2) == beer and price(n3) == beer_s002 and hq_price(hq) == beer
    assert hq.request("GET", f"/api/orders/{FORGED_ORDER}", token=ANALYST["token"])[0] == 404
    assert n3.request("GET", f"/api/orders/{FORGED_ORDER}")[0] == 404
    # Another store's node does not even take the key.
    status, _ = signed_push(n3, [forged_menu("hq:hq1.0badf011")], key=KEY, store="S001")
    assert status in (401, 403)


def test_what_hq_writes_for_one_store_reaches_that_store_only_and_never_stalls_another(chain):
    hq, n2, n3 = chain["hq"], chain["n2"], chain["n3"]
    hq.manage("shell", "-c", HQ_PAIRS_A_DEVICE)

    def paired(node: Node) -> bool:
        return "yes" in node.manage("shell", "-c", "from stores.models import Device; "
                                    "print('yes' if Device.objects.filter(name='hq-tablet').exists() else 'no')")

    wait_for("the device HQ paired for S001 on node2", lambda: paired(n2), timeout=40)
    sold = sell(n3)
    wait_for("S002's next sale at HQ", lambda: sold in hq_orders(hq, "S002"), timeout=40)
    assert not paired(n3)
    health = n3.get("/api/health")
    assert health["hq"]["state"] == "up"
    assert not [r for r in health["reasons"] if r["code"] in ("changes_refused", "upstream_refused")], health["reasons"]


FORGED_ORDER = "0badf00d-0000-4000-8000-000000000001"
COMPROMISE = (
    "import uuid\n"
    "from django.db import transaction\n"
    "from menu.models import MenuItem\n"
    "from sync.models import Change, VectorEntry\n"
    "from sync.services import change_digest\n"
    "import json\n"
    "def add(origin, store, entry_store, kind, payload):\n"
    "    c = Change(id=uuid.uuid4(), origin=origin, seq=1, store=store, kind=kind, hlc=1, payload=payload)\n"
    "    c.digest = change_digest(c); c.save(force_insert=True)\n"
    "    VectorEntry.objects.create(origin=origin, store=entry_store, seq=1, hlc=1)\n"
    "with transaction.atomic():\n"
    "    MenuItem.objects.filter(sku='BEER').update(price=1)\n"
    "    add('hq:hq1.0badf010', '*', '*', 'master.upsert', {'model': 'registers.MenuItem', 'key': 'BEER', 'fields': {'price': '1'}})\n"
    f"    add('S002:node3.0badf010', 'S002', 'S001', 'order.placed', json.loads({json.dumps(json.dumps(placed(uuid.UUID(FORGED_ORDER), number=902)))}))\n"
)
HQ_PAIRS_A_DEVICE = (
    "from django.db import transaction; from django.utils import timezone\n"
    "from security.events import DevicePaired; from sync.services import change_record\n"
    "with transaction.atomic():\n"
    "    change_record(DevicePaired(device='d' * 64, name='hq-tablet', kind='register', at=timezone.now()), store='S001')\n"
)
