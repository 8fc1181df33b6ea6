"""An order with tickets for several stations rings the kitchen doorbell once, after
commit, so each screen runs one flush per order (found by bench/fanout.py: three
rings per order made ten screens run thirty flushes in the node's one sync thread)."""

from __future__ import annotations

import uuid
from unittest import mock

import pytest
from django.db import transaction

from kitchen.models import FeedEntry
from registers import services, tender
from tests.personas import order_body

pytestmark = pytest.mark.django_db(transaction=True)


def place() -> None:
    body = order_body()
    services.order_place(
        order_id=uuid.UUID(body["id"]), register="register-1", dining="take_out",
        lines=[services.LineRequest(line["sku"], line["qty"], line.get("modifiers", [])) for line in body["lines"]],
        payments=[tender.Tender("cash", 3000)], request_hash=uuid.uuid4().hex,
    )


def test_a_three_station_order_rings_once_after_commit(demo):
    with mock.patch("kitchen.feed.feed_ring") as ring:
        place()
    assert FeedEntry.objects.values("station").distinct().count() == 3
    ring.assert_called_once()


def test_a_rolled_back_order_rings_nothing_and_the_next_one_still_rings(demo):
    with mock.patch("kitchen.feed.feed_ring") as ring:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                place()
                raise RuntimeError("the sale failed after its tickets were written")
        assert ring.call_count == 0 and FeedEntry.objects.count() == 0
        place()
    ring.assert_called_once()
