"""A store that refuses what HQ sends says so (health, and so an alert) instead
of a link that looks up while its pull is stuck; and it pins HQ's public key
from HQ's first authenticated answer, never replacing it with another."""

from __future__ import annotations

import json
import uuid

import pytest
from django.conf import settings

from runtime import health
from sync import auth, signing
from sync.models import Change, NodeState
from sync.peers import Link
from tests.replication_fixtures import RemoteOrigin, placed

pytestmark = pytest.mark.django_db


class Hq:
    """Answers the store's real PeerClient as HQ would, signed with the store's key."""

    def __init__(self, changes: list[dict], public_key: str | None = None) -> None:
        self.changes, self.public_key = changes, public_key

    def __call__(self, path, raw, headers):
        answer: dict = {"vector": {c["origin"]: c["seq"] for c in self.changes}, "node": "hq"}
        if path.endswith("/sync/pull"):
            answer["changes"] = self.changes
        if self.public_key:
            answer["hq_public_key"] = self.public_key
        raw_answer = json.dumps(answer).encode()
        signature = auth.sign_response(key=settings.POS_SYNC_KEY, request_signature=headers[auth.H_SIGNATURE],
                                       body=raw_answer)
        return 200, raw_answer, signature


def hq_link(hq: Hq) -> Link:
    link = Link(f"http://hq.invalid:9/{uuid.uuid4().hex[:6]}", kind="hq", push_stores={settings.POS_STORE},
                pull_stores={"*", settings.POS_STORE}, timeout=1)
    link.client._send = hq  # type: ignore[method-assign]
    return link


def codes() -> set[str]:
    return {reason.code for reason in health.reasons()}


def test_a_pulled_change_this_store_refuses_stops_the_link_loudly_until_hq_sends_what_it_may_take(demo):
    health.reasons_reset()
    other_store = RemoteOrigin("S002:node3.0badf00d", store="S002")
    hq = Hq([other_store.change("order.placed", placed(uuid.uuid4(), number=7))])
    link = hq_link(hq)
    link.turn(pull_due=True)
    assert link.status.state == "refusing" and "S001" in link.status.last_error
    assert health.CHANGES_REFUSED in codes()
    reason = health.reason_get(health.CHANGES_REFUSED, subject=link.status.url)
    assert reason is not None and "S002" in reason.texts()[0]
    assert not Change.objects.filter(origin=other_store.origin).exists()

    hq.changes = []
    link.turn(pull_due=True)
    assert link.status.state == "up" and health.CHANGES_REFUSED not in codes()


def test_a_store_pins_hqs_key_from_the_first_answer_and_never_takes_another(demo, settings):
    health.reasons_reset()
    settings.POS_HQ_PUBLIC_KEY = ""
    first = "JImHpBVhB7bOj6gqwFI/74eWhKqJpeAVGVvNAVe7wjE="
    link = hq_link(Hq([], public_key=first))
    link.turn(pull_due=True)
    assert NodeState.objects.get(pk=1).hq_public_key == first
    assert signing.trusted_key() is not None

    impostor = "Z" * 43 + "="  # 32 bytes, not the key the store trusts
    link = hq_link(Hq([], public_key=impostor))
    link.turn(pull_due=True)
    assert NodeState.objects.get(pk=1).hq_public_key == first
    assert health.CHANGES_REFUSED in codes()
    health.reasons_reset()


def test_an_older_hqs_change_for_another_store_is_logged_not_acted_on_and_never_stalls_the_batch(demo):
    from menu.models import MenuItem
    from registers.journal import journal_verify
    from stores.models import Device
    from sync.replication import changes_apply

    hq = RemoteOrigin("hq:hq1.0ld0r1g1", store="*")  # HQ's origin from before it kept one per store
    paired = {"device": "d" * 64, "name": "s002-tablet", "kind": "register", "at": "2026-11-23T12:00:00+00:00"}
    wires = [hq.change("device.paired", paired, store="S002"),
             hq.change("master.upsert", {"model": "registers.MenuItem", "key": "FRIES", "fields": {"price": "310"}})]
    result = changes_apply(wires=wires, peer_store="S001")
    assert result.held_back == {} and result.skipped == 1
    assert not Device.objects.filter(name="s002-tablet").exists()
    assert journal_verify(origin=hq.origin) == []
    assert MenuItem.objects.get(sku="FRIES").price == 310
