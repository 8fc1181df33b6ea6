"""Pages for money: the printable receipt and the manager's page (voids, refunds, drawer, X/Z).

Server-rendered shells like the register page; manager.js does the rest over
the API with the same device token scheme (the demo token in demo mode).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from registers import selectors
from registers.receipts import receipt_for
from stores.demo import DEMO_DEVICE, demo_token
from stores.models import Device, Store, token_digest
from stores.services import store_get_current


def receipt_page(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    order = selectors.order_get(order_id=order_id)
    if order is None:
        raise Http404("no such order")
    store = Store.objects.filter(code=order.store).first() or store_get_current()
    receipt = receipt_for(order=order, store=store, copy=request.GET.get("copy") in ("1", "true"))
    return render(request, "registers/receipt.html", {"receipt": receipt, "store": store})


def manager_page(request: HttpRequest) -> HttpResponse:
    store = store_get_current()
    config = {"store": store.code, "storeName": store.name, "node": settings.POS_NODE, "register": DEMO_DEVICE}
    if settings.POS_DEMO and Device.objects.filter(token_hash=token_digest(demo_token()), revoked_at__isnull=True).exists():
        config["token"] = demo_token()  # demo mode only, as on the register page
    return render(request, "registers/manager.html", {"config": config, "store": store})
