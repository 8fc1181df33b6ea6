"""The integration API: menu with availability and acceptance, idempotent orders, status, pauses, board.

Thin: parse, call one service or selector, answer.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Query, Router, Schema, Status
from pydantic import Field

from integrations import acceptance, pages, push, selectors, services
from integrations.auth import IntegratorRequest, integrator_auth
from integrations.schemas import (
    STATUS_DOC,
    AcceptanceOut,
    BoardOut,
    Channel,
    ChannelMenuOut,
    ChannelOrderIn,
    ChannelOrderOut,
    ChannelsOut,
    ErrorOut,
    PauseIn,
    PushKeyOut,
    PushSubscriptionIn,
    RefusedOut,
)
from registers import services as register_services
from registers import tender
from registers.staff import NotAllowed, TooManyPins
from security.throttle import Throttled
from stores.auth import device_auth, selling_auth

router = Router(tags=["integrations"])


class MenuQuery(Schema):
    channel: Channel = Field("delivery", description="Whose acceptance to report in `channel` and `orderable`.")


@router.get("/menu", auth=integrator_auth, response=ChannelMenuOut, summary="Menu with sold-out and acceptance state")
def channel_menu(request: HttpRequest, query: Query[MenuQuery]):
    return selectors.channel_menu(channel=query.channel)


@router.post(
    "/orders",
    auth=integrator_auth,
    response={200: ChannelOrderOut, 201: ChannelOrderOut, 403: ErrorOut, 409: ErrorOut, 422: RefusedOut,
              429: RefusedOut, 503: RefusedOut},
    summary="Submit an order (idempotent on idempotency_key)",
    description="201 accepted (stored; not yet in the kitchen); 200 the same order again for a repeated key; "
    "409 the key was used for a different order; 422 the order is wrong (sold out, unknown item), "
    "429 (the store's own public kiosk / QR pages only) too many new orders lately from this client or "
    "through the pages, `code` rate_limited: nothing was stored, retry after Retry-After seconds; "
    "503 the channel is not accepting orders now (paused by the store, or no kitchen screen or printer reachable "
    "for a station it needs): `code` and `detail` say which; nothing was stored, retry later with the same key. "
    + STATUS_DOC,
)
def channel_order_submit(request: IntegratorRequest, body: ChannelOrderIn, response: HttpResponse):
    integrator = request.integrator
    if not integrator.may_use(body.channel):
        return Status(403, {"detail": f"this key may not order through {body.channel}; it may use {integrator.channels}"})
    for index, payment in enumerate(body.payments):
        # Money an integrator took never passes through this store's drawer,
        # and an offline card is a register's store-and-forward, not theirs.
        if payment.method == "cash" or payment.offline:
            detail = f"payments[{index}]: an integrator's payment is card or qr, taken and settled on its side"
            return Status(422, {"detail": detail, "code": "order_invalid", "idempotency_key": body.idempotency_key})
    # The pages' key is public: anyone may use it, so its new orders are rate
    # limited (a repeat of a known key is not a new order and always answers).
    client = str(request.META.get("REMOTE_ADDR", ""))
    limited = pages.is_pages_integrator(integrator) and selectors.channel_order_status(
        integrator=integrator, idempotency_key=body.idempotency_key) is None
    if limited:
        try:
            # Said in the phone's language: a customer reads it on the page.
            with translation.override(translation.get_language_from_request(request)):
                pages.pages_order_admit(client=client)
        except Throttled as exc:
            response["Retry-After"] = str(exc.retry_after)
            return Status(429, {"detail": str(exc), "code": "rate_limited", "idempotency_key": body.idempotency_key})
    data = body.model_dump(mode="json")
    if data.get("table") is None:
        data.pop("table", None)  # a body without a table keeps the digest it always had
    try:
        order, created = services.channel_order_submit(
            integrator=integrator,
            idempotency_key=body.idempotency_key,
            channel=body.channel,
            dining=body.dining,
            lines=[register_services.LineRequest(line.sku, line.qty, list(line.modifiers)) for line in body.lines],
            payments=[tender.Tender(p.method, p.amount, p.reference, p.offline) for p in body.payments],
            body=data,
            table=body.table,
        )
    except services.ChannelRefused as exc:
        response["Retry-After"] = "30"
        return Status(503, {"detail": exc.reason, "code": exc.code, "idempotency_key": body.idempotency_key})
    except register_services.OrderConflict as exc:
        return Status(409, {"detail": f"idempotency_key {body.idempotency_key!r} was used for a different order ({exc})"})
    except register_services.OrderRejected as exc:
        if limited:  # kept as a rejection under its key: it costs the client as an order does
            pages.pages_order_placed(client=client)
        return Status(422, {"detail": str(exc), "code": "order_invalid", "idempotency_key": body.idempotency_key})
    if limited and created:
        pages.pages_order_placed(client=client)
    return Status(201 if created else 200, selectors.channel_order_by_id(order_id=order.id))


@router.get(
    "/orders/{idempotency_key}",
    auth=integrator_auth,
    response={200: ChannelOrderOut, 404: ErrorOut},
    summary="An order's status by the integrator's key",
    description=STATUS_DOC,
)
def channel_order_status(request: IntegratorRequest, idempotency_key: str):
    found = selectors.channel_order_status(integrator=request.integrator, idempotency_key=idempotency_key)
    if found is None:
        return Status(404, {"detail": f"no order was sent with idempotency_key {idempotency_key!r}"})
    return Status(200, found)


@router.post(
    "/orders/{idempotency_key}/push",
    auth=integrator_auth,
    response={201: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Tell this phone (a Web Push subscription) when the order is ready",
)
def channel_order_push(request: IntegratorRequest, idempotency_key: str, body: PushSubscriptionIn):
    found = selectors.channel_order_status(integrator=request.integrator, idempotency_key=idempotency_key)
    if found is None or found["id"] is None:
        return Status(404, {"detail": f"no accepted order with idempotency_key {idempotency_key!r}"})
    try:
        push.subscription_add(
            order_id=found["id"], endpoint=body.endpoint, p256dh=body.keys.p256dh, auth=body.keys.auth, lang=body.lang
        )
    except ValueError as exc:
        return Status(422, {"detail": str(exc)})
    return Status(201, {"detail": "subscribed"})


@router.get("/push/key", auth=None, response=PushKeyOut, summary="The VAPID public key phones subscribe with")
def push_key(request: HttpRequest):
    return {"public_key": push.vapid_public_key()}


@router.get("/channels", auth=[integrator_auth, device_auth], response=ChannelsOut, summary="Is each channel accepting orders, and why not")
def channels(request: HttpRequest):
    # At HQ a device sees its own store's channels (an integrator's key works only at its store's node).
    device = getattr(request, "device", None)
    store = device.store if device is not None else None
    return {"items": [state.as_dict() for state in acceptance.channels_acceptance(store=store).values()]}


def _pause(channel: str, body: PauseIn, paused: bool):
    try:
        services.channel_pause_set(channel=channel, paused=paused, manager_pin=body.manager_pin, reason=body.reason)
    except TooManyPins as exc:
        return Status(429, {"detail": str(exc)})
    except NotAllowed as exc:
        return Status(403, {"detail": str(exc)})
    return Status(200, acceptance.channel_acceptance(channel=channel).as_dict())


@router.post(
    "/channels/{channel}/pause",
    auth=selling_auth,
    response={200: AcceptanceOut, 403: ErrorOut, 429: ErrorOut},
    summary="A manager pauses a channel (e.g. a rush); new orders are refused with the reason",
)
def channel_pause(request: HttpRequest, channel: Channel, body: PauseIn):
    return _pause(channel, body, True)


@router.post(
    "/channels/{channel}/resume",
    auth=selling_auth,
    response={200: AcceptanceOut, 403: ErrorOut, 429: ErrorOut},
    summary="A manager resumes a paused channel",
)
def channel_resume(request: HttpRequest, channel: Channel, body: PauseIn):
    return _pause(channel, body, False)


@router.get("/board", auth=None, response=BoardOut, summary="Numbers for the counter's status board")
def board(request: HttpRequest):
    return selectors.board()
