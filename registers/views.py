"""The register page: a server-rendered shell; register.js does the rest over the API."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from registers.demo import DEMO_DEVICE, demo_token
from registers.models import Device, token_digest
from registers.services import store_get_current


def register_page(request: HttpRequest) -> HttpResponse:
    store = store_get_current()
    config = {"store": store.code, "storeName": store.name, "node": settings.POS_NODE, "register": DEMO_DEVICE}
    if settings.POS_DEMO and Device.objects.filter(token_hash=token_digest(demo_token()), revoked_at__isnull=True).exists():
        # Demo mode only: hand the demo device's token to the page so that a
        # fresh clone can sell at once. A real store pairs each tablet instead.
        config["token"] = demo_token()
    return render(request, "registers/register.html", {"config": config, "store": store})
