"""At HQ every signed call of a store node says the node is alive: a push
(which only says "still here") moves its last contact with one UPDATE; the
first call of a node, and a pull saying what it holds, go the full way."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from django.utils import timezone

from hq.models import NodeContact
from stores.models import Store
from tests.replication_fixtures import KEY, RemoteOrigin, paid, placed, signed_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq(settings, demo):
    settings.POS_ROLE = "hq"
    Store.objects.filter(code="S001").update(sync_key=KEY)


def push(client, changes) -> None:
    response, _ = signed_post(client, "/api/sync/push", {"changes": changes, "vector": {}}, store="S001", key=KEY)
    assert response.status_code == 200, response.content


def test_pushes_keep_a_nodes_last_contact_current(hq, client):
    a = RemoteOrigin("S001:node1.eeee", store="S001")
    order_id = uuid.uuid4()
    push(client, [a.change("order.placed", placed(order_id, number=1))])
    contact = NodeContact.objects.get(store="S001")  # the first call makes the row
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    NodeContact.objects.filter(pk=contact.pk).update(last_contact=long_ago, backlog=5)

    push(client, [a.change("order.paid", paid(order_id))])
    contact.refresh_from_db()
    assert contact.last_contact > long_ago + dt.timedelta(minutes=9)
    assert contact.backlog == 5  # a push says nothing of what the node holds: left as it was
    assert NodeContact.objects.filter(store="S001").count() == 1


def test_a_push_writes_the_contact_time_once_in_a_few_seconds_and_a_pull_always(hq, client, monkeypatch):
    """At lunch every store uploads about once a second: writing each node's
    time on every upload was a transaction of its own per upload. A node's
    HQ link pulls every second too, and a pull always records."""
    from hq import services

    a = RemoteOrigin("S001:node1.ffff", store="S001")
    first, second = uuid.uuid4(), uuid.uuid4()
    push(client, [a.change("order.placed", placed(first, number=1))])  # makes the row
    push(client, [a.change("order.paid", paid(first))])  # writes the time
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    NodeContact.objects.update(last_contact=long_ago)

    push(client, [a.change("order.placed", placed(second, number=2))])
    assert NodeContact.objects.get(store="S001").last_contact == long_ago  # written a moment ago: not again

    response, _ = signed_post(client, "/api/sync/pull", {"vector": {}, "held": {}})
    assert response.status_code == 200, response.content
    assert NodeContact.objects.get(store="S001").last_contact > long_ago + dt.timedelta(minutes=9)

    NodeContact.objects.update(last_contact=long_ago)
    later = time.monotonic() + services.TOUCH_EVERY_S
    monkeypatch.setattr(services.time, "monotonic", lambda: later)
    push(client, [a.change("order.paid", paid(second))])
    assert NodeContact.objects.get(store="S001").last_contact > long_ago + dt.timedelta(minutes=9)
    assert NodeContact.objects.filter(store="S001").count() == 1
