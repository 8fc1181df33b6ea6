"""Customer-facing pages: the self-order kiosk, the QR table order page (with its push worker) and the status board."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from integrations.pages import pages_integrator_ensure, pages_key
from stores.demo import demo_screen_token
from stores.models import Store
from stores.services import store_get_current


def _config(channel: str) -> dict:
    store = store_get_current()
    pages_integrator_ensure()
    config = {"store": store.code, "storeName": store.name, "channel": channel, "key": pages_key()}
    return _with_screen_token(config)


def _relayed_config(channel: str, code: str) -> dict:
    # At HQ: the store's pages, whose orders HQ relays to the store
    # (integrations/relay.py). No live socket here: the page polls the status.
    store = Store.objects.filter(code=code).first()
    if store is None:
        raise Http404(f"no store {code}")
    pages_integrator_ensure(store.code)
    return {"store": store.code, "storeName": store.name, "channel": channel, "key": pages_key(store.code), "relay": True}


def _with_screen_token(config: dict) -> dict:
    # The live status socket needs a device token (security/wsauth.py). In demo
    # mode these pages get the demo screen's; a real kiosk or board is paired.
    if token := demo_screen_token():
        config["token"] = token
    return config


def kiosk_page(request: HttpRequest) -> HttpResponse:
    """The kiosk: big tiles, a cart, eat in or take out, pay at the counter; no staff functions at all."""
    return render(request, "integrations/kiosk.html", {"config": _config("kiosk"), "mode": "kiosk"})


def qr_order_page(request: HttpRequest, store: str | None = None) -> HttpResponse:
    """The same ordering screen on a customer's phone, plus "tell me when it's ready" (Web Push).

    ``/order/S001/`` names the store: HQ serves it for every store and relays
    its orders; a store node serves its own store's only."""
    if store is not None and settings.POS_ROLE == "hq":
        config = _relayed_config("qr", store)
    elif store is not None and store != settings.POS_STORE:
        raise Http404(f"this node serves store {settings.POS_STORE}")
    else:
        config = _config("qr")
    config["table"] = request.GET.get("table", "")[:16]
    return render(request, "integrations/kiosk.html", {"config": config, "mode": "qr"})


def qr_service_worker(request: HttpRequest) -> HttpResponse:
    # Scope /order/ only: it shows the order-ready notification and must not
    # take over the register's pages (the register has its own worker at /sw.js).
    body = render_to_string("integrations/order-sw.js", {})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def board_page(request: HttpRequest) -> HttpResponse:
    """The counter's status board: numbers being prepared and "now serving", live."""
    store = store_get_current()
    config = _with_screen_token({"store": store.code, "storeName": store.name})
    return render(request, "integrations/board.html", {"config": config})
