"""What the manager page's staff list and receipt buttons rely on: only a
manager's PIN resets a cashier's PIN (anyone else's is refused and nothing
changes), and an order lists its refunds so each one's receipt opens, reprinted
or in English, from the order's row."""

from __future__ import annotations

import uuid

import pytest

from stores import pins
from sync.models import Change
from sync.replication import changes_apply
from tests.money import CASHIER_PIN, MANAGER_PIN, place, post
from tests.replication_fixtures import RemoteOrigin
from tests.test_staff_people import HQ_FOR_S001, login, staff_set

pytestmark = pytest.mark.django_db

RESET = "/api/staff/demo-cashier/pin"


def staff_row(client, code: str) -> dict:
    return {row["code"]: row for row in client.get("/api/staff").json()}[code]


def assert_nothing_changed(client, before: dict) -> None:
    assert not Change.objects.filter(kind="staff.pin_reset").exists()
    assert staff_row(client, "demo-cashier") == before
    assert login(client, CASHIER_PIN).status_code == 200, "the cashier's own PIN still opens the register"
    assert login(client, "5566").status_code == 403, "the PIN that was refused opens nothing"


@pytest.mark.parametrize("approver", [CASHIER_PIN, "3131", "0000"], ids=["cashier", "kitchen", "wrong"])
def test_only_a_managers_pin_resets_a_cashiers_pin_anyone_elses_changes_nothing(register_client, approver):
    changes_apply(wires=[RemoteOrigin(HQ_FOR_S001).change("staff.set", staff_set("p-kitchen", pin="3131", role="kitchen"))],
                  peer_store="S001")
    before = staff_row(register_client, "demo-cashier")
    refused = post(register_client, RESET, {"pin": "5566", "manager_pin": approver, "reason": "忘れた"})
    assert refused.status_code == 403, refused.content
    assert "manager" in refused.json()["detail"] or "wrong PIN" in refused.json()["detail"]
    assert_nothing_changed(register_client, before)


def test_a_cashier_cannot_reset_their_own_pin_either(register_client):
    before = staff_row(register_client, "demo-cashier")
    refused = post(register_client, RESET, {"pin": "5566", "manager_pin": CASHIER_PIN, "reason": "自分で"})
    assert refused.status_code == 403 and "山田 花子 is a cashier" in refused.json()["detail"]
    assert_nothing_changed(register_client, before)


def test_the_staff_list_says_who_reset_a_pin_and_never_shows_one(register_client):
    reset = post(register_client, RESET, {"pin": "5566", "manager_pin": MANAGER_PIN, "reason": "忘れた"})
    assert reset.status_code == 200, reset.content
    row = staff_row(register_client, "demo-cashier")
    assert (row["role"], row["pin_set_by"], row["pin_set_reason"]) == ("cashier", "佐藤 健", "忘れた")
    assert row["pin_set_at"] is not None
    body = register_client.get("/api/staff").content.decode()
    assert "5566" not in body and "pbkdf2" not in body
    stored = Change.objects.get(kind="staff.pin_reset").payload["pin_hash"]
    assert pins.pin_matches(store="S001", pin="5566", encoded=stored)


def test_an_order_lists_its_refunds_whose_receipts_open_reprinted_and_in_english(register_client):
    sale = place(register_client, "take_out", [{"sku": "BEER", "qty": 2}], [{"method": "cash", "amount": 1100}])
    assert sale["refunds"] == []
    refund_id = str(uuid.uuid4())
    given = post(register_client, f"/api/orders/{sale['id']}/refunds",
                 {"id": refund_id, "manager_pin": MANAGER_PIN, "reason": "こぼれた", "lines": [{"position": 0, "qty": 1}]})
    assert given.status_code == 201, given.content

    [listed] = register_client.get("/api/orders?limit=5").json()["items"]
    assert [(r["id"], r["amount"]) for r in listed["refunds"]] == [(refund_id, 550)]
    assert register_client.get(f"/api/orders/{sale['id']}").json()["refunds"] == listed["refunds"]

    page = register_client.get(f"/register/receipt/{sale['id']}/?refund={refund_id}").content.decode()
    assert "返金明細書" in page and "-¥550" in page and 'data-kind="refund"' in page and "receipt-copy" not in page
    reprint = register_client.get(f"/register/receipt/{sale['id']}/?refund={refund_id}&copy=1&lang=en").content.decode()
    assert "Refund receipt" in reprint and 'lang="en"' in reprint and 'data-testid="receipt-copy"' in reprint
    assert "返金明細書" not in reprint
