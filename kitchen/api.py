"""Kitchen HTTP API: printer and acknowledgement status for managers and monitoring."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Router

from kitchen import selectors
from kitchen.schemas import KitchenStatusOut, ReadyOrdersOut
from stores.auth import device_auth

router = Router(auth=device_auth, tags=["kitchen"])


@router.get("/kitchen/status", response=KitchenStatusOut, summary="Kitchen printers and unacknowledged tickets")
def kitchen_status(request: HttpRequest):
    return selectors.kitchen_status(store=settings.POS_STORE)


@router.get("/kitchen/ready", response=ReadyOrdersOut, summary="Orders ready to hand over, oldest first")
def kitchen_ready(request: HttpRequest):
    return {"items": selectors.orders_ready(store=settings.POS_STORE)}
