"""django-ninja schemas for the kitchen's HTTP API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema


class PrinterStateOut(Schema):
    station: str
    address: str
    state: Literal["unknown", "ok", "error"]
    detail: str
    failures: int
    last_attempt_at: dt.datetime | None
    last_ok_at: dt.datetime | None


class StationReachOut(Schema):
    station: str
    name_ja: str
    name_en: str
    screens: int = Field(..., description="Live screens showing this station (an expediter screen counts for all).")
    printer: str = Field(..., description="none, ok or error (this node's last attempt failed).")
    reachable: bool = Field(..., description="A screen or a working printer can take this station's tickets.")


class KitchenStatusOut(Schema):
    store: str
    printers: list[PrinterStateOut]
    open_unacknowledged: int
    open_printed: int
    stations: list[StationReachOut] = []


class ReadyOrderOut(Schema):
    id: str
    number: int
    dining: str
    ready_at: dt.datetime | None


class ReadyOrdersOut(Schema):
    items: list[ReadyOrderOut]
