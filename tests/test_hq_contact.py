"""At HQ every signed call of a store node says the node is alive: a push
(which only says "still here") moves its last contact with one UPDATE; the
first call of a node, and a pull saying what it holds, go the full way."""

from __future__ import annotations

import datetime as dt
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
