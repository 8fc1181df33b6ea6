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
