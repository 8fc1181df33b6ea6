"""The kitchen display page; kitchen.js talks to the feed over WebSocket."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kitchen.models import Station


def kitchen_page(request: HttpRequest) -> HttpResponse:
    station = request.GET.get("station", "")[:32]
    stations = list(Station.objects.all())
    config = {
        "store": settings.POS_STORE,
        "station": station,
        "stations": [{"code": s.code, "name_ja": s.name_ja, "name_en": s.name_en} for s in stations],
    }
    return render(request, "kitchen/kitchen.html", {"config": config, "station": station, "stations": stations})
