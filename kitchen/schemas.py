"""django-ninja schemas for the kitchen's HTTP API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema


class PrinterStateOut(Schema):
    station: str
    address: str
    state: Literal["unknown", "ok", "error"]
    detail: str
    failures: int
    last_attempt_at: dt.datetime | None
    last_ok_at: dt.datetime | None


class KitchenStatusOut(Schema):
    store: str
    printers: list[PrinterStateOut]
    open_unacknowledged: int
    open_printed: int


class ReadyOrderOut(Schema):
    id: str
    number: int
    dining: str
    ready_at: dt.datetime | None


class ReadyOrdersOut(Schema):
    items: list[ReadyOrderOut]
