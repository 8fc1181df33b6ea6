"""Background workers survive a failing tick and wake on demand; the change log is hash-chained."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import transaction
from django.utils import timezone

from menu.events import ItemBack
from runtime import workers
from sync.models import Change
from sync.services import change_digest, change_record


def test_a_worker_survives_a_failing_tick_and_wakes_on_demand():
    calls: list[int] = []
    done = threading.Event()

    def tick() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("printer on fire")
        if len(calls) >= 3:
            done.set()

    workers.worker("test-tick", interval=3600)(tick)
    try:
        workers.start_all()
        deadline = time.monotonic() + 10
        while not done.is_set() and time.monotonic() < deadline:
            workers.wake("test-tick")
            time.sleep(0.05)
        assert done.is_set(), "the worker stopped after its first failure"
    finally:
        workers.stop_all()
        workers._workers.pop("test-tick", None)


def _mark(sku: str) -> ItemBack:
    return ItemBack(sku=sku, staff="test", at=timezone.now())


@pytest.mark.django_db
def test_each_change_chains_to_the_one_before_it():
    with transaction.atomic():
        first = change_record(_mark("GYUDON"), store="S001")
        second = change_record(_mark("BEER"), store="S001")
    assert first.prev_digest == "" and second.prev_digest == first.digest
    assert change_digest(Change.objects.get(pk=second.pk)) == second.digest
    Change.objects.filter(pk=first.pk).update(payload={**first.payload, "sku": "FRIES"})
    assert change_digest(Change.objects.get(pk=first.pk)) != first.digest


def test_recording_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="atomic"):
        change_record(_mark("GYUDON"), store="S001")
