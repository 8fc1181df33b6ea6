"""The tamper-evident journal: altering, deleting or reordering a stored sale is found and named."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from registers.journal import journal_verify
from sync.models import Change
from tests.money import MANAGER_PIN, post, forget_pin_failures  # noqa: F401  (autouse)
from tests.personas import order_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(register_client):
    sales = [post(register_client, "/api/orders", order_body()).json() for _ in range(3)]
    post(register_client, f"/api/orders/{sales[1]['id']}/void", {"manager_pin": MANAGER_PIN, "reason": "test"})
    return sales


def verify() -> tuple[bool, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_journal", stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


def test_an_intact_journal_passes(day):
    ok, out, _ = verify()
    assert ok and "journal intact" in out
    assert journal_verify() == []


def test_altering_a_stored_sale_fails_the_check_and_names_it(day):
    sale = day[2]
    change = Change.objects.get(kind="order.placed", payload__id=sale["id"])
    payload = change.payload
    payload["total"] = 100  # someone "corrects" a sale in the database
    Change.objects.filter(pk=change.pk).update(payload=payload)
    ok, _, err = verify()
    assert not ok
    assert f"#{change.seq} order.placed" in err
    assert sale["id"] in err and f"sale No. {sale['number']}" in err
    assert "altered" in err
    problems = journal_verify(origin=change.origin)
    assert [p.seq for p in problems] == [change.seq]


def test_deleting_a_sale_is_detected(day):
    change = Change.objects.get(kind="order.placed", payload__id=day[0]["id"])
    Change.objects.filter(pk=change.pk).delete()
    problems = journal_verify()
    assert problems and "missing" in problems[0].what and str(change.seq) in problems[0].what


def test_rewriting_a_sale_with_a_fresh_digest_breaks_the_next_link(day):
    from sync.services import change_digest

    change = Change.objects.get(kind="order.placed", payload__id=day[0]["id"])
    change.payload = {**change.payload, "total": 1}
    change.digest = change_digest(change)  # a careful forger recomputes this change's hash...
    Change.objects.filter(pk=change.pk).update(payload=change.payload, digest=change.digest)
    problems = journal_verify()
    assert problems, "...but the next change still points at the old one"
    assert problems[0].seq == change.seq + 1 and "does not follow" in problems[0].what


def test_swapping_two_changes_is_detected(day):
    first, second = Change.objects.filter(kind="order.placed").order_by("seq")[:2]
    Change.objects.filter(pk=first.pk).update(seq=-1)
    Change.objects.filter(pk=second.pk).update(seq=first.seq)
    Change.objects.filter(pk=first.pk).update(seq=second.seq)
    assert journal_verify()


def test_the_check_uses_only_what_replication_ships(day):
    """HQ verifies received changes from their wire form alone: origin, seq, digests and content."""
    wire = [c.as_wire() for c in Change.objects.order_by("seq")]
    assert all(json.loads(json.dumps(w))["digest"] for w in wire)
    Change.objects.all().delete()
    for w in wire:
        Change.objects.create(**w)
    assert journal_verify() == []


def test_deleting_the_latest_change_is_detected(day):
    Change.objects.order_by("-seq").first().delete()
    problems = journal_verify()
    assert problems and "chain ends" in problems[0].what


@pytest.mark.nodes
def test_verify_journal_exits_non_zero_on_a_real_node(tmp_path):
    """The command as an operator runs it, against a node's own SQLite file edited behind its back."""
    import sqlite3

    from tests.nodes import Node

    node = Node(tmp_path / "store", name="node1").setup().start()
    try:
        status, sale = node.post("/api/orders", order_body())
        assert status == 201
    finally:
        node.stop()
    assert "journal intact" in node.manage("verify_journal")
    db = next((tmp_path / "store").glob("posweb-store.sqlite3"))
    with sqlite3.connect(db) as conn:
        payload = json.loads(conn.execute("SELECT payload FROM sync_change WHERE kind='order.placed'").fetchone()[0])
        payload["total"] = 1
        conn.execute("UPDATE sync_change SET payload=? WHERE kind='order.placed'", (json.dumps(payload),))
    with pytest.raises(RuntimeError) as failed:
        node.manage("verify_journal")
    assert "altered" in str(failed.value) and sale["id"] in str(failed.value)


def test_a_receiver_checks_a_batch_against_what_it_already_holds(day):
    from registers.journal import journal_check_incoming

    wire = [c.as_wire() for c in Change.objects.order_by("seq")]
    batch = wire[2:]  # the receiver already holds #1 and #2
    Change.objects.filter(seq__gt=2).delete()
    assert journal_check_incoming(batch) == []
    forged = [dict(w) for w in batch]
    forged[0] = {**forged[0], "payload": {**forged[0]["payload"], "total": 1}}
    [problem] = journal_check_incoming(forged)
    assert problem.seq == batch[0]["seq"] and "altered" in problem.what
    assert journal_check_incoming(batch[1:]), "a batch that skips a change is refused"
