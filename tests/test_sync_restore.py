"""A node whose database came back from a backup never issues a sequence number twice."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django.db import transaction
from django.test import override_settings

from runtime import health, lifemark
from stores.services import ticket_numbers_seen
from sync import restore, services
from sync.models import Change, NodeState, RetiredOrigin, VectorEntry
from sync.peers import Link
from sync.replication import changes_apply, vector
from sync.services import node_state_get, origin_rotate
from tests.personas import order_body


@override_settings(POS_PEERS=["http://127.0.0.1:9"])
def test_a_peer_answer_holding_more_of_our_origin_rotates_it(register_client):
    register_client.post("/api/orders", data=order_body(), content_type="application/json")
    state = node_state_get()
    link = Link("http://127.0.0.1:9", kind="sibling", push_stores={"S001", "*"}, pull_stores={"S001", "*"}, timeout=1)
    link._learn({"node": "node2", "vector": {state.origin: state.last_seq}})
    assert node_state_get().origin == state.origin
    link._learn({"node": "node2", "vector": {state.origin: state.last_seq + 5}})
    rotated = node_state_get()
    assert rotated.origin != state.origin and rotated.last_seq == 0
    # The old origin is now an ordinary one we hold up to where our backup ended;
    # its later changes come back from the peer like anyone else's.
    assert vector()[state.origin] == state.last_seq
    register_client.post("/api/orders", data=order_body(), content_type="application/json")
    assert node_state_get().last_seq == 2


def _sell(register_client, django_capture_on_commit_callbacks) -> dict:
    with django_capture_on_commit_callbacks(execute=True):
        response = register_client.post("/api/orders", data=order_body(), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_database_that_goes_back_under_a_running_process_is_not_continued(register_client, django_capture_on_commit_callbacks):
    _sell(register_client, django_capture_on_commit_callbacks)
    state = node_state_get()
    issued = set(Change.objects.filter(origin=state.origin).values_list("seq", flat=True))
    # The file is swapped for an older copy while the process runs: the
    # last change and the node row's count go back.
    Change.objects.filter(origin=state.origin, seq=state.last_seq).delete()
    NodeState.objects.filter(pk=1).update(last_seq=state.last_seq - 1)
    _sell(register_client, django_capture_on_commit_callbacks)
    now = node_state_get()
    assert now.origin != state.origin
    assert not Change.objects.filter(origin=state.origin).exclude(seq__in=issued).exists()


def test_a_node_whose_note_says_more_than_its_database_says_it_was_restored(register_client, django_capture_on_commit_callbacks, life_note):
    order = _sell(register_client, django_capture_on_commit_callbacks)
    state = node_state_get()
    note = lifemark.read()
    assert note["origin"] == state.origin and note["seq"] == state.last_seq
    # What the note says after five more changes that the restored database lacks.
    life_note.write_text(json.dumps({**note, "seq": state.last_seq + 5, "tickets": {
        lifemark.ticket_key("S001", order["business_date"], 0): order["number"] + 5}}))
    lifemark.forget()
    new = restore.life_begin()
    assert new != state.origin
    reason = health.reason_get(health.RESTORED)
    assert reason is not None and reason.params["seen"] == state.last_seq + 5
    assert restore.recovering()
    # The node keeps selling, without repeating a number the lost sales had.
    assert _sell(register_client, django_capture_on_commit_callbacks)["number"] == order["number"] + 6
    # Once the lost changes are back (here: the vector says so), health no longer says it.
    VectorEntry.objects.filter(origin=state.origin).update(seq=state.last_seq + 5)
    restore.review()
    assert health.reason_get(health.RESTORED) is None and not restore.recovering()


def test_a_normal_restart_is_not_a_restore(register_client, django_capture_on_commit_callbacks):
    _sell(register_client, django_capture_on_commit_callbacks)
    before = node_state_get().origin
    assert restore.life_begin() == before  # the same process: it already owns its origin
    services._life.origin = None  # a new process
    assert restore.life_begin() != before
    assert health.reason_get(health.RESTORED) is None
    assert RetiredOrigin.objects.filter(origin=before).exists()


def test_a_peer_holding_more_of_a_retired_origin_of_ours_is_a_witness(register_client, django_capture_on_commit_callbacks):
    _sell(register_client, django_capture_on_commit_callbacks)
    old = node_state_get()
    origin_rotate("test")
    restore.peer_vector_seen({old.origin: old.last_seq}, "node2")
    assert health.reason_get(health.RESTORED) is None
    restore.peer_vector_seen({old.origin: old.last_seq + 3}, "node2")
    assert health.reason_get(health.RESTORED).params["where"] == "node2"


def test_a_change_under_a_number_we_hold_with_another_change_is_flagged_not_dropped(register_client, caplog):
    register_client.post("/api/orders", data=order_body(), content_type="application/json")
    state = node_state_get()
    ours = Change.objects.filter(origin=state.origin).order_by("seq").first()
    origin_rotate("test")  # our old origin is now an ordinary one we hold
    forged = {**ours.as_wire(), "id": str(uuid.uuid4())}
    result = changes_apply(wires=[forged], peer_store="S001", peer_node="node2")
    assert result.applied == 0 and [str(c.id) for c in result.forks] == [forged["id"]]
    reason = health.reason_get(health.FORKED, subject=ours.origin)
    assert reason is not None and reason.params["change"] == forged["id"]
    assert forged["id"] in caplog.text  # kept, whole, in the log


def test_numbers_of_our_lane_learned_from_a_peer_are_never_called_again(register_client, django_capture_on_commit_callbacks):
    first = _sell(register_client, django_capture_on_commit_callbacks)
    day = dt.date.fromisoformat(first["business_date"])
    with transaction.atomic():
        ticket_numbers_seen(store="S001", day=day, called=[first["number"] + 7, 1005])
    assert _sell(register_client, django_capture_on_commit_callbacks)["number"] == first["number"] + 8
    # A number learned late, below what the lane has called since, never moves the lane back.
    with transaction.atomic():
        ticket_numbers_seen(store="S001", day=day, called=[first["number"] + 1])
    assert _sell(register_client, django_capture_on_commit_callbacks)["number"] == first["number"] + 9


def test_a_kitchen_screen_keeps_its_cursor_across_restarts_but_not_across_a_restore(register_client):
    # The feed's epoch names the database, not the process: a restart (a new
    # origin) keeps a screen's cursor valid; a database that went back does not.
    epoch = services.database_epoch()
    origin_rotate(services.NEW_LIFE)
    assert services.database_epoch() == epoch
    origin_rotate("its database went back")
    assert services.database_epoch() != epoch
