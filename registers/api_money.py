"""The money API: voids, refunds, offline card settlement, drawer, shifts, receipts, X/Z reports.

Thin: parse, call one service or selector, answer. Every manager action takes
the manager's PIN in the body and is checked on the server; a refusal (403)
records nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from registers import conflicts, drawer, offline_card, report_breakdown, reports, selectors, staff
from registers.ereceipt import ereceipt_path
from registers.models import Refund, ZReport
from registers.money_decide import DISCOUNT, MONEY_ERRORS, OVERRIDE, PAY, REFUND, VOID, money_decide, refused
from registers.receipt_escpos import receipt_escpos
from registers.receipts import receipt_for, receipt_lang, receipt_print, refund_receipt_for
from registers.schemas import (
    DayConflictOut,
    DiscountIn,
    DrawerIn,
    DrawerOut,
    ErrorOut,
    OrderOut,
    PayIn,
    PriceOverrideIn,
    RefundIn,
    RefundOut,
    SettleIn,
    ShiftEndIn,
    ShiftOut,
    ShiftStartIn,
    VoidIn,
    ZIn,
    ZOut,
)
from stores.auth import (
    DeviceRequest,
    device_auth,
    one_store_scope,
    reader_auth,
    selling_auth,
    store_scope,
    store_visible,
)
from stores.models import Store
from stores.services import store_get_current

# Writes by default: a new route is refused at HQ (HQ books no sales) unless it says it only reads.
router = Router(auth=selling_auth, tags=["money"])

ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _refused(exc: Exception):
    return Status(*refused(exc))


# Money on an existing order is decided by the store's decider (registers/money_decide.py).


@router.post("/orders/{order_id}/void", response={200: OrderOut, **ERRORS}, summary="Void an order (manager PIN)")
def order_void(request: HttpRequest, order_id: uuid.UUID, body: VoidIn):
    return Status(*money_decide(VOID, order_id=order_id, body=body))


@router.post("/orders/{order_id}/discount", response={200: OrderOut, **ERRORS}, summary="Discount the bill (manager PIN)")
def order_discount(request: HttpRequest, order_id: uuid.UUID, body: DiscountIn):
    return Status(*money_decide(DISCOUNT, order_id=order_id, body=body))


@router.post("/orders/{order_id}/price-override", response={200: OrderOut, **ERRORS}, summary="Override a line's price (manager PIN)")
def order_price_override(request: HttpRequest, order_id: uuid.UUID, body: PriceOverrideIn):
    return Status(*money_decide(OVERRIDE, order_id=order_id, body=body))


@router.post("/orders/{order_id}/payments", response={200: OrderOut, 201: OrderOut, **ERRORS}, summary="Pay an open order")
def order_pay(request: HttpRequest, order_id: uuid.UUID, body: PayIn):
    return Status(*money_decide(PAY, order_id=order_id, body=body))


@router.post(
    "/orders/{order_id}/refunds", response={200: RefundOut, 201: RefundOut, **ERRORS}, summary="Refund (manager PIN)"
)
def order_refund(request: DeviceRequest, order_id: uuid.UUID, body: RefundIn):
    return Status(*money_decide(REFUND, order_id=order_id, body=body, register=request.device.name))


@router.post("/payments/{payment_id}/settle", response={200: dict, **ERRORS}, summary="Settle an offline card payment")
def payment_settle(request: HttpRequest, payment_id: uuid.UUID, body: SettleIn):
    try:
        payment = offline_card.payment_settle(payment_id=payment_id, reference=body.reference)
    except MONEY_ERRORS as exc:
        return _refused(exc)
    if payment.settled_at is None:  # payment_settle projects the settlement before it returns
        raise RuntimeError(f"payment {payment.id} is still unsettled after settling")
    return Status(200, {"id": str(payment.id), "settled_at": payment.settled_at.isoformat()})


class StoreQuery(Schema):
    store: str | None = Field(None, max_length=16, description="HQ only: which store (a device: only its own).")



@router.get("/alerts/offline-card", auth=reader_auth, response={200: list[dict], 403: ErrorOut, 422: ErrorOut},
            summary="Offline card payments near or past their deadline")
def offline_card_alerts(request: HttpRequest, q: Query[StoreQuery]):
    return offline_card.offline_card_alerts(store=one_store_scope(request, q.store))


@router.post("/drawer", response={200: DrawerOut, 201: DrawerOut, **ERRORS}, summary="Drawer: float, paid in/out, count")
def drawer_move(request: HttpRequest, body: DrawerIn):
    try:
        event, created = drawer.drawer_record(
            event_id=body.id, kind=body.kind, register=body.register, amount=body.amount, reason=body.reason, pin=body.pin
        )
    except MONEY_ERRORS as exc:
        return _refused(exc)
    return Status(201 if created else 200, {
        "id": event.id, "kind": event.kind, "register": event.register, "business_date": event.business_date,
        "amount": event.amount, "reason": event.reason, "staff": event.staff, "at": event.at,
    })


@router.post("/shifts/start", response={200: ShiftOut, **ERRORS}, summary="Clock in")
def shift_start(request: DeviceRequest, body: ShiftStartIn):
    try:
        return Status(200, staff.shift_start(pin=body.pin, register=body.register or request.device.name))
    except MONEY_ERRORS as exc:
        return _refused(exc)


@router.post("/shifts/end", response={200: ShiftOut, **ERRORS}, summary="Clock out")
def shift_end(request: HttpRequest, body: ShiftEndIn):
    try:
        shift = staff.shift_end(pin=body.pin)
    except MONEY_ERRORS as exc:
        return _refused(exc)
    if shift is None:
        return Status(409, {"detail": "not on shift"})
    return Status(200, shift)


@router.get("/staff/on-duty", auth=reader_auth, response={200: list[ShiftOut], 403: ErrorOut, 422: ErrorOut},
            summary="Who is on")
def on_duty(request: HttpRequest, q: Query[StoreQuery]):
    return staff.staff_on_duty(store=one_store_scope(request, q.store))


class ReceiptQuery(Schema):
    reprint: bool = Field(False, alias="copy", description="copy=true: a reprint, marked 再発行・控え.")
    lang: Literal["ja", "en"] | None = Field(None, description="The receipt's one language; default: the store's.")


def _order_seen(request: HttpRequest, order_id: uuid.UUID):
    """The order if the caller may see it: another store's is "not found", as if it did not exist."""
    order = selectors.order_get(order_id=order_id)
    return order if order is not None and store_visible(request, order.store) else None


def _link(request: HttpRequest, order) -> str | None:
    """The signed e-receipt address of ``order`` (None when this node has no key for its store)."""
    path = ereceipt_path(store=order.store, order_id=order.id)
    return request.build_absolute_uri(path) if path else None


def _lang(request: HttpRequest, q: ReceiptQuery) -> str:
    return receipt_lang(q.lang, request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))


def _sale_receipt(request: HttpRequest, order, q: ReceiptQuery) -> dict:
    receipt = receipt_for(order=order, store=_store_of(order.store), copy=q.reprint, lang=_lang(request, q))
    return {**receipt, "link": _link(request, order)}


@router.get("/orders/{order_id}/receipt", auth=reader_auth, response={200: dict, 404: ErrorOut},
            summary="Receipt (qualified simplified invoice)")
def receipt(request: HttpRequest, order_id: uuid.UUID, q: Query[ReceiptQuery]):
    order = _order_seen(request, order_id)
    if order is None:
        return Status(404, {"detail": f"no order {order_id}"})
    return Status(200, _sale_receipt(request, order, q))


@router.post("/orders/{order_id}/receipt/print", response={200: dict, 404: ErrorOut}, summary="Hand out the receipt (reprints are copies)")
def receipt_printed(request: DeviceRequest, order_id: uuid.UUID):
    order = _order_seen(request, order_id)
    if order is None:
        return Status(404, {"detail": f"no order {order_id}"})
    return Status(200, receipt_print(order=order, store=_store_of(order.store), register=request.device.name))


@router.get("/orders/{order_id}/receipt.escpos", auth=reader_auth, response={404: ErrorOut},
            summary="Receipt as ESC/POS bytes (Shift_JIS), with the e-receipt's QR code")
def receipt_bytes(request: HttpRequest, order_id: uuid.UUID, q: Query[ReceiptQuery]):
    order = _order_seen(request, order_id)
    if order is None:
        return Status(404, {"detail": f"no order {order_id}"})
    receipt = _sale_receipt(request, order, q)
    return HttpResponse(receipt_escpos(receipt, link=receipt["link"]), content_type="application/octet-stream")


def _refund_receipt(request: HttpRequest, order_id: uuid.UUID, refund_id: uuid.UUID, q: ReceiptQuery) -> dict | None:
    order = _order_seen(request, order_id)
    refund = Refund.objects.filter(pk=refund_id, order_id=order_id).first() if order is not None else None
    if order is None or refund is None:
        return None
    return refund_receipt_for(order=order, refund=refund, store=_store_of(order.store), copy=q.reprint, lang=_lang(request, q))


@router.get("/orders/{order_id}/refunds/{refund_id}/receipt", auth=reader_auth, response={200: dict, 404: ErrorOut},
            summary="Refund receipt (qualified return invoice, 適格返還請求書)")
def refund_receipt(request: HttpRequest, order_id: uuid.UUID, refund_id: uuid.UUID, q: Query[ReceiptQuery]):
    receipt = _refund_receipt(request, order_id, refund_id, q)
    if receipt is None:
        return Status(404, {"detail": f"no refund {refund_id} of order {order_id}"})
    return Status(200, receipt)


@router.get("/orders/{order_id}/refunds/{refund_id}/receipt.escpos", auth=reader_auth, response={404: ErrorOut},
            summary="Refund receipt as ESC/POS bytes (Shift_JIS)")
def refund_receipt_bytes(request: HttpRequest, order_id: uuid.UUID, refund_id: uuid.UUID, q: Query[ReceiptQuery]):
    receipt = _refund_receipt(request, order_id, refund_id, q)
    if receipt is None:
        return Status(404, {"detail": f"no refund {refund_id} of order {order_id}"})
    return HttpResponse(receipt_escpos(receipt), content_type="application/octet-stream")


class DayQuery(Schema):
    business_date: dt.date | None = Field(None, description="Default: today's business day.")
    store: str | None = Field(None, max_length=16, description="HQ only: which store.")


def _report_store(request: HttpRequest, q: DayQuery) -> Store | None:
    if settings.POS_ROLE != "hq":
        return store_get_current()
    # An unknown store is a 404 for anyone; a known one another store's device names is a 403.
    found = Store.objects.filter(code=q.store).first() if q.store else None
    if found is None:
        return None
    store_scope(request, found.code)
    return found


def _store_of(code: str) -> Store:
    return Store.objects.filter(code=code).first() or store_get_current()


@router.get("/reports/sales", auth=reader_auth, response={200: dict, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="Sales of a business day")
def sales(request: HttpRequest, q: Query[DayQuery]):
    store = _report_store(request, q)
    if store is None:
        return Status(404 if q.store else 422, {"detail": f"no store {q.store!r}" if q.store else "store= is required at HQ"})
    return Status(200, _sales_detail(store, q.business_date or reports.today(store)))


def _sales_detail(store: Store, day) -> dict:
    # by_item, by_hour and conflicts are optional additions to the contract's sales shape.
    return {
        **reports.day_report(store=store.code, day=day),
        "conflicts": conflicts.conflicts_for_day(store=store.code, day=day),
        "by_item": report_breakdown.by_item(store=store.code, day=day),
        "by_hour": report_breakdown.by_hour(store=store.code, day=day, time_zone=store.time_zone),
    }


@router.get("/reports/sales.csv", auth=reader_auth, response={200: None, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="Sales of a business day as CSV")
def sales_csv(request: HttpRequest, q: Query[DayQuery]):
    store = _report_store(request, q)
    if store is None:
        return Status(404 if q.store else 422, {"detail": f"no store {q.store!r}" if q.store else "store= is required at HQ"})
    day = q.business_date or reports.today(store)
    response = HttpResponse(report_breakdown.report_csv(_sales_detail(store, day)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sales-{store.code}-{day.isoformat()}.csv"'
    return response


@router.get("/reports/x", auth=reader_auth, response={200: dict, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="X report (changes nothing)")
def x_report(request: HttpRequest, q: Query[DayQuery]):
    store = _report_store(request, q)
    if store is None:
        return Status(404 if q.store else 422, {"detail": f"no store {q.store!r}" if q.store else "store= is required at HQ"})
    return Status(200, reports.x_report(store=store, day=q.business_date))


# device_auth, not selling_auth: HQ answers with its own explanation (422) below.
@router.post("/reports/z", auth=device_auth, response={201: ZOut, **ERRORS}, summary="Z report: close the business day (manager PIN)")
def z_report(request: HttpRequest, body: ZIn):
    if settings.POS_ROLE == "hq":
        return Status(422, {"detail": "a store closes its own day; HQ receives the Z report by replication"})
    try:
        z = reports.day_close(
            store=store_get_current(), day=body.business_date, manager_pin=body.manager_pin,
            queued=body.queued, force=body.force, counted_cash=body.counted_cash,
        )
    except MONEY_ERRORS as exc:
        return _refused(exc)
    return Status(201, reports.z_as_dict(z))


@router.get("/reports/z", auth=reader_auth, response={200: list[ZOut], 403: ErrorOut, 422: ErrorOut},
            summary="Z reports, newest first")
def z_list(request: HttpRequest, q: Query[DayQuery]):
    zs = ZReport.objects.filter(store=one_store_scope(request, q.store)).order_by("-number")
    if q.business_date:
        zs = zs.filter(business_date=q.business_date)
    return [reports.z_as_dict(z) for z in zs[:100]]


@router.get("/conflicts", auth=reader_auth, response={200: list[DayConflictOut], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
            summary="Money conflicts of a business day (paid twice, over-refunded, voided and refunded)")
def day_conflicts(request: HttpRequest, q: Query[DayQuery]):
    store = _report_store(request, q)
    if store is None:
        return Status(404 if q.store else 422, {"detail": f"no store {q.store!r}" if q.store else "store= is required at HQ"})
    return Status(200, conflicts.conflicts_for_day(store=store.code, day=q.business_date or reports.today(store)))
