"""runtime.doorbells rings once per transaction after commit, with public Django API only:
a rolled-back transaction or savepoint drops its ring, and the next one rings again."""

from __future__ import annotations

import pytest
from django.db import transaction

from runtime.doorbells import ring_after_commit

pytestmark = pytest.mark.django_db(transaction=True)


def test_items_rung_in_one_transaction_reach_one_flush_after_commit_each_once():
    flushed: list[list[str]] = []
    with transaction.atomic():
        for item in ("a", "b", "a"):
            ring_after_commit("test", item, flushed.append)
        assert flushed == []
    assert flushed == [["a", "b"]]


def test_outside_a_transaction_it_rings_at_once():
    flushed: list[list[str]] = []
    ring_after_commit("test", "a", flushed.append)
    assert flushed == [["a"]]


def test_a_rolled_back_transaction_rings_nothing_and_the_next_one_rings():
    flushed: list[list[str]] = []
    with pytest.raises(RuntimeError), transaction.atomic():
        ring_after_commit("test", "lost", flushed.append)
        raise RuntimeError
    with transaction.atomic():
        ring_after_commit("test", "kept", flushed.append)
    assert flushed == [["kept"]]


def test_a_ring_in_a_rolled_back_savepoint_is_dropped_and_a_later_one_still_rings():
    flushed: list[list[str]] = []
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            ring_after_commit("test", "lost", flushed.append)
            raise RuntimeError
        ring_after_commit("test", "kept", flushed.append)
    assert flushed == [["kept"]]


def test_each_key_has_its_own_flush():
    first: list[list[str]] = []
    second: list[list[str]] = []
    with transaction.atomic():
        ring_after_commit("one", "a", first.append)
        ring_after_commit("two", "b", second.append)
    assert (first, second) == ([["a"]], [["b"]])
