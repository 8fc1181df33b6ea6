"""Node health over HTTP: what a register, a sibling or HQ needs to know about this node."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from sync import selectors

router = Router(tags=["health"])


@router.get("/health", summary="This node, its peers and its HQ link")
def health(request: HttpRequest):
    return selectors.health_as_dict()
