"""Shared helpers for the money tests: manager actions over the API, and acting as another node."""

from __future__ import annotations

import json
import uuid

import pytest

from sync.models import Change, NodeState

MANAGER_PIN = "9999"
CASHIER_PIN = "1234"


def post(client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def place(client, dining: str, lines: list[dict], payments: list[dict]) -> dict:
    body = {"id": str(uuid.uuid4()), "register": "register-1", "dining": dining, "lines": lines, "payments": payments}
    response = post(client, "/api/orders", body)
    assert response.status_code == 201, response.content
    return response.json()


def act_as_node(origin: str) -> None:
    """Make this database record changes as ``origin`` from now on, continuing that origin's chain.

    Lets one test database stand in for two store nodes, so changes from two
    origins interleave as they do after replication.
    """
    last = Change.objects.filter(origin=origin).order_by("-seq").first()
    NodeState.objects.filter(pk=1).update(
        origin=origin, last_seq=last.seq if last else 0, last_digest=last.digest if last else ""
    )


@pytest.fixture(autouse=True)
def forget_pin_failures():
    """Wrong PINs are counted per node for a few minutes; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
