"""Kitchen HTTP API: printer and acknowledgement status for managers and monitoring."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from kitchen import selectors
from kitchen.schemas import KitchenStatusOut, ReadyOrdersOut
from stores.auth import one_store_scope, reader_auth

router = Router(auth=reader_auth, tags=["kitchen"])


class StoreQuery(Schema):
    store: str | None = Field(None, max_length=16, description="HQ only: which store (a device: only its own).")


@router.get("/kitchen/status", response=KitchenStatusOut, summary="Kitchen printers and unacknowledged tickets")
def kitchen_status(request: HttpRequest, q: Query[StoreQuery]):
    return selectors.kitchen_status(store=one_store_scope(request, q.store))


@router.get("/kitchen/ready", response=ReadyOrdersOut, summary="Orders ready to hand over, oldest first")
def kitchen_ready(request: HttpRequest, q: Query[StoreQuery]):
    return {"items": selectors.orders_ready(store=one_store_scope(request, q.store))}
