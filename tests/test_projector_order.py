"""Projectors run in the order their stages say (sync/projection.py), not in the
order apps happen to be listed in INSTALLED_APPS or their modules imported."""

from __future__ import annotations

import importlib

import pytest

from sync import projection

ORDER_PLACED = [
    # Stage.RECORD: registers writes the order and its lines, joins an early void and re-prices.
    "registers.projections.order_placed",
    "registers.projections.order_placed_void_join",
    "registers.projections.order_placed_reprice",
    # Stage.FOLLOW: the kitchen routes it to tickets (voided at once after an early void) and reports its progress.
    "kitchen.projections.order_routed",
    # At HQ, the day's sales rollup is marked due (hq/rollups.py).
    "hq.rollups.placed_marks",
    # Stage.REACT: integrations compare the derived status with what the integrator was told.
    "integrations.projections.channel_status_watch",
]
TICKET_BUMPED = ["kitchen.projections.tickets_bumped_or_recalled", "integrations.projections.channel_status_watch"]
ORDER_VOIDED = [
    "registers.projections.order_voided",
    "kitchen.projections.order_void_tickets",
    "hq.rollups.order_fact_marks",
    "integrations.projections.channel_status_watch",
]

# registers marks the held lines fired, then the kitchen turns their held tickets into new ones.
ORDER_COURSE_FIRED = ["registers.courses.course_fired", "kitchen.projections.course_fired"]


def names(kind: str) -> list[str]:
    return [f"{func.__module__}.{func.__name__}" for func in projection.projectors_of(kind)]


def test_projectors_run_by_stage():
    assert names("order.placed") == ORDER_PLACED
    assert names("ticket.bumped") == TICKET_BUMPED
    assert names("order.voided") == ORDER_VOIDED
    assert names("order.course_fired") == ORDER_COURSE_FIRED


@pytest.mark.parametrize(
    "apps",
    [
        ["hq", "integrations", "kitchen", "registers"],
        ["kitchen", "integrations", "hq", "registers"],
        ["registers", "integrations", "kitchen", "hq"],
    ],
)
def test_the_order_holds_whatever_order_the_apps_register_in(monkeypatch, apps):
    monkeypatch.setattr(projection, "_projectors", {})
    monkeypatch.setattr(projection, "_count", 0)
    for app in apps:
        importlib.reload(importlib.import_module("hq.rollups" if app == "hq" else f"{app}.projections"))
    assert names("order.placed") == ORDER_PLACED
    assert names("ticket.bumped") == TICKET_BUMPED
    assert names("order.voided") == ORDER_VOIDED
