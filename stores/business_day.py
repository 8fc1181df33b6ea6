"""The store's trading day. Pure: no I/O.

A restaurant open past midnight still books a 1 a.m. sale on the evening's day:
the business date is the local date of (instant - cut-over).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def business_date(instant: dt.datetime, *, time_zone: str, cutover: dt.time) -> dt.date:
    if instant.tzinfo is None:
        raise ValueError("business_date needs a timezone-aware instant")
    local = instant.astimezone(ZoneInfo(time_zone))
    shifted = local - dt.timedelta(hours=cutover.hour, minutes=cutover.minute, seconds=cutover.second)
    return shifted.date()


def business_day_start(instant: dt.datetime, *, time_zone: str, cutover: dt.time) -> dt.datetime:
    """When the trading day that ``instant`` falls in began (its cut-over, local time)."""
    day = business_date(instant, time_zone=time_zone, cutover=cutover)
    return dt.datetime.combine(day, cutover, tzinfo=ZoneInfo(time_zone))


Frontier = dict[str, int]
"""A version vector (origin -> highest seq) of what a Z close counted."""


def covered(frontier: Frontier | None, origin: str, seq: int) -> bool:
    """Whether the change (origin, seq) was on the closing node when it closed
    the day. A close without a frontier (recorded before closes carried one)
    covers everything booked into its day, as it did then."""
    if frontier is None:
        return True
    return seq <= frontier.get(origin, 0)


def effective_day(booked: dt.date, origin: str, seq: int, closes: dict[dt.date, Frontier | None]) -> dt.date:
    """The day a sale (or refund, or drawer movement) booked into ``booked`` belongs to.

    A Z close ends its day on every node: whatever the closing node had not
    received when it closed (the change is not ``covered`` by the Z's frontier)
    belongs to the next business day, and so on past every closed day that
    did not count it either. The answer depends only on the change and the
    closes, so every node and HQ agree whatever order the changes arrived in.
    """
    day = booked
    # Each step passes one close, so this ends within len(closes) steps.
    while day in closes and not covered(closes[day], origin, seq):
        day += dt.timedelta(days=1)
    return day
