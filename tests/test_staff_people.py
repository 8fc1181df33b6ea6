"""People from HQ: staff are master data (staff.set, HQ-signed, one store at a
time), PINs are salted slow hashes checked on the node, a manager resets a
cashier's PIN at the store with who and why, roles decide who may open the
register, and the demo's PINs exist only in demo mode."""

from __future__ import annotations

import io
import json
import time

import pytest
from django.core.management import call_command

from stores import pins
from stores.models import Staff, Store
from stores.selectors import staff_with_pin
from sync.models import Change
from sync.replication import ChangeRefused, changes_apply
from tests.money import CASHIER_PIN, MANAGER_PIN, post
from tests.replication_fixtures import RemoteOrigin

pytestmark = pytest.mark.django_db

HQ_FOR_S001 = "hq:S001:hq1.0ab5c0de"


def login(client, pin: str):
    return client.post("/api/staff/login", {"pin": pin}, content_type="application/json")


def staff_set(code: str, *, pin: str | None = "4821", role: str = "cashier", active: bool = True, name: str = "高橋 新") -> dict:
    payload = {"code": code, "name": name, "role": role, "active": active, "by": "hqadmin", "at": "2026-11-29T01:00:00+00:00"}
    if pin is not None:
        payload["pin_hash"] = pins.pin_make(pin)
    return payload


def test_hq_admin_makes_a_cashier_for_two_stores_each_gets_only_its_change_and_the_pin_is_never_shown(
    settings, demo, admin_client
):
    settings.POS_ROLE = "hq"
    Store.objects.create(code="S002", name="二号店")
    before = Change.objects.count()
    response = admin_client.post("/admin/stores/staff/add/", {
        "name": "高橋 新", "role": "cashier", "stores": ["S001", "S002"], "pin": "4821", "active": "on", "_save": "1",
    })
    assert response.status_code == 302, response.content[:2000]
    changes = list(Change.objects.filter(kind="staff.set").order_by("store"))
    assert len(changes) == Change.objects.count() - before == 2
    assert [(c.store, c.origin.split(":")[:2]) for c in changes] == [("S001", ["hq", "S001"]), ("S002", ["hq", "S002"])]
    for change in changes:
        assert change.payload["pin_hash"].startswith("pin_pbkdf2_sha256$") and "4821" not in json.dumps(change.payload)
    rows = Staff.objects.filter(code=changes[0].payload["code"])
    assert sorted(rows.values_list("store", flat=True)) == ["S001", "S002"]
    assert staff_with_pin(store="S002", pin="4821") is not None
    page = admin_client.get(f"/admin/stores/staff/{rows[0].pk}/change/")
    assert page.status_code == 200 and b"4821" not in page.content and b"pin_pbkdf2" not in page.content

    taken = admin_client.post("/admin/stores/staff/add/", {
        "name": "別人", "role": "cashier", "stores": ["S002"], "pin": "4821", "active": "on", "_save": "1",
    })
    assert taken.status_code == 200 and "already someone else" in taken.content.decode()
    assert Staff.objects.filter(name="別人").count() == 0


def test_the_same_pin_is_hashed_with_a_fresh_salt_each_time():
    first, second = pins.pin_make("4821"), pins.pin_make("4821")
    assert first != second
    assert pins.pin_matches(store="S001", pin="4821", encoded=first) and not pins.pin_matches(store="S001", pin="4822", encoded=first)
    with pytest.raises(pins.BadPin):
        pins.pin_make("12a4")


def test_a_cashier_from_hq_opens_the_register_until_hq_deactivates_them(register_client):
    hq = RemoteOrigin(HQ_FOR_S001)
    changes_apply(wires=[hq.change("staff.set", staff_set("p-4821"))], peer_store="S001")
    opened = login(register_client, "4821")
    assert opened.status_code == 200 and opened.json()["role"] == "cashier"

    deactivated = hq.change("staff.set", staff_set("p-4821", pin=None, active=False))
    older = RemoteOrigin(HQ_FOR_S001.replace("0ab5c0de", "0ab5c0df"), wall_ms=int(time.time() * 1000) - 60_000)
    changes_apply(wires=[deactivated], peer_store="S001")
    changes_apply(wires=[older.change("staff.set", staff_set("p-4821", pin="4821"))], peer_store="S001")  # late and older
    assert login(register_client, "4821").status_code == 403


def test_staff_from_anyone_but_hq_is_refused(register_client):
    forger = RemoteOrigin("S001:node9.0badf00d")
    with pytest.raises(ChangeRefused, match="only by HQ"):
        changes_apply(wires=[forger.change("staff.set", staff_set("p-forged", pin="7777", role="manager"))], peer_store="S001")
    unsigned = RemoteOrigin(HQ_FOR_S001, hq_signed=False)  # held back until HQ vouches for it, never applied
    held = changes_apply(wires=[unsigned.change("staff.set", staff_set("p-forged", pin="7777", role="manager"))], peer_store="S001")
    assert held.applied == 0 and not Staff.objects.filter(code="p-forged").exists()
    assert login(register_client, "7777").status_code == 403


def test_kitchen_staff_cannot_open_the_register(register_client):
    changes_apply(wires=[RemoteOrigin(HQ_FOR_S001).change("staff.set", staff_set("p-kitchen", pin="3131", role="kitchen"))],
                  peer_store="S001")
    refused = login(register_client, "3131")
    assert refused.status_code == 403 and "cannot sell" in refused.json()["detail"]


def test_a_manager_resets_a_cashiers_pin_at_the_store_with_who_and_why(register_client):
    url = "/api/staff/demo-cashier/pin"
    assert post(register_client, url, {"pin": "5566", "manager_pin": CASHIER_PIN, "reason": "forgot"}).status_code == 403
    assert post(register_client, url, {"pin": MANAGER_PIN, "manager_pin": MANAGER_PIN, "reason": "x"}).status_code == 422
    assert post(register_client, "/api/staff/demo-manager/pin",
                {"pin": "5566", "manager_pin": MANAGER_PIN, "reason": "x"}).status_code == 422  # a manager's: at HQ
    assert not Change.objects.filter(kind="staff.pin_reset").exists()

    reset = post(register_client, url, {"pin": "5566", "manager_pin": MANAGER_PIN, "reason": "忘れた"})
    assert reset.status_code == 200, reset.content
    assert reset.json()["pin_set_by"] == "佐藤 健" and reset.json()["pin_set_reason"] == "忘れた"
    assert login(register_client, CASHIER_PIN).status_code == 403
    assert login(register_client, "5566").json()["name"] == "山田 花子"
    change = Change.objects.get(kind="staff.pin_reset")
    assert (change.store, change.payload["by"], change.payload["reason"]) == ("S001", "佐藤 健", "忘れた")
    assert "5566" not in json.dumps(change.payload)
    listed = {row["code"]: row for row in register_client.get("/api/staff").json()}
    assert listed["demo-cashier"]["pin_set_reason"] == "忘れた" and "pin_hash" not in listed["demo-cashier"]


def test_a_sibling_reset_that_comes_before_hqs_record_of_the_person_waits_for_it(register_client):
    hq, sibling = RemoteOrigin(HQ_FOR_S001), RemoteOrigin("S001:node2.0c0ffee0", wall_ms=int(time.time() * 1000))
    person = hq.change("staff.set", staff_set("p-early", pin="4821"))
    reset = sibling.change("staff.pin_reset", {"code": "p-early", "pin_hash": pins.pin_make("6060"), "by": "店長",
                                               "reason": "forgot", "at": "2026-11-29T02:00:00+00:00"})
    changes_apply(wires=[reset], peer_store="S001")
    assert login(register_client, "6060").status_code == 403
    changes_apply(wires=[person], peer_store="S001")
    # HQ's record is older than the reset: the reset's PIN stands.
    assert login(register_client, "6060").status_code == 200 and login(register_client, "4821").status_code == 403


def test_with_pos_demo_off_seed_demo_makes_no_demo_pins_and_removes_old_ones(settings, demo):
    assert staff_with_pin(store="S001", pin=CASHIER_PIN) is not None  # seeded in demo mode
    settings.POS_DEMO = False
    assert staff_with_pin(store="S001", pin=CASHIER_PIN) is None  # refused even before seeding again
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "0 staff" in out.getvalue()
    assert not Staff.objects.exists()
    assert staff_with_pin(store="S001", pin=MANAGER_PIN) is None


def test_store_inits_first_manager_opens_the_store_until_hqs_staff_arrive(register_client):
    Staff.objects.create(store="S001", code="init-0001", name="初代 店長", role="manager", pin_hash=pins.pin_make("2580"))
    assert login(register_client, "2580").json()["role"] == "manager"
    changes_apply(wires=[RemoteOrigin(HQ_FOR_S001).change("staff.set", staff_set("p-hq"))], peer_store="S001")
    assert login(register_client, "2580").status_code == 403


def test_checking_a_pin_among_many_staff_stays_fast(register_client):
    hq = RemoteOrigin(HQ_FOR_S001)
    changes_apply(wires=[hq.change("staff.set", staff_set(f"p-{n}", pin=f"{7000 + n}")) for n in range(20)],
                  peer_store="S001")
    started = time.monotonic()
    assert login(register_client, "7019").status_code == 200  # the last of 22 to be tried
    first = time.monotonic() - started
    started = time.monotonic()
    assert login(register_client, "7019").status_code == 200
    again = time.monotonic() - started
    assert first < 5 and again < first


@pytest.mark.parametrize(("language", "words"), [
    ("en", "Read only at this store node: this is authored at HQ"),
    ("ja", "この店舗ノードでは読み取り専用です"),
])
def test_a_store_admin_says_why_hq_data_is_read_only(settings, demo, admin_client, language, words):
    settings.POS_ROLE = "store"
    for path in ("/admin/stores/staff/", "/admin/menu/menuitem/"):
        page = admin_client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200 and words in page.content.decode(), path
    cashier = Staff.objects.get(code="demo-cashier")
    page = admin_client.get(f"/admin/stores/staff/{cashier.pk}/change/", HTTP_ACCEPT_LANGUAGE=language)
    assert words in page.content.decode() and b'name="_save"' not in page.content


def test_hq_deactivates_someone_at_every_store_from_the_staff_list(settings, demo, admin_client):
    settings.POS_ROLE = "hq"
    cashier = Staff.objects.get(code="demo-cashier")
    response = admin_client.post("/admin/stores/staff/", {"action": "deactivate", "_selected_action": [cashier.pk]})
    assert response.status_code == 302
    assert not Staff.objects.get(pk=cashier.pk).active
    last = Change.objects.filter(kind="staff.set").latest("hlc")
    assert last.payload["code"] == "demo-cashier" and last.payload["active"] is False and "pin_hash" not in last.payload
    assert staff_with_pin(store="S001", pin=CASHIER_PIN) is None


def test_hq_sees_who_reset_a_pin_at_the_store_and_why(settings, demo, admin_client):
    settings.POS_ROLE = "hq"
    added = admin_client.post("/admin/stores/staff/add/", {
        "name": NAME_AT_HQ, "role": "cashier", "stores": ["S001"], "pin": "4821", "active": "on", "_save": "1",
    })
    assert added.status_code == 302
    code = Staff.objects.get(name=NAME_AT_HQ).code
    store_node = RemoteOrigin("S001:node1.0abcdef0", wall_ms=int(time.time() * 1000) + 1000)
    reset = store_node.change("staff.pin_reset", {"code": code, "pin_hash": pins.pin_make("6060"), "by": "佐藤 健",
                                                  "reason": "PIN を忘れた", "at": "2026-11-29T02:00:00+00:00"})
    changes_apply(wires=[reset], peer_store="S001")
    row = Staff.objects.get(code=code, store="S001")
    assert (row.pin_set_by, row.pin_set_reason) == ("佐藤 健", "PIN を忘れた")
    page = admin_client.get(f"/admin/stores/staff/{row.pk}/change/").content.decode()
    assert "佐藤 健" in page and "PIN を忘れた" in page
    # HQ renaming the cashier later keeps the store's reset PIN.
    renamed = admin_client.post(f"/admin/stores/staff/{row.pk}/change/", {
        "name": "高橋 新二", "role": "cashier", "stores": ["S001"], "pin": "", "active": "on", "_save": "1",
    })
    assert renamed.status_code == 302
    cashier = staff_with_pin(store="S001", pin="6060")
    assert cashier is not None and cashier.name == "高橋 新二"


NAME_AT_HQ = "高橋 新"
