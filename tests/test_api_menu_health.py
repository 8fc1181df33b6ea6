"""The menu, health, OpenAPI and docs endpoints, and the demo data the design promises."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_menu_lists_items_with_the_contract_fields(register_client):
    items = register_client.get("/api/menu").json()["items"]
    assert len(items) >= 20
    gyudon = next(i for i in items if i["sku"] == "GYUDON")
    assert gyudon["name"] == "牛丼" and gyudon["name_en"] == "Beef bowl"
    assert gyudon["price"] == 468 and gyudon["tax_class"] == "food"
    assert gyudon["station"] == "grill" and gyudon["available"] is True
    assert {g["code"] for g in gyudon["modifier_groups"]} == {"bowl_size", "bowl_top"}


def test_the_demo_menu_is_a_japanese_quick_service_menu(register_client):
    menu = register_client.get("/api/menu").json()
    items = menu["items"]
    assert len({i["category"] for i in items}) >= 4
    assert len({i["station"] for i in items if i["station"]}) >= 2
    assert any(i["tax_class"] == "alcohol" for i in items)
    assert any(i["tax_class"] == "food" and i["takeout_ok"] for i in items)
    assert all(isinstance(i["price"], int) and i["price"] > 0 for i in items)


def test_the_demo_staff_pins(register_client):
    cashier = register_client.post("/api/staff/login", {"pin": "1234"}, content_type="application/json")
    manager = register_client.post("/api/staff/login", {"pin": "9999"}, content_type="application/json")
    wrong = register_client.post("/api/staff/login", {"pin": "0000"}, content_type="application/json")
    assert cashier.json()["role"] == "cashier" and manager.json()["role"] == "manager"
    assert wrong.status_code == 403


def test_seed_demo_is_idempotent(demo):
    from django.core.management import call_command

    from stores.models import Device, Staff
    from menu.models import MenuItem

    before = (MenuItem.objects.count(), Staff.objects.count(), Device.objects.count())
    call_command("seed_demo", stdout=__import__("io").StringIO())
    assert (MenuItem.objects.count(), Staff.objects.count(), Device.objects.count()) == before


def test_the_menu_needs_a_device_token(demo, client):
    assert client.get("/api/menu").status_code == 401


def test_health_names_the_node_store_and_role(client):
    health = client.get("/api/health").json()
    assert health["node"] == "test-node" and health["store"] == "S001" and health["role"] == "store"
    assert health["peers"] == [] and health["hq"]["state"] == "not_configured"
    assert "upstream_backlog" in health["hq"]


def test_openapi_and_docs_are_served(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/orders" in schema["paths"] and "/api/menu" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_root_redirects_to_the_register(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/register/"


def test_the_pages_render(demo, client):
    register = client.get("/register/")
    kitchen = client.get("/kitchen/?station=grill")
    assert register.status_code == 200 and b'data-testid="pin-input"' in register.content
    assert kitchen.status_code == 200 and "グリル".encode() in kitchen.content


def test_pages_speak_japanese_by_default_and_english_when_chosen(demo, client):
    japanese = client.get("/kitchen/", headers={"Accept-Language": "en-US"})
    assert "全調理場".encode() in japanese.content and b'lang="ja"' in japanese.content
    client.cookies["django_language"] = "en"
    english = client.get("/kitchen/")
    assert b"All stations" in english.content and b'lang="en"' in english.content
