"""The pure merge rules (sync/merge.py): counters, last-writer-wins, gap-free
acceptance and authority, checked with random inputs. (The order status
lattice is registers/status.py: tests/test_order_status.py.)"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import merge
from sync.events import Authority

versions = st.tuples(st.integers(0, 50), st.sampled_from(["a", "b", "c"]))


@given(st.lists(st.tuples(st.uuids().map(str), st.integers(-5, 5)), unique_by=lambda d: d[0]), st.randoms())
def test_stock_counts_every_sale_once_in_any_order_with_duplicates(deltas, rnd):
    delivered = deltas + rnd.sample(deltas, len(deltas) // 2)
    rnd.shuffle(delivered)
    assert merge.stock_level(delivered) == sum(d for _, d in deltas)


@given(st.lists(versions, min_size=1, unique=True), st.randoms())
def test_last_writer_wins_ends_on_the_newest_write_in_any_order(writes, rnd):
    order = list(writes)
    rnd.shuffle(order)
    current = None
    for write in order:
        if merge.lww_wins(write, current):
            current = write
    assert current == max(writes)


@given(st.integers(0, 20), st.lists(st.integers(1, 40)))
def test_accept_in_order_never_leaves_a_gap(have, seqs):
    take, top = merge.accept_in_order(have, seqs)
    assert take == list(range(have + 1, top + 1))
    assert all(s in seqs for s in take)


@given(st.dictionaries(st.sampled_from("abcd"), st.integers(0, 9)), st.dictionaries(st.sampled_from("abcd"), st.integers(0, 9)))
def test_missing_names_exactly_the_origins_the_peer_is_behind_on(ours, theirs):
    gaps = merge.missing(ours, theirs)
    assert set(gaps) == {o for o, top in ours.items() if top > theirs.get(o, 0)}
    assert merge.vector_join(ours, theirs) == merge.vector_join(theirs, ours)


def test_master_data_is_only_taken_from_hq_origins():
    args = {"kind": "master.upsert", "authors": Authority.HQ, "store": "*", "node_store": "S001", "role": "store",
            "peer_store": "S001"}
    assert merge.refusal(origin="hq:hq1.ab", hq_signed=True, **args) is None
    assert "HQ's signature" in merge.refusal(origin="hq:hq1.ab", **args), "a name alone proves nothing"
    assert "HQ" in merge.refusal(origin="node1.ab", **args)
    store_fact = {"kind": "order.placed", "authors": Authority.STORE_NODE, "node_store": "S001", "role": "store",
                  "peer_store": "S001"}
    assert merge.refusal(store="*", origin="hq:x", hq_signed=True, **store_fact)
    assert merge.refusal(store="S001", origin="node1.ab", **store_fact) is None


def test_an_origin_is_bound_to_one_store_by_its_name_or_its_first_change():
    assert merge.origin_store("hq:hq1.ab12cd34") == "*"
    assert merge.origin_store("hq:S002:hq1.ab12cd34") == "S002"
    assert merge.origin_store("S002:node1.ab12cd34") == "S002"
    assert merge.origin_store("node1.ab12cd34") is None
    at_hq = {"kind": "order.placed", "authors": Authority.STORE_NODE, "node_store": "S001", "role": "hq",
             "peer_store": "S001", "store": "S001"}
    assert "belongs to store S002" in merge.refusal(origin="S002:node1.ab", bound_store="S002", **at_hq)
    assert "belongs to store S002" in merge.refusal(origin="node1.ab", bound_store="S002", **at_hq)
    assert merge.refusal(origin="S001:node1.ab", bound_store="S001", **at_hq) is None
    master = {**at_hq, "kind": "master.upsert", "authors": Authority.HQ}
    assert "only by HQ" in merge.refusal(origin="hq:hq1.ab", **master), "HQ takes no master data from a store"
    scoped = {"kind": "device.revoked", "authors": Authority.HQ_OR_STORE_NODE, "node_store": "S002",
              "role": "store", "peer_store": "S002", "hq_signed": True}
    assert "HQ's origin for store S001" in merge.refusal(origin="hq:S001:hq1.ab", store="S002", **scoped)
    assert merge.hq_change_elsewhere(origin="hq:hq1.ab", store="S001", node_store="S002", role="store")
    assert not merge.hq_change_elsewhere(origin="hq:hq1.ab", store="*", node_store="S002", role="store")


@pytest.mark.parametrize("origin, node", [
    ("S001:node1.3f2a9c1b", "node1"),
    ("hq:hq1.0badcafe", "hq1"),
    ("hq:S001:hq1.0badcafe", "hq1"),
    ("node2.3f2a9c1b", "node2"),  # named before origins carried their store
    ("node-with.dots.3f2a9c1b", "node-with.dots"),
])
def test_conflicts_name_the_node_of_each_origin_whatever_its_format(origin, node):
    from sync.models import NodeState

    assert NodeState.origin_node(origin) == node
