"""The change log as posweb wrote it before payloads were typed (tests/fixtures/changes_v1.json).

The fixture is static: old databases and not-yet-upgraded peers hold exactly
these payloads, so every later version must parse and apply them, and what a
new node writes must read as they do.
"""

from __future__ import annotations

from typing import Any

import pytest

from sync.events import event_parse
from sync.models import Change
from sync.replication import changes_apply
from sync.services import change_digest
from tests.changes_v1 import changes_dump, changes_load, figures, figures_load, record_every_kind
from tests.replication_fixtures import RemoteOrigin, hq_sign, signed_post

pytestmark = pytest.mark.django_db


def test_every_v1_change_parses_with_its_event_class_and_dumps_back_the_same_payload():
    for wire in changes_load():
        event = event_parse(wire["kind"], wire["payload"])
        assert event.payload() == wire["payload"], wire["kind"]


def test_every_v1_digest_still_verifies_along_its_origins_chain():
    last: dict[str, str] = {}
    for wire in changes_load():
        fields = ("id", "origin", "seq", "store", "kind", "hlc", "payload", "prev_digest")
        change = Change(**{k: wire[k] for k in fields})
        assert wire["prev_digest"] == last.get(wire["origin"], "")
        assert change_digest(change) == wire["digest"], f"{wire['kind']} {wire['origin']}#{wire['seq']}"
        last[wire["origin"]] = wire["digest"]


def as_upgraded_hq_ships(wires: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The v1 log as it travels after HQ's upgrade: HQ signs the changes it
    recorded before it had a signing key when it ships them (sync.replication
    _vouched); the payloads, digests and the fixture stay as they were."""
    signed = []
    for wire in wires:
        if wire["origin"].startswith("hq:"):
            fields = ("id", "origin", "seq", "store", "kind", "hlc", "payload", "prev_digest")
            wire = {**wire, "signature": hq_sign(Change(**{k: wire[k] for k in fields}))}
        signed.append(wire)
    return signed


def test_a_fresh_node_sent_the_v1_log_by_a_peer_derives_the_same_orders_payments_and_tickets(client, demo):
    response, _ = signed_post(client, "/api/sync/push", {"changes": as_upgraded_hq_ships(changes_load()), "vector": {}})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["applied"], answer["held_back"]) == (len(changes_load()), {})
    assert figures() == figures_load()


def test_the_v1_log_unsigned_applies_the_stores_changes_and_waits_for_hq_to_vouch_for_its_own(client, demo):
    # A store upgraded in place relays HQ's old changes as it got them, unsigned:
    # its sibling takes every store change and leaves HQ's for HQ's signed copy.
    wires = changes_load()
    response, _ = signed_post(client, "/api/sync/push", {"changes": wires, "vector": {}})
    assert response.status_code == 200, response.content
    answer = response.json()
    hq_changes = [w for w in wires if w["origin"].startswith("hq:")]
    assert answer["held_back"] == {hq_changes[0]["origin"]: "not signed by HQ"}
    assert answer["applied"] == len(wires) - len(hq_changes)
    response, _ = signed_post(client, "/api/sync/push", {"changes": as_upgraded_hq_ships(hq_changes), "vector": {}})
    assert response.status_code == 200 and response.json()["applied"] == len(hq_changes), response.content
    assert figures() == figures_load()


def test_the_v1_log_applies_the_same_in_reverse_order_batches_per_origin(demo):
    wires = changes_load()
    by_origin: dict[str, list[dict[str, Any]]] = {}
    for wire in wires:
        by_origin.setdefault(wire["origin"], []).append(wire)
    # HQ's master data first, then the store's changes one at a time: each
    # origin stays in seq order (as replication guarantees), kinds arrive interleaved.
    for origin in sorted(by_origin, reverse=True):
        for wire in by_origin[origin]:
            changes_apply(wires=as_upgraded_hq_ships([wire]), peer_store="S001")
    assert figures() == figures_load()


def _shape(value: Any) -> Any:
    """The keys and JSON types of a payload, recursively (lists by the shapes of their items)."""
    if isinstance(value, dict):
        return tuple(sorted((key, _shape(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("list", tuple(sorted({repr(_shape(item)) for item in value})))
    return type(value).__name__


# Keys added to a kind since v1. Old nodes ignore keys they do not know
# (sync.events.Payload: extra="ignore"), so the rest must still read as v1.
# "a.b" is key b inside the payload's dict a (the Z's report is a dict of figures).
ADDED_SINCE_V1 = {"day.closed": {"frontier", "report.tables"}, "order.placed": {"issuer", "check", "note", "priced_at"}, "order.refunded": {"issuer"}}


def _v1_part(wire: dict[str, Any]) -> dict[str, Any]:
    added = ADDED_SINCE_V1.get(wire["kind"], set())
    payload = {key: value for key, value in wire["payload"].items() if key not in added}
    for path in added:
        outer, _, inner = path.partition(".")
        if inner and isinstance(payload.get(outer), dict):
            payload[outer] = {key: value for key, value in payload[outer].items() if key != inner}
    return payload


def test_what_a_new_node_writes_has_the_keys_and_types_old_nodes_read(demo):
    old: dict[str, set[str]] = {}
    for wire in changes_load():
        old.setdefault(wire["kind"], set()).add(repr(_shape(wire["payload"])))
    record_every_kind()
    written = changes_dump()
    assert {wire["kind"] for wire in written} == set(old)
    for wire in written:
        assert repr(_shape(_v1_part(wire))) in old[wire["kind"]], wire["kind"]
    closes = [wire for wire in written if wire["kind"] == "day.closed"]
    assert closes and all(isinstance(wire["payload"]["frontier"], dict) for wire in closes)


@pytest.mark.parametrize("kind", sorted({wire["kind"] for wire in changes_load()}))
def test_a_junk_payload_of_any_kind_is_a_422_that_names_the_kind(client, demo, kind):
    example = next(wire for wire in changes_load() if wire["kind"] == kind)
    junk = {key: [[]] for key in example["payload"]}
    origin = RemoteOrigin("hq:junk.1" if kind.startswith("master.") else "junk.1", store=example["store"])
    response, _ = signed_post(client, "/api/sync/push", {"changes": [origin.change(kind, junk)], "vector": {}})
    assert response.status_code == 422, response.content
    assert f"{kind}: " in response.json()["detail"]
    assert not Change.objects.filter(origin=origin.origin).exists()
