"""``__in`` with a long list (sync/lookups.py): one parameter (JSON on
SQLite, an array of ids on PostgreSQL), the same rows as Django's own lookup
for every kind of value it takes, and Django's own lookup wherever the one
parameter could differ."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kitchen.models import FeedEntry, Ticket
from registers.models import Order, Payment
from sync.lookups import ONE_PARAMETER_FROM
from sync.models import Change

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 23)
LONG = max(ONE_PARAMETER_FROM.values())  # a list that takes the one parameter on either database
AT = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)


def _orders(n: int) -> list[Order]:
    NUL = "\x00" if connection.vendor == "sqlite" else ""  # PostgreSQL stores no NUL in text
    orders = [Order(id=uuid.uuid4(), store="S001", number=i + 1, business_date=DAY, booked_date=DAY, register="r",
                    dining="eat_in", total=100 + i, taxes=[], request_hash=f"{i:064d}", origin="in-test.1",
                    placed_hlc=i, placed_seq=i + 1, placed_at=AT, note=f"ノート 'quoted' \"double\" \\ {NUL} {i}" if i % 2 else "")
              for i in range(n)]
    Order.objects.bulk_create(orders)
    return orders


def _sql(queryset) -> tuple[list, str]:
    with CaptureQueriesContext(connection) as queries:
        rows = list(queryset)
    return rows, queries.captured_queries[-1]["sql"]


def test_a_long_list_of_ids_finds_exactly_those_rows_in_one_parameter():
    orders = _orders(3 * LONG)
    wanted = orders[::2]
    asked = [o.id for o in wanted] + [uuid.uuid4() for _ in range(5)] + [None, wanted[0].id]  # absent, NULL, twice
    rows, sql = _sql(Order.objects.filter(pk__in=asked))
    assert {o.id for o in rows} == {o.id for o in wanted}
    # One parameter, not a literal per id.
    assert ("json_each" if connection.vendor == "sqlite" else "unnest") in sql and sql.count("'") < 4
    # Ids as text (as an API gets them) are prepared by the field as before.
    assert {o.id for o in Order.objects.filter(pk__in=[str(o.id) for o in wanted])} == {o.id for o in wanted}
    assert Order.objects.in_bulk([o.id for o in wanted]).keys() == {o.id for o in wanted}


def test_every_kind_of_value_matches_as_django_matches_it():
    orders = _orders(2 * LONG)
    numbers = [o.number for o in orders[:LONG + 3]]
    assert sorted(Order.objects.filter(number__in=numbers).values_list("number", flat=True)) == sorted(numbers)
    notes = [o.note for o in orders] + ["absent"] * LONG  # quotes, backslash, NUL, Japanese, empty
    assert Order.objects.filter(note__in=notes).count() == len(orders)
    hashes = [o.request_hash for o in orders[:LONG]]
    assert set(Order.objects.filter(request_hash__in=hashes).values_list("request_hash", flat=True)) == set(hashes)
    days = [DAY + dt.timedelta(days=d) for d in range(-LONG, 1)]  # dates: text in SQLite, as Django writes them
    assert Order.objects.filter(business_date__in=days).count() == len(orders)
    # Two long lists in one statement: each parameter stays with its own column.
    both = Order.objects.filter(pk__in=[o.id for o in orders[1:]], total__in=[o.total for o in orders[:-1]])
    assert both.count() == len(orders) - 2


def test_relations_take_ids_or_rows_alike():
    orders = _orders(LONG + 4)
    tickets = [Ticket(id=uuid.uuid4(), order=o, store="S001", station="fryer", number=o.number, dining="eat_in",
                      items=[], placed_at=AT) for o in orders]
    Ticket.objects.bulk_create(tickets)
    FeedEntry.objects.bulk_create([FeedEntry(store="S001", station="fryer", ticket=t, event="new") for t in tickets])
    some = orders[: LONG + 1]
    _, sql = _sql(Ticket.objects.filter(order__in=some))
    assert ("json_each" if connection.vendor == "sqlite" else "unnest") in sql  # relations take the one parameter too
    for asked in ([o.id for o in some], some, [o.pk for o in some]):
        assert set(Ticket.objects.filter(order__in=asked).values_list("order_id", flat=True)) == {o.id for o in some}
        assert set(Ticket.objects.filter(order_id__in=asked).values_list("order_id", flat=True)) == {o.id for o in some}
    ids = [e.pk for e in FeedEntry.objects.order_by("pk")][: LONG + 2]  # integer keys
    assert sorted(FeedEntry.objects.filter(pk__in=ids).values_list("pk", flat=True)) == ids
    assert not Payment.objects.filter(order__in=some).exists()
    # Updates and deletes by a long list too.
    assert Ticket.objects.filter(order__in=some).update(status="done") == len(some)
    assert Change.objects.filter(pk__in=[uuid.uuid4() for _ in range(LONG * 2)]).delete()[0] == 0


def test_a_bad_value_is_refused_as_before():
    with pytest.raises(ValidationError):
        list(Order.objects.filter(pk__in=["not-a-uuid"] * LONG))
    assert list(Order.objects.filter(pk__in=[])) == []
    assert list(Order.objects.filter(pk__in=[None] * LONG)) == []
