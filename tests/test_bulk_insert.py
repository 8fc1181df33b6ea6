"""sync.bulk.rows_insert: COPY on PostgreSQL (HQ's ingest), VALUES
elsewhere; the same rows and the same refusals either way. bin/test runs this
file on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
import warnings
import zoneinfo

import pytest
from django.apps import apps
from django.db import DataError, IntegrityError, connection, transaction

from kitchen.feed import feed_append_many
from kitchen.models import FeedEntry, Ticket
from registers.models import Order, OrderLine
from sync.bulk import _EXACT, _prepared, rows_insert, rows_update
from sync.models import Change

pytestmark = pytest.mark.django_db(transaction=True)


def _changes(n: int, origin: str = "bulk-node.1") -> list[Change]:
    return [
        Change(id=uuid.uuid4(), origin=origin, seq=seq, store="S001", kind="order.note", hlc=1000 + seq,
               payload={"text": f"line\tnew\nline \\ 'quoted' ラーメン {seq}", "n": seq, "nested": {"list": [1, None, True]}},
               prev_digest="p" * 64, digest=f"{seq:064d}")
        for seq in range(1, n + 1)
    ]


@pytest.mark.parametrize("rows", [1, 2, 24])
def test_a_batch_reads_back_exactly_as_written(rows):
    written = _changes(rows)
    with transaction.atomic():
        rows_insert(Change, written)
    read = {c.id: c for c in Change.objects.filter(origin="bulk-node.1")}
    assert len(read) == len(written)
    for change in written:
        back = read[change.id]
        assert (back.origin, back.seq, back.store, back.kind, back.hlc, back.payload, back.prev_digest, back.digest) == (
            change.origin, change.seq, change.store, change.kind, change.hlc, change.payload, change.prev_digest, change.digest)
        assert back.recorded_at is not None and back.recorded_at.tzinfo is not None  # auto_now_add, as bulk_create
        assert change.recorded_at == back.recorded_at  # and on the row written, as bulk_create leaves it
    assert not written[0]._state.adding


def test_a_duplicate_refuses_the_whole_batch_as_bulk_create_does():
    first = _changes(16)
    with transaction.atomic():
        rows_insert(Change, first)
    again = _changes(16)  # new ids, the same (origin, seq): the log's unique key
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert(Change, again)
    assert Change.objects.filter(origin="bulk-node.1").count() == len(first)
    assert not Change.objects.filter(pk__in=[c.id for c in again]).exists()


def test_rows_with_database_made_ids_and_foreign_keys():
    at = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
    order = Order.objects.create(id=uuid.uuid4(), store="S001", number=7, business_date=dt.date(2026, 11, 23),
                                 booked_date=dt.date(2026, 11, 23), register="r", dining="eat_in", total=2500,
                                 taxes=[], request_hash="h", origin="o", placed_hlc=1, placed_at=at)
    lines = [OrderLine(order_id=order.id, position=i, sku=f"SKU{i}", name_ja="ポテト", name_en="Fries", qty=1,
                       unit_price=250, modifiers=[{"code": "salt"}], amount=250, tax_class="food", tax_rate=10,
                       station="fryer") for i in range(10)]
    with transaction.atomic():
        rows_insert(OrderLine, lines, ids_unread=True)
    assert list(order.lines.order_by("position").values_list("sku", "modifiers")) == [
        (f"SKU{i}", [{"code": "salt"}]) for i in range(10)]
    tickets = [Ticket(id=uuid.uuid4(), order=order, store="S001", station=f"st{i}", number=7, dining="eat_in",
                      items=[], placed_at=at) for i in range(10)]
    with transaction.atomic():
        rows_insert(Ticket, tickets)
        feed_append_many(tickets, "new")
    entries = list(FeedEntry.objects.filter(store="S001").order_by("id"))
    assert [e.ticket_id for e in entries] == [t.id for t in tickets]  # in the order written, ids ascending


def test_rows_update_writes_each_row_its_own_values():
    at = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
    order = Order.objects.create(id=uuid.uuid4(), store="S001", number=8, business_date=dt.date(2026, 11, 23),
                                 booked_date=dt.date(2026, 11, 23), register="r", dining="eat_in", total=2500,
                                 taxes=[], request_hash="h", origin="o", placed_hlc=1, placed_at=at)
    tickets = [Ticket(id=uuid.uuid4(), order=order, store="S001", station=f"st{i}", number=8, dining="eat_in",
                      items=[], placed_at=at) for i in range(5)]
    rows_insert(Ticket, tickets)
    for i, ticket in enumerate(tickets[:4]):
        ticket.status = "bumped" if i % 2 else "open"
        ticket.bumped_at = at + dt.timedelta(minutes=i) if i % 2 else None
        ticket.bump_hlc = 100 + i
    with transaction.atomic():
        rows_update(Ticket, tickets[:4], ["status", "bumped_at", "bump_hlc"])
    back = {t.id: t for t in Ticket.objects.filter(order=order)}
    for i, ticket in enumerate(tickets[:4]):
        assert (back[ticket.id].status, back[ticket.id].bumped_at, back[ticket.id].bump_hlc) == (
            ticket.status, ticket.bumped_at, 100 + i)
    untouched = back[tickets[4].id]
    assert (untouched.status, untouched.bumped_at, untouched.bump_hlc) == ("open", None, 0)

    # A row given twice takes its last values, as one UPDATE after another would leave it.
    first, last = Ticket.objects.get(pk=tickets[0].id), Ticket.objects.get(pk=tickets[0].id)
    first.status, last.status = "bumped", "recalled"
    with transaction.atomic():
        rows_update(Ticket, [first, tickets[4], last], ["status"])
    assert Ticket.objects.get(pk=tickets[0].id).status == "recalled"

    if connection.vendor == "postgresql":  # SQLite keeps any length of text
        # A value too long for its column is refused, not cut to fit, and
        # nothing of the statement is written.
        tickets[4].status, tickets[1].status = "x" * 40, "open"
        with pytest.raises(DataError), transaction.atomic():
            rows_update(Ticket, [tickets[1], tickets[4]], ["status"])
        assert [Ticket.objects.get(pk=t.id).status for t in (tickets[1], tickets[4])] == ["bumped", "open"]


# Values of every type a column of the write path holds, with the edges of their text forms.
VALUES = [
    None, 0, -1, 7, 2**62, True, False, "", "ラーメン 'x'", "12", 1.5,
    uuid.UUID("0123456789abcdef0123456789abcdef"), dt.date(2026, 11, 29),
    dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.timezone.utc),  # no fraction: str() drops it
    dt.datetime(2026, 11, 29, 0, 30, 0, 1, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo")),  # the day before in UTC
    dt.datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=dt.timezone(dt.timedelta(hours=-3))),
    dt.datetime(2026, 11, 29, 12, 0),  # naive: the field warns and makes it aware
    {"a": [1, None]}, [1, "x"], {"名前": "ラーメン", "n": [1.5, {"x": True}]}, ["ポテト"],
]


def test_every_column_is_prepared_as_its_field_prepares_it():
    """rows_insert's own preparation (SQLite's) and rows_update's (both
    databases) give what ``get_db_prep_save`` gives, for every column of
    every model and value above (or the same error)."""
    fast = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    continue  # stamped by the field's pre_save, as bulk_create does (the test above)
                prepare = _prepared(field, connection)
                exact = _EXACT[connection.vendor](field, connection)
                for value in VALUES:
                    row = model.__new__(model)
                    row.__dict__[field.attname] = value
                    try:
                        expected = field.get_db_prep_save(value, connection=connection)
                    except Exception as exc:  # noqa: BLE001 - the same refusal is expected
                        with pytest.raises(type(exc)):
                            prepare(row)
                        continue
                    got = prepare(row)
                    # psycopg's JSON wrappers compare by identity: their reprs show the value.
                    assert type(got) is type(expected) and (got == expected or repr(got) == repr(expected)), (
                        model._meta.label, field.name, value, got, expected)
                    fast += exact is not None and type(value) is exact[0]
    assert fast > 1000  # the comparison went through the fast path, not only the field


def test_rows_are_written_while_queries_are_logged():
    # DEBUG=1 (README) logs every statement, rendering it with "%": SQLite's
    # own "?" placeholder once made every order placement fail there.
    from django.test.utils import CaptureQueriesContext

    written = _changes(16, origin="logged-node.1")
    with CaptureQueriesContext(connection), transaction.atomic():
        rows_insert(Change, written)
    assert Change.objects.filter(origin="logged-node.1").count() == len(written)


def test_row_new_makes_the_row_the_model_would():
    """row_new skips Model.__init__ but must leave every column as it would:
    given values, constant defaults (the same object), defaults made per row,
    and a new row's state; a name that is no column is refused, and nothing
    of the refused row is written."""
    from registers.models import Payment
    from sync.bulk import row_new

    order_id = uuid.uuid4()
    at = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
    cases = [
        (Change, {"id": uuid.uuid4(), "origin": "n.1", "seq": 1, "store": "S001", "kind": "order.note", "hlc": 5,
                  "payload": {"a": 1}, "prev_digest": "", "digest": "d" * 64}),
        (Order, {"id": order_id, "store": "S001", "number": 7, "business_date": at.date(), "total": 500,
                 "taxes": [], "placed_at": at, "check_id": None}),
        (OrderLine, {"order_id": order_id, "position": 0, "sku": "FRIES", "qty": 2, "unit_price": 250, "amount": 500}),
        (Ticket, {"id": uuid.uuid4(), "order_id": order_id, "store": "S001", "station": "fryer", "number": 7,
                  "dining": "eat_in", "items": [{"sku": "FRIES"}], "placed_at": at}),
        (FeedEntry, {"store": "S001", "station": "fryer", "ticket_id": uuid.uuid4(), "event": "new"}),
        (Payment, {"id": uuid.uuid4(), "order_id": order_id, "position": 0, "method": "cash", "amount": 500,
                   "recorded_at": at}),
    ]
    for model, values in cases:
        django_row, ours = model(**values), row_new(model, values)
        for field in model._meta.concrete_fields:
            theirs, mine = getattr(django_row, field.attname), getattr(ours, field.attname)
            if field.has_default() and callable(field.default) and field.attname not in values:
                # Made per row: the same kind of value, and not shared between rows.
                assert type(mine) is type(theirs), (model, field.name)
                if isinstance(mine, list | dict):
                    assert mine == theirs and mine is not row_new(model, values).__dict__[field.attname]
                continue
            assert mine == theirs, (model, field.name, mine, theirs)
        assert ours._state.adding and ours._state.db is None and ours.pk == django_row.pk
    with pytest.raises(TypeError, match="order"):
        row_new(Ticket, {"id": uuid.uuid4(), "order": Order(id=order_id)})
