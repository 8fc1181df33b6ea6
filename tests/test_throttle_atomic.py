"""The PIN and pairing budgets hold under a parallel burst, and a sibling can ask
this node to decide (``/api/sync/decide``): PIN attempts and money on an order."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import override_settings

from registers import staff
from registers.models import Refund
from security import pairing
from security.models import Attempt
from tests.money import CASHIER_PIN, MANAGER_PIN, place, post
from tests.nodes import Node
from tests.replication_fixtures import signed_post

pytestmark = pytest.mark.django_db


# Threads need the node's real database: the test database is SQLite in memory
# with a shared cache, where a writer that finds the table busy fails at once
# instead of waiting its turn as the node's WAL file makes it.
BURST = """
import json, threading
from django.db import connection
from registers import staff
from security import pairing

def in_threads(job, count):
    results, start = [None] * count, threading.Barrier(count)
    def run(i):
        start.wait()
        try:
            results[i] = type(job()).__name__
        except Exception as exc:
            results[i] = type(exc).__name__
        finally:
            connection.close()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results

pins = in_threads(lambda: staff.staff_by_pin(pin="0000"), 40)
codes = in_threads(lambda: pairing.device_pair(code="WRONG234"), 25)
print(json.dumps({"pins": pins, "codes": codes}))
"""


@pytest.fixture(scope="module")
def burst(tmp_path_factory) -> dict:
    node = Node(tmp_path_factory.mktemp("burst"), name="burst", POS_STORE="S001", POS_WORKERS="0").setup()
    return json.loads(node.manage("shell", "-c", BURST, timeout=120).strip().splitlines()[-1])


def test_forty_parallel_wrong_pins_get_ten_checks_and_the_rest_are_refused(burst):
    assert burst["pins"].count("NoneType") == staff.MAX_PIN_FAILURES, burst["pins"]
    assert burst["pins"].count("TooManyPins") == 40 - staff.MAX_PIN_FAILURES, burst["pins"]


def test_parallel_wrong_pairing_codes_get_ten_checks(burst):
    assert burst["codes"].count("PairingRefused") == pairing.MAX_PAIR_FAILURES, burst["codes"]
    assert burst["codes"].count("Throttled") == 25 - pairing.MAX_PAIR_FAILURES, burst["codes"]


def test_right_pins_do_not_spend_the_budget(demo):
    for _ in range(3 * staff.MAX_PIN_FAILURES):
        assert staff.staff_by_pin(pin=CASHIER_PIN) is not None
    for _ in range(staff.MAX_PIN_FAILURES):
        assert staff.staff_by_pin(pin="0000") is None
    with pytest.raises(staff.TooManyPins) as locked:
        staff.staff_by_pin(pin=MANAGER_PIN)
    assert "wait 5 minutes" in str(locked.value)


def test_the_lockout_is_in_the_database_and_says_when_it_ends(register_client):
    for _ in range(staff.MAX_PIN_FAILURES):
        assert post(register_client, "/api/staff/login", {"pin": "0000"}).status_code == 403
    assert Attempt.objects.filter(scope="pin", key="S001").count() == staff.MAX_PIN_FAILURES
    locked = post(register_client, "/api/staff/login", {"pin": CASHIER_PIN})
    assert locked.status_code == 429, locked.content


def test_a_sibling_reserves_pin_attempts_in_this_nodes_budget(client, register_client):
    for _ in range(staff.MAX_PIN_FAILURES):
        response, _ = signed_post(client, "/api/sync/decide", {"op": "throttle.reserve", "args": {"scope": "pin"}})
        assert response.status_code == 200 and response.json()["status"] == 201, response.content
    response, _ = signed_post(client, "/api/sync/decide", {"op": "throttle.reserve", "args": {"scope": "pin"}})
    assert response.json()["status"] == 429 and "wait" in response.json()["body"]["detail"]
    assert post(register_client, "/api/staff/login", {"pin": CASHIER_PIN}).status_code == 429


def test_a_sibling_cannot_touch_other_budgets_or_unknown_operations(client, demo):
    response, _ = signed_post(client, "/api/sync/decide", {"op": "throttle.reserve", "args": {"scope": "admin"}})
    assert response.json()["status"] == 422
    response, _ = signed_post(client, "/api/sync/decide", {"op": "order.drop_all", "args": {}})
    assert response.status_code == 422 and "unknown operation" in response.json()["detail"]
    response, _ = signed_post(client, "/api/sync/decide", {"op": ["x"], "args": 3})
    assert response.status_code == 422


def test_deciding_needs_the_store_key(client, demo):
    anonymous = client.post("/api/sync/decide", data={"op": "hello"}, content_type="application/json")
    assert anonymous.status_code == 401
    response, _ = signed_post(client, "/api/sync/decide", {"op": "hello", "args": {}}, key="guessed-key")
    assert response.status_code == 401


@override_settings(POS_ROLE="hq")
def test_hq_decides_for_no_store(client, demo):
    from stores.models import Store

    Store.objects.filter(code="S001").update(sync_key="demo-sync-key")
    response, _ = signed_post(client, "/api/sync/decide", {"op": "hello", "args": {}}, key="demo-sync-key")
    assert response.status_code == 403, response.content


def test_a_refund_forwarded_by_a_sibling_is_decided_once(client, register_client):
    sale = place(register_client, "take_out", [{"sku": "GYUDON", "qty": 1, "modifiers": ["size_nami"]}],
                 [{"method": "cash", "amount": 1000}])

    def refund(refund_id: uuid.UUID):
        body = {"id": str(refund_id), "manager_pin": MANAGER_PIN, "reason": "cold", "lines": None, "method": None,
                "register": ""}
        response, _ = signed_post(client, "/api/sync/decide", {
            "op": "money.refund", "args": {"order_id": sale["id"], "body": body, "register": "register-2"}})
        assert response.status_code == 200, response.content
        return response.json()

    first_id = uuid.uuid4()
    first = refund(first_id)
    assert first["status"] == 201 and first["body"]["amount"] == sale["total"], first
    assert refund(first_id)["status"] == 200  # the register's outbox retrying: the same refund, nothing new
    second = refund(uuid.uuid4())
    assert second["status"] == 409 and "already fully refunded" in second["body"]["detail"]
    assert Refund.objects.filter(order_id=sale["id"]).count() == 1
    assert Refund.objects.get().register == "register-2"


def test_a_forwarded_refund_with_a_bad_body_is_a_422_for_the_register(client, register_client):
    response, _ = signed_post(client, "/api/sync/decide", {
        "op": "money.refund", "args": {"order_id": str(uuid.uuid4()), "body": {"reason": 3}}})
    assert response.status_code == 200 and response.json()["status"] == 422
    response, _ = signed_post(client, "/api/sync/decide", {
        "op": "money.void", "args": {"order_id": "not-a-uuid", "body": {"manager_pin": MANAGER_PIN, "reason": "x"}}})
    assert response.json()["status"] == 422
