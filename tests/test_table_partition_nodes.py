"""Two siblings of one store, real processes, their link cut while waiters on both
sides add to the same table's check and one of them takes the payment. Once the
link is back, the check holds every round on both nodes, the round the payer
never saw is still due and flagged, and both nodes agree on the check."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.nodes import Node
from tests.test_partition_chaos import cut_siblings  # noqa: F401  (fixture)
from tests.test_replication_nodes import wait_for

pytestmark = pytest.mark.nodes


def _ok(result: tuple[int, Any], *codes: int) -> Any:
    status, body = result
    assert status in (codes or (200, 201)), (status, body)
    return body


def _round(node: Node, check: str, lines: list[tuple[str, int]]) -> Any:
    body = {"id": str(uuid.uuid4()), "register": "register-1", "lines": [{"sku": s, "qty": q} for s, q in lines]}
    return _ok(node.post(f"/api/checks/{check}/rounds", body))


def _view(node: Node, check: str) -> dict[str, Any] | None:
    status, body = node.request("GET", f"/api/checks/{check}")
    if status != 200:
        return None
    body.pop("age_s")
    return body


def _items(view: dict[str, Any]) -> list[str]:
    return sorted(f"{line['sku']}x{line['qty']}" for r in view["rounds"] for line in r["lines"])


def test_both_sides_of_a_partition_keep_their_rounds_and_a_payment_that_missed_one_is_flagged(cut_siblings):
    n1, n2, links = cut_siblings
    check = _ok(n1.post("/api/checks", {"id": str(uuid.uuid4()), "table": "T12", "guests": 4, "register": "register-1"}))
    _round(n1, check["id"], [("KARAAGE", 2)])
    wait_for("the check on node2", lambda: (_view(n2, check["id"]) or {}).get("rounds"), timeout=30)

    for link in links:
        link.cut()
    on1 = _round(n1, check["id"], [("BEER", 2)])
    on2 = _round(n2, check["id"], [("FRIES", 1), ("PUDDING", 1)])
    # Each side sees only its own round; node1's cashier takes the whole bill it sees.
    assert _items(on1) == ["BEERx2", "KARAAGEx2"] and _items(on2) == ["FRIESx1", "KARAAGEx2", "PUDDINGx1"]
    paid = _ok(n1.post(f"/api/checks/{check['id']}/payments", {"id": str(uuid.uuid4()), "method": "qr", "amount": on1["due"]}))
    assert paid["open"] is False

    for link in links:
        link.restore()

    def agreed() -> dict[str, Any] | None:
        seen = [_view(node, check["id"]) for node in (n1, n2)]
        return seen[0] if seen[0] and seen[0] == seen[1] and len(seen[0]["rounds"]) == 3 and seen[0]["settled"] else None

    healed = wait_for("both nodes to hold every round", agreed, timeout=60)
    assert _items(healed) == ["BEERx2", "FRIESx1", "KARAAGEx2", "PUDDINGx1"]
    late = next(r for r in healed["rounds"] if r["paid"] == 0)
    assert healed["open"] is True and healed["due"] == late["total"] == on2["total"] - on2["rounds"][0]["total"]
    for node in (n1, n2):
        assert [c["id"] for c in node.get("/api/checks")] == [check["id"]]
        conflicts = node.get(f"/api/conflicts?business_date={check['business_date']}")
        assert [(c["kind"], c["nodes"]) for c in conflicts] == [("round_after_settle", ["node1", "node2"])]
    # The table pays what it still owes; the flag clears once nothing is lost.
    _ok(n2.post(f"/api/checks/{check['id']}/payments", {"id": str(uuid.uuid4()), "method": "cash", "amount": late["total"]}))
    wait_for("node1 to see it paid", lambda: n1.get("/api/checks") == [], timeout=30)
