"""Reads about the change log and this node's view of its peers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from runtime import health
from runtime.storage import storage_as_dict
from sync import merge
from sync.models import ParkedChange, PeerState
from sync.peers import sibling_urls, status_for
from sync.replication import backlog, vector
from sync.services import node_state_get


def version_vector() -> dict[str, int]:
    """Per origin, the highest sequence this node holds without gaps."""
    return vector()


def _lag(their_vector: dict[str, int] | None, stores: set[str]) -> dict[str, Any]:
    """How far a peer is behind us: changes it lacks and the age of the oldest."""
    if their_vector is None:
        return {"behind": None, "lag_ms": None}
    count, oldest = backlog(their_vector, stores=stores)
    lag_ms = int((timezone.now() - oldest).total_seconds() * 1000) if oldest else 0
    return {"behind": count, "lag_ms": lag_ms}


def _saved_vectors() -> dict[str, dict[str, int]]:
    return {p.url: p.vector for p in PeerState.objects.all()}


def peers_as_list() -> list[dict[str, Any]]:
    saved = _saved_vectors()
    stores = {settings.POS_STORE, merge.ALL_STORES}
    result = []
    for url in sibling_urls():
        status = status_for(url, "sibling")
        vector = status.vector if status.vector is not None else saved.get(url)
        result.append({**status.as_dict(), **_lag(vector, stores)})
    return result


def hq_as_dict() -> dict[str, Any]:
    if settings.POS_ROLE == "hq" or not settings.POS_HQ_URL:
        return {"url": None, "state": "not_configured", "upstream_backlog": 0, "backlog_age_s": None}
    status = status_for(settings.POS_HQ_URL, "hq")
    vector = status.vector if status.vector is not None else _saved_vectors().get(settings.POS_HQ_URL, {})
    lag = _lag(vector, {settings.POS_STORE})
    return {
        **status.as_dict(),
        "upstream_backlog": lag["behind"],
        "backlog_age_s": round(lag["lag_ms"] / 1000, 1) if lag["lag_ms"] is not None else None,
    }


def health_as_dict() -> dict[str, Any]:
    state = node_state_get()
    # Kept verdicts only (runtime/health.py): a health request runs no check.
    reasons = [reason.as_dict() for reason in health.reasons()]
    return {
        "status": "degraded" if reasons else "ok",
        # What is wrong, in the store's language: {code, detail, since, action}.
        "reasons": reasons,
        "node": settings.POS_NODE,
        "origin": state.origin,
        "store": settings.POS_STORE,
        "role": settings.POS_ROLE,
        "time": timezone.now().isoformat(),
        "changes": state.last_seq,
        "version_vector": version_vector(),
        # Received changes waiting for the order they refer to (normally 0 within seconds).
        "parked": ParkedChange.objects.count(),
        "peers": peers_as_list(),
        "hq": hq_as_dict(),
        # Whether an acknowledged commit is on disk, as the database says it.
        "storage": storage_as_dict(),
    }
