"""The kitchen display page; kitchen.js talks to the feed over WebSocket."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.utils.translation import gettext as _

from menu.models import Station
from stores.demo import demo_screen_token


def kitchen_page(request: HttpRequest) -> HttpResponse:
    station = request.GET.get("station", "")[:32]
    stations = list(Station.objects.all())
    if station and station not in {s.code for s in stations}:
        # A typo in a wall screen's URL must not look like a quiet kitchen.
        known = ", ".join(s.code for s in stations)
        return HttpResponseNotFound(
            _("No kitchen station %(station)s. Stations: %(known)s") % {"station": station, "known": known},
            content_type="text/plain; charset=utf-8",
        )
    config = {
        "store": settings.POS_STORE,
        "station": station,
        "stations": [{"code": s.code, "name_ja": s.name_ja, "name_en": s.name_en} for s in stations],
    }
    if token := demo_screen_token():
        # Demo mode only, as on the register page: a real kitchen screen is paired (/pair/).
        config["token"] = token
    return render(request, "kitchen/kitchen.html", {"config": config, "station": station, "stations": stations})
