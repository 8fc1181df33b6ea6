"""The register API: menu, orders, staff login. Thin: parse, call one service or selector, answer."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import DatabaseError
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from registers import day_close, outboxes, selectors, services, tender
from registers.models import Order
from registers.offline_card import offline_card_check
from registers.schemas import (
    ErrorOut,
    MenuOut,
    OrderIn,
    OrderListOut,
    OrderOut,
    OutboxesOut,
    OutboxIn,
    RegisterIdentityOut,
    StaffLoginIn,
    StaffOut,
    StaffPinResetIn,
    StaffRowOut,
)
from registers.staff import NotAllowed, PinResetRefused, TooManyPins, register_open, staff_pin_reset
from registers.voids import MoneyRejected
from runtime.health_checks import write_failed, write_succeeded
from stores.auth import reader_auth, selling_auth, store_scope, store_visible
from stores.selectors import staff_of_store
from stores.services import register_identity_claim, store_get_current

# Writes by default: a new route is refused at HQ unless it says it only reads.
router = Router(auth=selling_auth, tags=["register"])


class MenuQuery(Schema):
    store: str | None = Field(None, max_length=16, description="HQ staff only: which store's prices (default: HQ's own).")


@router.get("/menu", auth=reader_auth, response=MenuOut, summary="The store's menu")
def menu(request: HttpRequest, q: Query[MenuQuery]):
    return selectors.menu_as_dict(store_scope(request, q.store))


@router.post(
    "/orders",
    response={200: OrderOut, 201: OrderOut, 409: ErrorOut, 422: ErrorOut},
    summary="Place an order (idempotent on its id)",
    description="201 when new; 200 with the same order when the same id arrives again with the same body; "
    "409 when the id is taken by a different body.",
)
def order_create(request: HttpRequest, body: OrderIn):
    data = body.model_dump(mode="json")
    for payment in data["payments"]:
        # Only an offline card payment carries the flag, so bodies sent before
        # it existed keep the same request hash (replays stay replays).
        if not payment["offline"]:
            del payment["offline"]
    if data.get("number") is None:
        # Keeps the digest of a body without a number what it was before the
        # field existed, so replays of older orders still match.
        data.pop("number", None)
    # Notes likewise: a body without them hashes as it did before they existed.
    for key in ("note", "rung_at"):
        if not data.get(key):
            data.pop(key, None)
    services.lines_digestible(data["lines"], ("note", "course", "hold"))
    try:
        if any(p.offline for p in body.payments) and not Order.objects.filter(pk=body.id).exists():
            offline_card_check(store=store_get_current(), payments=body.payments)
        order, created = services.order_place(
            order_id=body.id,
            register=body.register,
            dining=body.dining,
            lines=[services.line_request(line) for line in body.lines],
            payments=[tender.Tender(p.method, p.amount, p.reference, p.offline) for p in body.payments],
            request_hash=services.request_digest(data),
            number=body.number,
            note=body.note,
            rung_at=body.rung_at,
        )
    except services.OrderConflict as exc:
        return Status(409, {"detail": str(exc)})
    except (services.OrderRejected, MoneyRejected) as exc:
        return Status(422, {"detail": str(exc)})
    except DatabaseError as exc:
        # Still a 500 (the register keeps the order and retries); health says why (disk full...).
        write_failed("order", exc)
        raise
    if created:
        write_succeeded()
    order = selectors.order_get_written(order_id=order.id)
    return Status((201 if created else 200), selectors.order_as_dict(order))


@router.get("/orders/{order_id}", auth=reader_auth, response={200: OrderOut, 404: ErrorOut}, summary="One order")
def order_detail(request: HttpRequest, order_id: uuid.UUID):
    order = selectors.order_get(order_id=order_id)
    # Another store's order is "not found", so a device cannot even learn that it exists.
    if order is None or not store_visible(request, order.store):
        return Status(404, {"detail": f"no order {order_id}"})
    return Status(200, selectors.order_as_dict(order))


class OrderFilter(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)
    business_date: dt.date | None = None
    store: str | None = Field(None, max_length=16, description="HQ only: one store's orders (a device: only its own).")
    unpaid: bool = Field(False, description="Only orders still owing money and not voided (the register's 未会計 list).")


@router.get("/orders", auth=reader_auth, response={200: OrderListOut, 403: ErrorOut}, summary="Recent orders, newest first")
def order_list(request: HttpRequest, filters: Query[OrderFilter]):
    store = store_scope(request, filters.store)
    orders, count = selectors.orders_recent(
        store=store, business_date=filters.business_date, limit=filters.limit, offset=filters.offset,
        unpaid=filters.unpaid,
    )
    return {"items": [selectors.order_as_dict(o) for o in orders], "count": count}


@router.post("/staff/login", response={200: StaffOut, 403: ErrorOut, 429: ErrorOut}, summary="Check a staff PIN")
def staff_login(request: HttpRequest, body: StaffLoginIn):
    # Through register_open (staff_by_pin), so the login screen is under the same wrong-PIN limit as manager approvals.
    # A kitchen member's right PIN is refused too: the register is for those who sell.
    try:
        staff = register_open(pin=body.pin)
    except TooManyPins as exc:
        raise HttpError(429, str(exc)) from None
    except NotAllowed as exc:
        raise HttpError(403, str(exc)) from None
    return Status(200, {"id": staff.pk, "name": staff.name, "role": staff.role})


@router.get("/staff", auth=reader_auth, response=list[StaffRowOut], summary="This store's staff (no PINs)")
def staff_list(request: HttpRequest):
    return staff_of_store(store=store_scope(request, None))


@router.post(
    "/staff/{code}/pin", response={200: StaffRowOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="A manager resets a cashier's PIN",
    description="Needs a manager's PIN and a reason; recorded with who and why, replicated to the store's nodes and HQ.",
)
def staff_pin_set(request: HttpRequest, code: str, body: StaffPinResetIn):
    try:
        return Status(200, staff_pin_reset(code=code, pin=body.pin, manager_pin=body.manager_pin, reason=body.reason))
    except TooManyPins as exc:
        return Status(429, {"detail": str(exc)})
    except NotAllowed as exc:
        return Status(403, {"detail": str(exc)})
    except PinResetRefused as exc:
        return Status(422, {"detail": str(exc)})


class BusinessDayOut(Schema):
    business_date: dt.date = Field(description="The business day a sale made now belongs to.")
    calendar_date: dt.date = Field(description="Today's business day by the clock (time zone and day cut-over).")
    after_close: bool = Field(description="True when today was closed by Z: sales go to the next business day.")
    closed: dict | None = Field(None, description="The Z close that ended today: number and business_date.")


# A store's till asks this; at HQ, which books no sales, selling_auth refuses it (403).
@router.get("/business-day", response={200: BusinessDayOut, 403: ErrorOut}, summary="The business day sales go into now")
def business_day(request: HttpRequest):
    return Status(200, day_close.day_state(store_get_current()))


@router.post("/registers/claim", response={200: RegisterIdentityOut}, summary="A register identity for a new tablet")
def register_claim(request: HttpRequest):
    """Demo tablets share one device token; each takes its own register name (and so
    its own ticket-number block) once, and keeps it in the browser."""
    name, lane = register_identity_claim(store=store_get_current().code)
    return {"register": name, "lane": lane}


@router.post("/registers/outbox", response={204: None}, summary="A register tablet reports its outbox size")
def register_outbox(request: HttpRequest, body: OutboxIn):
    outboxes.register_outbox_report(store=store_get_current().code, register=body.register, waiting=body.waiting)
    return Status(204, None)


@router.get("/registers/outboxes", auth=reader_auth, response={200: OutboxesOut},
            summary="Sales still queued on the tablets, as each last reported")
def register_outbox_list(request: HttpRequest):
    return outboxes.register_outboxes(store=store_get_current().code)
