"""Which number an order shows after renumberings, whatever order they arrived in (registers/renumber.py)."""

from __future__ import annotations

import itertools
import uuid

import pytest

from registers.models import Order, OrderRenumber
from sync.models import Change, VectorEntry
from sync.replication import changes_apply
from tests.replication_fixtures import RemoteOrigin, placed

pytestmark = pytest.mark.django_db


def _deliver_in_every_order(batches: list[list[dict]]) -> set[int]:
    """Each delivery order of the origins' batches (each origin's own order kept) on a fresh
    projection: the numbers the order showed."""
    shown = set()
    for order in itertools.permutations(range(len(batches))):
        Order.objects.all().delete()
        OrderRenumber.objects.all().delete()
        Change.objects.all().delete()
        VectorEntry.objects.all().delete()
        for index in order:
            changes_apply(wires=batches[index], peer_store="S001")
        shown.add(Order.objects.get().number)
    return shown


def test_a_renumbering_that_answers_a_still_clashing_number_takes_effect(demo):
    """node2 renumbered the sale 8 -> 9, and 9 was held too (an order moved in from
    a closed day): its next renumbering 9 -> 10 is the number shown. Keeping the
    lowest proposal overall kept 9, the clash, and the nodes renumbered forever."""
    sale = uuid.uuid4()
    node2, node3 = RemoteOrigin("node2.0badcafe"), RemoteOrigin("node3.0badcafe")
    seller = [node3.change("order.placed", placed(sale, number=8))]
    renumberer = [node2.change("order.renumbered", {"order": str(sale), "number": 9, "was": 8}),
                  node2.change("order.renumbered", {"order": str(sale), "number": 10, "was": 9})]
    assert _deliver_in_every_order([seller, renumberer]) == {10}


def test_two_nodes_renumbering_one_clash_at_once_agree_on_the_lowest_answer(demo):
    sale = uuid.uuid4()
    node2, node3, node4 = RemoteOrigin("node2.0badcafe"), RemoteOrigin("node3.0badcafe"), RemoteOrigin("node4.0badcafe")
    seller = [node4.change("order.placed", placed(sale, number=8))]
    one = [node2.change("order.renumbered", {"order": str(sale), "number": 2012, "was": 8})]
    other = [node3.change("order.renumbered", {"order": str(sale), "number": 3009, "was": 8}),
             node3.change("order.renumbered", {"order": str(sale), "number": 3010, "was": 3009})]
    # 8 -> 2012 (the lowest answer to 8); node3's answer to its own 3009 is off the chain.
    assert _deliver_in_every_order([seller, one, other]) == {2012}


@pytest.mark.django_db(transaction=True)
def test_renumberings_recorded_before_the_upgrade_still_show_the_end_of_their_chain():
    """registers.0017 keeps the number each proposal replaced and rebuilds the rows from the change log."""
    import io

    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    call_command("seed_demo", stdout=io.StringIO())
    sale = uuid.uuid4()
    node2, node3 = RemoteOrigin("node2.0badcafe"), RemoteOrigin("node3.0badcafe")
    changes_apply(wires=[node3.change("order.placed", placed(sale, number=8))], peer_store="S001")
    changes_apply(wires=[node2.change("order.renumbered", {"order": str(sale), "number": 9, "was": 8}),
                         node2.change("order.renumbered", {"order": str(sale), "number": 10, "was": 9})],
                  peer_store="S001")
    assert Order.objects.get().number == 10
    executor = MigrationExecutor(connection)
    executor.migrate([("registers", "0016_order_index_with_number")])
    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert sorted(OrderRenumber.objects.values_list("was", "number")) == [(8, 9), (9, 10)]
    from registers.renumber import renumber_apply

    Order.objects.filter(pk=sale).update(number=8)
    renumber_apply([sale])
    assert Order.objects.get().number == 10
