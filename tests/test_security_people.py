"""People: PIN lock-out across processes, manager actions refused for a cashier
even when called directly, admin only for staff with strong passwords."""

from __future__ import annotations

import io
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client

from registers.staff import MAX_PIN_FAILURES
from security.middleware import ADMIN_MAX_FAILURES
from sync.models import Change
from tests.money import CASHIER_PIN, MANAGER_PIN, place, post

STRONG = "Kanri-no-Pasuwaado-2026"


def login(client, pin):
    return client.post("/api/staff/login", {"pin": pin}, content_type="application/json")


def test_a_guessed_pin_past_the_limit_is_refused_even_when_right(register_client):
    for _ in range(MAX_PIN_FAILURES):
        assert login(register_client, "0000").status_code == 403
    cache.clear()  # the count is not in a process cache: another daphne process sees it too
    locked = login(register_client, CASHIER_PIN)
    assert locked.status_code == 429 and "wait" in locked.json()["detail"]
    void = post(register_client, f"/api/orders/{uuid.uuid4()}/void", {"manager_pin": MANAGER_PIN, "reason": "x"})
    assert void.status_code == 429  # manager approvals share the limit


@pytest.fixture
def sold(register_client):
    return place(register_client, "eat_in", [{"sku": "GYUDON", "qty": 1, "modifiers": ["size_nami"]}], [{"method": "cash", "amount": 1000}])


@pytest.fixture
def open_order(register_client):
    return place(register_client, "take_out", [{"sku": "GYUDON", "qty": 1, "modifiers": ["size_nami"]}], [])


MANAGER_ACTIONS = {
    "void": lambda o, pin: (f"/api/orders/{o['sold']}/void", {"manager_pin": pin, "reason": "x"}),
    "refund": lambda o, pin: (f"/api/orders/{o['sold']}/refunds", {"id": str(uuid.uuid4()), "manager_pin": pin, "reason": "x"}),
    "discount": lambda o, pin: (f"/api/orders/{o['open']}/discount", {"manager_pin": pin, "reason": "x", "amount": 10}),
    "price override": lambda o, pin: (
        f"/api/orders/{o['open']}/price-override", {"manager_pin": pin, "reason": "x", "position": 0, "unit_price": 1}
    ),
    "paid out": lambda o, pin: (
        "/api/drawer", {"id": str(uuid.uuid4()), "kind": "paid_out", "register": "register-1", "amount": 500, "reason": "x", "pin": pin}
    ),
    "paid in": lambda o, pin: (
        "/api/drawer", {"id": str(uuid.uuid4()), "kind": "paid_in", "register": "register-1", "amount": 500, "reason": "x", "pin": pin}
    ),
    "Z close": lambda o, pin: ("/api/reports/z", {"manager_pin": pin}),
    "revoke a device": lambda o, pin: ("/api/devices/revoke", {"device": "kitchen-1", "manager_pin": pin}),
}


@pytest.mark.parametrize("action", list(MANAGER_ACTIONS))
def test_a_cashier_calling_a_manager_action_directly_is_refused(register_client, sold, open_order, action):
    orders = {"sold": sold["id"], "open": open_order["id"]}
    before = Change.objects.count()
    for pin in (CASHIER_PIN, None):
        url, body = MANAGER_ACTIONS[action](orders, pin)
        if pin is None:
            body = {k: v for k, v in body.items() if k not in ("manager_pin", "pin")}
        response = post(register_client, url, body)
        assert response.status_code in (403, 422), (action, pin, response.content)
    assert Change.objects.count() == before  # nothing recorded
    url, body = MANAGER_ACTIONS[action](orders, MANAGER_PIN)
    assert post(register_client, url, body).status_code in (200, 201), action  # the manager may


def test_admin_is_only_for_staff_users(db):
    User.objects.create_user("cashier", password=STRONG)  # not is_staff
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "cashier", "password": STRONG})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_admin_logins_are_rate_limited(db):
    User.objects.create_user("boss", password=STRONG, is_staff=True)
    client = Client()
    for _ in range(ADMIN_MAX_FAILURES):
        assert client.post("/admin/login/", {"username": "boss", "password": "guess"}).status_code == 200
    assert client.post("/admin/login/", {"username": "boss", "password": STRONG}).status_code == 429


def test_createsuperuser_noinput_refuses_a_weak_password(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "password")
    with pytest.raises(CommandError, match="too weak"):
        call_command("createsuperuser", "--noinput", username="hq", email="hq@example.com", stdout=io.StringIO())
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    call_command("createsuperuser", "--noinput", username="hq", email="hq@example.com", stdout=io.StringIO())
    assert User.objects.get(username="hq").is_superuser


def test_an_admin_password_change_enforces_the_validators(db):
    boss = User.objects.create_superuser("boss", "boss@example.com", STRONG)
    client = Client()
    client.force_login(boss)
    url = f"/admin/auth/user/{boss.pk}/password/"
    weak = client.post(url, {"password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 200 and not User.objects.get(pk=boss.pk).check_password("12345678")
    strong = client.post(url, {"password1": "Another-Strong-2026!", "password2": "Another-Strong-2026!"})
    assert strong.status_code == 302 and User.objects.get(pk=boss.pk).check_password("Another-Strong-2026!")
