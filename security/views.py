"""/pair/: where a new tablet or kitchen screen trades a pairing code for its token (pair.js)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def pair_page(request: HttpRequest) -> HttpResponse:
    return render(request, "security/pair.html", {"config": {"store": settings.POS_STORE}})
