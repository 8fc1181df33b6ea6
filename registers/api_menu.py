"""Sold out ('86') from the register's manager page or an integrator (manager PIN)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status

from registers import sold_out, staff
from stores.auth import device_auth

router = Router(auth=device_auth, tags=["menu"])


class SoldOutIn(Schema):
    sold_out: bool = True
    manager_pin: str | None = None


class SoldOutOut(Schema):
    sku: str
    sold_out: bool
    staff: str


class Detail(Schema):
    detail: str


@router.post("/menu/{sku}/sold-out", response={200: SoldOutOut, 403: Detail, 404: Detail, 422: Detail, 429: Detail},
             summary="Mark an item sold out (or back on sale with sold_out=false); manager PIN")
def item_sold_out(request: HttpRequest, sku: str, body: SoldOutIn):
    if settings.POS_ROLE == "hq":
        return Status(422, {"detail": "a store marks its own items sold out; HQ sees it by replication"})
    try:
        mark = sold_out.item_sold_out_set(sku=sku, sold_out=body.sold_out, manager_pin=body.manager_pin)
    except staff.TooManyPins as exc:
        return Status(429, {"detail": str(exc)})
    except staff.NotAllowed as exc:
        return Status(403, {"detail": str(exc)})
    except sold_out.UnknownItem as exc:
        return Status(404, {"detail": str(exc)})
    return Status(200, {"sku": mark.sku, "sold_out": mark.sold_out, "staff": mark.staff})
