"""Pages for money: the printable receipt, the e-receipt a signed link opens, and the manager's page (voids, refunds, drawer, X/Z).

The manager's page is a server-rendered shell like the register page;
manager.js does the rest over the API with the same device token scheme (the
demo token in demo mode). The receipt page holds a sale, so it wants what the
API wants: a device token of the order's store in the Authorization header
(manager.js fetches it and shows it in the page), or at HQ an admin session or
an analyst token. Never a token in the URL: URLs end up in logs and history.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from registers import selectors
from registers.ereceipt import ereceipt_open
from registers.models import Refund
from registers.receipts import receipt_for, receipt_lang, refund_receipt_for
from stores.auth import reader_from_request, store_visible
from stores.demo import DEMO_DEVICE, demo_token
from stores.models import Device, Store, token_digest
from stores.services import store_get_current


def hq_has_no_till() -> HttpResponse:
    return HttpResponseNotFound(
        _("HQ books no sales: the register and its manager page run on the store's own node."),
        content_type="text/plain; charset=utf-8",
    )


def receipt_page(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    if reader_from_request(request) is None:
        response = HttpResponse(
            _("A receipt needs the device token of its store (Authorization: Bearer TOKEN)."),
            status=401, content_type="text/plain; charset=utf-8",
        )
        response["WWW-Authenticate"] = "Bearer"
        return response
    order = selectors.order_get(order_id=order_id)
    # Another store's order is "not found", as if it did not exist.
    if order is None or not store_visible(request, order.store):
        raise Http404("no such order")
    store = Store.objects.filter(code=order.store).first() or store_get_current()
    copy = request.GET.get("copy") in ("1", "true")
    lang = receipt_lang(request.GET.get("lang"), request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    refund_id = _uuid_or_none(request.GET.get("refund", ""))
    if request.GET.get("refund"):
        refund = Refund.objects.filter(order_id=order.id, pk=refund_id).first() if refund_id else None
        if refund is None:
            raise Http404("no such refund")
        receipt = refund_receipt_for(order=order, refund=refund, store=store, copy=copy, lang=lang)
    else:
        receipt = receipt_for(order=order, store=store, copy=copy, lang=lang)
    return _receipt_render(request, receipt, public=False)


def e_receipt_page(request: HttpRequest, token: str) -> HttpResponse:
    """The receipt a signed link opens on the customer's phone (registers/ereceipt.py): that one receipt, nothing else."""
    opened = ereceipt_open(token)
    order = selectors.order_get(order_id=opened[1]) if opened else None
    if opened is None or order is None or order.store != opened[0]:
        raise Http404("no such receipt")
    store = Store.objects.filter(code=order.store).first() or store_get_current()
    receipt = receipt_for(order=order, store=store, lang=receipt_lang(request.GET.get("lang"), request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)))
    response = _receipt_render(request, receipt, public=True)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never leak it to another site
    response["X-Robots-Tag"] = "noindex"
    return response


def _receipt_render(request: HttpRequest, receipt: dict, *, public: bool) -> HttpResponse:
    with translation.override(receipt["lang"]):
        return render(request, "registers/receipt.html", {"receipt": receipt, "public": public})


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def manager_page(request: HttpRequest) -> HttpResponse:
    if settings.POS_ROLE == "hq":
        return hq_has_no_till()
    store = store_get_current()
    config = {"store": store.code, "storeName": store.name, "node": settings.POS_NODE, "register": DEMO_DEVICE,
              "timeZone": store.time_zone}
    if settings.POS_DEMO and Device.objects.filter(token_hash=token_digest(demo_token()), revoked_at__isnull=True).exists():
        config["token"] = demo_token()  # demo mode only, as on the register page
    return render(request, "registers/manager.html", {"config": config, "store": store})
