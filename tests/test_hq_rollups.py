"""HQ's chain-wide day report comes from rollups that the projections mark
due and the rollups worker sums again; it equals the stores' own reports
added up, voids left out, and a new sale shows after the next round."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.core.management import call_command

from hq.models import RollupDue
from hq.rollups import chain_day_report, reports_db, rollups_refresh
from registers.reports import day_report
from stores.models import Store
from tests.replication_fixtures import KEY, RemoteOrigin, paid, placed, signed_post

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 23)
MANAGER = {"id": 2, "name": "佐藤 健", "role": "manager"}


@pytest.fixture
def hq(settings, demo):
    settings.POS_ROLE = "hq"
    Store.objects.filter(code="S001").update(sync_key=KEY)
    Store.objects.create(code="S002", name="S002", sync_key="rollup-key-2")


def sale(origin: RemoteOrigin, *, number: int, price: int) -> tuple[uuid.UUID, list[dict]]:
    order_id = uuid.uuid4()
    return order_id, [origin.change("order.placed", placed(order_id, number=number, price=price)),
                      origin.change("order.paid", paid(order_id, amount=price))]


def push(client, changes, *, store: str, key: str) -> None:
    response, _ = signed_post(client, "/api/sync/push", {"changes": changes, "vector": {}}, store=store, key=key)
    assert response.status_code == 200, response.content


def test_the_chain_report_adds_up_the_stores_reports(hq, client):
    a, b = RemoteOrigin("S001:node1.aaaa", store="S001"), RemoteOrigin("S002:node1.bbbb", store="S002")
    changes_a, changes_b = [], []
    for n, price in enumerate([250, 480, 300], start=1):
        changes_a += sale(a, number=n, price=price)[1]
    voided, both = sale(a, number=4, price=900)
    changes_a += both + [a.change("order.voided", {"order": str(voided), "staff": MANAGER, "reason": "x",
                                                   "at": "2026-11-23T12:05:00+00:00"})]
    for n in range(1, 3):
        changes_b += sale(b, number=n, price=1000)[1]
    push(client, changes_a, store="S001", key=KEY)
    push(client, changes_b, store="S002", key="rollup-key-2")
    assert set(RollupDue.objects.values_list("store", flat=True)) == {"S001", "S002"}

    assert rollups_refresh() == 2 and not RollupDue.objects.exists()
    chain = chain_day_report(day=DAY)
    own = [day_report(store=code, day=DAY) for code in ("S001", "S002")]
    assert (chain["orders"], chain["total"]) == (sum(r["orders"] for r in own), sum(r["total"] for r in own)) == (5, 3030)
    assert chain["by_store"] == [{"store": "S001", "orders": 3, "total": 1030}, {"store": "S002", "orders": 2, "total": 2000}]
    assert chain["tenders"]["cash"] == {"count": 5, "amount": 3030}
    assert chain["taxes"] == [{"rate": 10, "taxable": 3030, "tax": sum(t["tax"] for r in own for t in r["taxes"])}]
    assert chain["by_hour"] == [{"hour": 21, "orders": 5, "total": 3030}]  # 12:00 UTC is 21:00 in Tokyo
    assert chain["by_item"] == [{"sku": "FRIES", "qty": 5, "amount": 3030}]
    assert chain_day_report(day=DAY, stores=["S002"])["total"] == 2000

    # A new sale: the day is due again; the report catches up at the next round.
    push(client, sale(b, number=3, price=700)[1], store="S002", key="rollup-key-2")
    assert chain_day_report(day=DAY)["pending"] == 1
    rollups_refresh()
    assert chain_day_report(day=DAY)["total"] == 3730


def test_a_void_or_payment_uploaded_on_its_own_marks_its_orders_day_due(hq, client):
    """An act on an order (a void, a later payment) carries no business day:
    the day is the order's, found in the same statement that marks it."""
    a = RemoteOrigin("S001:node1.eeee", store="S001")
    kept, gone = sale(a, number=1, price=250), sale(a, number=2, price=480)
    push(client, kept[1] + gone[1], store="S001", key=KEY)
    rollups_refresh()
    assert (chain_day_report(day=DAY)["total"], RollupDue.objects.count()) == (730, 0)

    void = {"order": str(gone[0]), "staff": MANAGER, "reason": "x", "at": "2026-11-23T12:05:00+00:00"}
    push(client, [a.change("order.voided", void)], store="S001", key=KEY)
    assert list(RollupDue.objects.values_list("store", "business_date")) == [("S001", DAY)]
    rollups_refresh()
    assert chain_day_report(day=DAY)["total"] == 250

    # A payment that arrives before its sale marks nothing (no order, no day
    # yet); the sale marks its day when it comes.
    later = uuid.uuid4()
    push(client, [a.change("order.paid", paid(later, amount=300))], store="S001", key=KEY)
    assert not RollupDue.objects.exists()
    push(client, [a.change("order.placed", placed(later, number=3, price=300))], store="S001", key=KEY)
    assert RollupDue.objects.count() == 1
    rollups_refresh()
    assert chain_day_report(day=DAY)["total"] == 550


def test_a_busy_day_is_summed_again_at_most_every_few_seconds_and_then_caught_up(hq, client, monkeypatch):
    """The worker's round skips a day it summed less than ``every_s`` ago (a
    storm's uploads mark every busy day due each time); a quiet store's day is
    summed at once, and the busy one catches up when its time comes."""
    import hq.rollups as rollups

    clock = [1000.0]
    monkeypatch.setattr(rollups.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(rollups, "_summed", {})
    a, b = RemoteOrigin("S001:node1.cccc", store="S001"), RemoteOrigin("S002:node1.dddd", store="S002")
    push(client, sale(a, number=1, price=250)[1], store="S001", key=KEY)
    assert rollups.rollups_refresh(every_s=30) == 1
    assert chain_day_report(day=DAY)["total"] == 250

    push(client, sale(a, number=2, price=480)[1], store="S001", key=KEY)  # busy: summed 10 s ago
    push(client, sale(b, number=1, price=1000)[1], store="S002", key="rollup-key-2")  # quiet until now
    clock[0] += 10
    assert rollups.rollups_refresh(every_s=30) == 1
    report = chain_day_report(day=DAY)
    assert (report["total"], report["pending"]) == (1250, 1)  # S002 summed, S001's new sale still due

    clock[0] += 25
    assert rollups.rollups_refresh(every_s=30) == 1
    report = chain_day_report(day=DAY)
    assert (report["total"], report["pending"]) == (1730, 0)


def test_the_chain_report_api_is_for_hq_staff(hq, client):
    out = io.StringIO()
    call_command("analyst_token", "analyst-1", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    answer = client.get(f"/api/hq/reports/chain?business_date={DAY}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json()["orders"] == 0
    assert client.get(f"/api/hq/reports/chain?business_date={DAY}").status_code == 401


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_reports_read_the_replica_when_one_is_configured(settings):
    assert reports_db() == "default"
    settings.DATABASES = {**settings.DATABASES, "replica": {**settings.DATABASES["default"]}}
    assert reports_db() == "replica"
