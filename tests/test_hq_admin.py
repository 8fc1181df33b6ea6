"""HQ's admin edits per-store prices and publishes them; a store's admin shows HQ's data read-only; both languages."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from menu.models import MenuItem, StoreItem
from sync.models import Change

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO())


def test_hq_admin_publishes_a_store_price_to_that_store(settings, seeded, admin_client):
    settings.POS_ROLE = "hq"
    fries = MenuItem.objects.get(sku="FRIES")
    response = admin_client.post("/admin/menu/storeitem/add/",
                                 {"store": "S001", "item": fries.pk, "price": "330", "available": "on", "_save": "1"})
    assert response.status_code == 302, response.content[:1500]
    change = Change.objects.filter(kind="master.upsert", payload__model="registers.StoreItem").get()
    assert change.payload["key"] == "S001:FRIES" and change.payload["fields"]["price"] == "330"
    assert StoreItem.objects.get().code == "S001:FRIES"


def test_a_store_admin_shows_hq_data_but_does_not_let_it_be_changed(settings, seeded, admin_client):
    settings.POS_ROLE = "store"
    fries = MenuItem.objects.get(sku="FRIES")
    page = admin_client.get(f"/admin/menu/menuitem/{fries.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    refused = admin_client.post(f"/admin/menu/menuitem/{fries.pk}/change/", {"price": "1", "_save": "1"})
    assert refused.status_code == 403
    assert MenuItem.objects.get(sku="FRIES").price == fries.price
    assert admin_client.get("/admin/menu/storeitem/add/").status_code == 403


@pytest.mark.parametrize(("language", "label"), [("ja", "店舗別価格と販売可否"), ("en", "Store prices and availability")])
def test_the_admin_speaks_japanese_and_english(settings, seeded, admin_client, language, label):
    settings.POS_ROLE = "hq"
    page = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE=language)
    assert label in page.content.decode()


def test_a_store_price_for_a_store_hq_does_not_know_is_refused(settings, seeded, admin_client):
    settings.POS_ROLE = "hq"
    fries = MenuItem.objects.get(sku="FRIES")
    response = admin_client.post("/admin/menu/storeitem/add/",
                                 {"store": "NOPE", "item": fries.pk, "price": "330", "_save": "1"})
    assert response.status_code == 200 and not StoreItem.objects.exists()
    assert not Change.objects.filter(payload__model="registers.StoreItem").exists()
