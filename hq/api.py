"""Push subscriptions (register manager page with the device token, HQ
dashboard with an admin session) and HQ's store health."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status

from hq import rollups, selectors, services
from runtime.notify.webpush import vapid_keys
from stores.auth import analyst_auth, device_auth, staff_session, store_scope

router = Router(tags=["alerts"])


class SubscriptionIn(Schema):
    subscription: dict[str, Any]
    store: str = ""
    language: str = "ja"


class Detail(Schema):
    detail: str


@router.get("/push/key", response={200: dict, 404: Detail}, summary="The VAPID public key browsers subscribe with")
def push_key(request: HttpRequest):
    keys = vapid_keys()
    if keys is None:
        return Status(404, {"detail": "push is not set up: run manage.py vapid_keys"})
    return {"public_key": keys.public_key}


@router.post("/push/subscriptions", auth=[device_auth, staff_session], response={201: dict, 422: Detail},
             summary="Subscribe this browser to alerts")
def push_subscribe(request: HttpRequest, body: SubscriptionIn):
    # A store's managers get their own store's alerts (a store's device at HQ too);
    # at HQ an admin picks a store or all ("").
    store = store_scope(request, body.store or None) or ""
    try:
        sub = services.subscription_save(subscription=body.subscription, store=store, language=body.language)
    except services.SubscriptionInvalid as exc:
        return Status(422, {"detail": str(exc)})
    return Status(201, {"id": sub.pk, "store": sub.store})


@router.post("/push/unsubscribe", auth=[device_auth, staff_session], response={200: dict},
             summary="Stop alerts to this browser")
def push_unsubscribe(request: HttpRequest, body: SubscriptionIn):
    return {"deleted": services.subscription_delete(endpoint=str(body.subscription.get("endpoint", "")))}


@router.get("/hq/stores", auth=staff_session, summary="Every store's nodes, last contact, backlog and alerts (HQ)")
def stores(request: HttpRequest):
    return {"items": selectors.stores_health()}


@router.get("/hq/reports/chain", auth=[analyst_auth, staff_session], response={200: dict, 404: Detail},
            summary="The chain's sales of a business day, from rollups (HQ; optional store= list)")
def chain_report(request: HttpRequest, business_date: dt.date, store: str = ""):
    if settings.POS_ROLE != "hq":
        return Status(404, {"detail": "chain reports are HQ's"})
    stores = [code for code in store.split(",") if code] or None
    return Status(200, rollups.chain_day_report(day=business_date, stores=stores))
