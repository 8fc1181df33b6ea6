"""Many registers placing orders at once: every order is recorded once, with
its own ticket number, and one bad order does not take the others down.

Real threads, each with its own database connection, as daphne's worker
threads and the durable-writes benchmark have them.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection

from kitchen.models import FeedEntry, Ticket
from registers import services, tender
from menu.models import MenuItem
from registers.models import Order, Payment
from sync.models import Change

pytestmark = pytest.mark.django_db(transaction=True)

LINES = [services.LineRequest("GYUDON", 1, ["size_nami"]), services.LineRequest("BEER", 1)]


def place(order_id: uuid.UUID, lines=LINES, request_hash: str | None = None):
    return services.order_place(
        order_id=order_id, register="register-1", dining="eat_in", lines=lines,
        payments=[tender.Tender("cash", 5000)], request_hash=request_hash or order_id.hex,
    )


def in_threads(jobs: list) -> list:
    """Run each callable in its own thread, all released at once; results or exceptions in order."""
    results: list = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = jobs[i]()
        except Exception as exc:  # noqa: BLE001 - returned to the test to assert on
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "an order never came back"
    return results


def test_orders_placed_at_once_are_each_recorded_once_with_their_own_number(demo):
    ids = [uuid.uuid4() for _ in range(40)]
    results = in_threads([lambda i=i: place(i) for i in ids])

    assert all(isinstance(r, tuple) and r[1] for r in results), results
    assert {r[0].id for r in results} == set(ids)
    numbers = [Order.objects.get(pk=i).number for i in ids]
    assert len(set(numbers)) == 40
    assert Change.objects.filter(kind="order.placed").count() == 40
    assert Change.objects.filter(kind="order.paid").count() == 40
    assert Payment.objects.count() == 40
    assert all(o.paid == o.total for o in Order.objects.all())
    # Each order reached the grill and the drinks station, once.
    assert Ticket.objects.count() == 80
    assert FeedEntry.objects.filter(event="new").count() == 80
    seqs = sorted(Change.objects.values_list("seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # no gap, no repeat


def test_the_same_order_sent_by_many_threads_at_once_is_recorded_once(demo):
    order_id = uuid.uuid4()
    results = in_threads([lambda: place(order_id) for _ in range(12)])

    assert all(isinstance(r, tuple) for r in results), results
    assert sum(1 for _, created in results if created) == 1
    assert {order.number for order, _ in results} == {Order.objects.get(pk=order_id).number}
    assert Change.objects.filter(kind="order.placed").count() == 1


def test_a_refused_order_fails_alone_and_its_batch_commits(demo):
    MenuItem.objects.filter(sku="BEER").update(available=False)
    good = [uuid.uuid4() for _ in range(10)]
    bad = uuid.uuid4()
    jobs = [lambda i=i: place(i, lines=[services.LineRequest("GYUDON", 1, ["size_nami"])]) for i in good]
    jobs.insert(5, lambda: place(bad))
    results = in_threads(jobs)

    refused = results.pop(5)
    assert isinstance(refused, services.OrderRejected) and "BEER" in str(refused)
    assert all(isinstance(r, tuple) and r[1] for r in results), results
    assert set(Order.objects.values_list("pk", flat=True)) == set(good)


def test_another_body_under_a_taken_id_is_a_conflict_even_in_a_burst(demo):
    order_id = uuid.uuid4()
    place(order_id)
    results = in_threads([lambda: place(order_id, request_hash="other")] + [lambda: place(uuid.uuid4()) for _ in range(5)])

    assert isinstance(results[0], services.OrderConflict)
    assert all(isinstance(r, tuple) and r[1] for r in results[1:]), results


def test_a_batch_holding_the_same_order_twice_records_it_once(demo):
    # Threads rarely line up so exactly; build the batch a leader would take.
    order_id = uuid.uuid4()
    jobs = [
        services._Job(order_id, "register-1", "eat_in", LINES, [tender.Tender("cash", 5000)], "same", None)
        for _ in range(3)
    ]
    services._commit(jobs)

    assert [job.order is not None for job in jobs] == [True, False, False]  # the others answer as replays
    assert Change.objects.filter(kind="order.placed").count() == 1
    assert place(order_id, request_hash="same") == (Order.objects.get(pk=order_id), False)
