"""Reads about the change log and this node's view of its peers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from sync.models import Change
from sync.services import node_state_get


def version_vector() -> dict[str, int]:
    """Per origin, the highest sequence this node holds."""
    return dict(Change.objects.values_list("origin").annotate(top=Max("seq")).values_list("origin", "top"))


def health_as_dict() -> dict[str, Any]:
    state = node_state_get()
    return {
        "status": "ok",
        "node": settings.POS_NODE,
        "origin": state.origin,
        "store": settings.POS_STORE,
        "role": settings.POS_ROLE,
        "time": timezone.now().isoformat(),
        "changes": state.last_seq,
        "version_vector": version_vector(),
        "peers": [
            {"url": url, "state": "not_connected", "last_contact": None, "lag_ms": None} for url in settings.POS_PEERS
        ],
        "hq": {
            "url": settings.POS_HQ_URL or None,
            "state": "not_configured" if not settings.POS_HQ_URL else "not_connected",
            "upstream_backlog": Change.objects.filter(origin=state.origin).count() if settings.POS_HQ_URL else 0,
        },
    }
