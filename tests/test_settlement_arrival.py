"""A card network's settlement of an offline card payment, replicated from a
sibling, settles that payment whether it arrives before or after the sale;
a settlement naming any other payment settles nothing, in either order, so
every node ends with the same payments."""

from __future__ import annotations

import uuid

import pytest

from registers.models import Payment
from sync.replication import changes_apply
from tests.replication_fixtures import RemoteOrigin, paid, placed

pytestmark = pytest.mark.django_db

ORDER = uuid.UUID(int=0x5E771E)
PAYMENT = uuid.uuid5(ORDER, "payment:0")
SETTLED_AT = "2026-11-23T15:00:00+00:00"


def _paid(*, offline: bool) -> dict:
    body = paid(ORDER, amount=250)
    if offline:
        body["payments"][0].update(method="card", offline=True, settle_by="2026-11-26T12:00:01+00:00")
    return body


def _settled() -> dict:
    return {"payment": str(PAYMENT), "reference": "AUTH-778", "at": SETTLED_AT}


def _sale(seller: RemoteOrigin, *, offline: bool) -> list[dict]:
    return [seller.change("order.placed", placed(ORDER, number=101)), seller.change("order.paid", _paid(offline=offline))]


def _settle_in_order(*, offline: bool, settlement_first: bool) -> Payment:
    """A sibling's sale and another's settlement of its payment, applied in the given order."""
    seller, settler = RemoteOrigin("node2.0badcafe"), RemoteOrigin("node3.0badf00d")
    sale, settlement = _sale(seller, offline=offline), [settler.change("payment.settled", _settled())]
    for wires in ([settlement, sale] if settlement_first else [sale, settlement]):
        changes_apply(wires=wires, peer_store="S001")
    return Payment.objects.get(pk=PAYMENT)


@pytest.mark.parametrize("settlement_first", [True, False], ids=["settlement-first", "sale-first"])
def test_an_offline_card_payment_is_settled_in_either_order(demo, settlement_first):
    payment = _settle_in_order(offline=True, settlement_first=settlement_first)
    assert payment.offline
    assert payment.settled_at is not None and payment.settled_at.isoformat() == SETTLED_AT


@pytest.mark.parametrize("settlement_first", [True, False], ids=["settlement-first", "sale-first"])
def test_a_settlement_of_a_cash_payment_settles_nothing_in_either_order(demo, settlement_first):
    payment = _settle_in_order(offline=False, settlement_first=settlement_first)
    assert (payment.method, payment.amount, payment.settled_at) == ("cash", 250, None)
