"""The waiter's table page and the printable QR sheet of a store's tables.

tables.js does the table service over the API (registers/api_checks.py); the
page is configured like the register (its node, siblings and demo token) so
it fails over to a sibling and queues what no node takes.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from registers.views import register_page_config
from registers.views_money import hq_has_no_till
from stores.models import Table
from stores.services import store_get_current


def tables_page(request: HttpRequest) -> HttpResponse:
    if settings.POS_ROLE == "hq":
        return hq_has_no_till()
    store = store_get_current()
    return render(request, "registers/tables.html", {"config": register_page_config(store), "store": store})


def qr_sheet(request: HttpRequest) -> HttpResponse:
    """One QR code per table, opening /order/?table=T12 on a guest's phone: print and cut."""
    store = store_get_current()
    base = request.build_absolute_uri("/order/")
    codes = []
    for table in Table.objects.filter(store=store.code).order_by("position", "table"):
        url = f"{base}?table={table.table}"
        # segno's own SVG markup; the URL is built from a validated table code only.
        svg = segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff")
        codes.append({"table": table.table, "area": table.area, "url": url, "svg": mark_safe(svg)})
    return render(request, "registers/tables_qr.html", {"store": store, "codes": codes})
