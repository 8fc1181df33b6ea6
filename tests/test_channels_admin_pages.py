"""Integrator keys made in admin (shown once, stored hashed), pauses that converge, and the customer pages."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from integrations.models import ChannelPause, Integrator
from sync.models import Change
from sync.projection import project

pytestmark = pytest.mark.django_db


def test_an_admin_adds_an_integrator_and_sees_its_key_once(demo):
    admin = User.objects.create_superuser("hq", "hq@example.invalid", "pw-not-used")
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/integrations/integrator/add/",
        {"name": "demae-can", "store": "S001", "channels": "delivery", "webhook_url": "", "active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    key = re.search(r"(pk_[A-Za-z0-9_-]{20,})", response.content.decode()).group(1)
    integrator = Integrator.objects.get(name="demae-can")
    assert key not in str(integrator.__dict__) and integrator.webhook_secret
    api = Client(headers={"Authorization": f"Bearer {key}"})
    assert api.get("/api/integrations/menu").status_code == 200
    assert key not in client.get(f"/admin/integrations/integrator/{integrator.pk}/change/").content.decode()


def _change(kind, hlc, reason):
    return Change(
        origin="n", seq=hlc, store="S001", kind=kind, hlc=hlc,
        payload={"channel": "mobile", "reason": reason, "by": "店長", "at": "2026-11-23T12:00:00+09:00"},
    )


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_pauses_and_resumes_end_the_same_in_any_delivery_order(db, order):
    changes = [_change("channel.paused", 10, "rush"), _change("channel.resumed", 20, ""), _change("channel.paused", 30, "fryer down")]
    for index in order:
        project(changes[index])
    pause = ChannelPause.objects.get(channel="mobile")
    assert pause.paused and pause.reason == "fryer down"


def test_the_customer_pages_render_in_japanese_with_no_staff_functions(demo):
    client = Client()
    for path in ("/kiosk/", "/order/?table=12", "/board/"):
        page = client.get(path)
        assert page.status_code == 200 and page["Content-Language"] == "ja"
        html = page.content.decode()
        assert "pin-input" not in html and "pay-cash" not in html
    assert "お呼び出し中" in client.get("/board/").content.decode()
    worker = client.get("/order/sw.js")
    assert worker.status_code == 200 and "showNotification" in worker.content.decode()
    assert Integrator.objects.get(name="store-pages").channels == "kiosk,qr"


def test_the_openapi_schema_documents_the_integration_api(demo):
    paths = Client().get("/api/openapi.json").json()["paths"]
    assert {"/api/integrations/menu", "/api/integrations/orders", "/api/integrations/orders/{idempotency_key}"} <= set(paths)
