"""/api/health says "degraded", with the reasons and the first step to take, and "ok" again once the cause goes."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import uuid
from pathlib import Path

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from registers import services
from registers.journal_health import journal_check
from runtime import health, health_checks
from sync import replication
from sync.models import Change
from sync.peers import Link
from sync.transport import PeerError
from tests.personas import order_body
from tests.replication_fixtures import RemoteOrigin, placed

pytestmark = pytest.mark.django_db

DISK_FULL = "database or disk is full"


@pytest.fixture(autouse=True)
def no_reasons():
    health.reasons_reset()
    yield
    health.reasons_reset()


def reasons(client) -> dict[str, dict]:
    body = client.get("/api/health").json()
    assert body["status"] == ("degraded" if body["reasons"] else "ok")
    return {reason["code"]: reason for reason in body["reasons"]}


def test_a_sound_node_is_ok_with_no_reasons(client, demo):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["reasons"] == []


# 1. Integrity check at start

def corrupted_copy(tmp_path: Path) -> Path:
    """A real SQLite file with a table spread over many pages, then junk written over some of them."""
    good = tmp_path / "good.sqlite3"
    with sqlite3.connect(good) as conn:
        conn.execute("CREATE TABLE sale (id INTEGER PRIMARY KEY, note TEXT)")
        conn.execute("CREATE INDEX sale_note ON sale (note)")
        conn.executemany("INSERT INTO sale (note) VALUES (?)", [(f"sale {i} " * 20,) for i in range(2000)])
    conn.close()
    assert health_checks.sqlite_quick_check(str(good)) == []
    bad = tmp_path / "bad.sqlite3"
    shutil.copy(good, bad)
    page = 4096
    with open(bad, "r+b") as f:
        for n in (3, 10, 40, 100):
            f.seek(n * page)
            f.write(b"\xde\xad\xbe\xef" * (page // 4))
    return bad


def test_a_corrupted_database_file_fails_the_start_check_and_health_says_so(client, demo, tmp_path):
    problems = health_checks.sqlite_quick_check(str(corrupted_copy(tmp_path)))
    assert problems
    health_checks.integrity_record(problems)
    reason = reasons(client)["integrity_check_failed"]
    assert reason["detail"].startswith("起動時のデータベース整合性チェック")
    assert "サポート" in reason["action"] and reason["since"]

    health_checks.integrity_record([])  # the file was restored and the node started again
    assert reasons(client) == {}


def test_the_start_check_runs_once_on_the_nodes_database_file(client, demo, monkeypatch, tmp_path):
    bad = str(corrupted_copy(tmp_path))
    checked: list[str] = []
    real_check = health_checks.sqlite_quick_check
    monkeypatch.setattr(health_checks, "database_file", lambda: bad)
    monkeypatch.setattr(health_checks, "sqlite_quick_check", lambda path: checked.append(path) or real_check(path))
    monkeypatch.setattr(health_checks, "_integrity_done", threading.Event())
    health_checks.integrity_check()
    health_checks.integrity_check()
    assert checked == [bad]
    assert "integrity_check_failed" in reasons(client)


# 2. Write failures (disk full)

def test_an_order_write_failing_with_a_full_disk_degrades_until_an_order_is_written(client, register_client,
                                                                                     monkeypatch):
    real_record = services._record

    def disk_full(jobs):
        raise OperationalError(DISK_FULL)

    monkeypatch.setattr(services, "_record", disk_full)
    for _ in range(2):
        with pytest.raises(OperationalError):
            register_client.post("/api/orders", data=order_body(), content_type="application/json")
    reason = reasons(client)["write_failed"]
    assert "2" in reason["detail"] and DISK_FULL in reason["detail"]
    assert "ディスク" in reason["action"]

    monkeypatch.setattr(services, "_record", real_record)
    response = register_client.post("/api/orders", data=order_body(), content_type="application/json")
    assert response.status_code == 201
    assert reasons(client) == {}


def test_an_error_that_is_not_the_storage_does_not_degrade(client, demo):
    health_checks.write_failed("order", OperationalError("no such column: foo"))
    assert reasons(client) == {}


def test_a_replicated_write_failing_degrades_until_one_applies(client, demo, monkeypatch):
    a = RemoteOrigin("node-a.1")
    real_apply = replication._apply_origin

    def io_error(*args, **kwargs):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(replication, "_apply_origin", io_error)
    wires = [a.change("order.placed", placed(uuid.uuid4(), number=1))]
    with pytest.raises(OperationalError):
        replication.changes_apply(wires=wires, peer_store="S001")
    assert "disk I/O error" in reasons(client)["write_failed"]["detail"]

    monkeypatch.setattr(replication, "_apply_origin", real_apply)
    assert replication.changes_apply(wires=wires, peer_store="S001").applied == 1
    assert reasons(client) == {}


# 3. Channel layer down

class BrokenLayer(InMemoryChannelLayer):
    async def send(self, channel, message):
        raise ConnectionError("Connection refused (redis:6379)")


class SilentLayer(InMemoryChannelLayer):
    async def send(self, channel, message):
        return None  # accepted, never delivered: the receive waits


def test_a_channel_layer_whose_send_fails_is_down_until_it_answers_again(client, demo):
    health_checks.channel_layer_check(BrokenLayer())
    reason = reasons(client)["channel_layer_down"]
    assert "Connection refused" in reason["detail"] and "Redis" in reason["action"]

    health_checks.channel_layer_check(InMemoryChannelLayer())
    assert reasons(client) == {}


def test_a_channel_layer_that_never_answers_is_down_after_a_bounded_wait(client, demo, monkeypatch):
    monkeypatch.setattr(health_checks, "CHANNEL_PING_TIMEOUT_S", 0.2)
    health_checks.channel_layer_check(SilentLayer())
    assert "channel_layer_down" in reasons(client)


def test_without_redis_there_is_nothing_to_ping(client, demo, settings):
    settings.REDIS_URL = ""
    health_checks.channel_layer_check()
    assert reasons(client) == {}


def test_redis_down_with_redis_url_set_is_found_by_the_worker(client, demo, settings):
    from channels_redis.core import RedisChannelLayer

    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    health_checks.channel_layer_check(RedisChannelLayer(hosts=[settings.REDIS_URL], prefix="health-test"))
    assert "channel_layer_down" in reasons(client)


# 4. An upstream refusing our changes

class Upstream:
    """Answers the real PeerClient's requests as a peer would: signed, with ``status``."""

    def __init__(self, status: int, detail: str = "") -> None:
        self.status, self.detail, self.pushed = status, detail, 0

    def __call__(self, path, raw, headers):
        from sync import auth

        body = json.loads(raw)
        self.pushed += len(body.get("changes", []))
        if self.status == 200:
            vector = {c["origin"]: c["seq"] for c in body.get("changes", [])}
            answer = {"vector": vector, "node": "hq", "applied": len(body.get("changes", []))}
        else:
            answer = {"detail": self.detail, "node": "hq"}
        raw_answer = json.dumps(answer).encode()
        signature = auth.sign_response(key=settings.POS_SYNC_KEY, request_signature=headers[auth.H_SIGNATURE],
                                       body=raw_answer)
        return self.status, raw_answer, signature


def hq_link(upstream: Upstream) -> Link:
    link = Link(f"http://hq.invalid:9/{uuid.uuid4().hex[:6]}", kind="hq", push_stores={settings.POS_STORE},
                pull_stores={"*"}, timeout=1)
    link.status.vector = {}
    link.client._send = upstream  # type: ignore[method-assign]
    return link


@pytest.mark.parametrize("status, detail", [(422, "total 3000000000000000 is past MAX_YEN"),
                                            (403, "store S002 may not write order.placed")])
def test_hq_refusing_our_push_is_named_in_health_until_a_push_succeeds(client, register_client, status, detail):
    register_client.post("/api/orders", data=order_body(), content_type="application/json")
    upstream = Upstream(status, detail)
    link = hq_link(upstream)
    link.turn(pull_due=False)
    assert upstream.pushed > 0
    reason = reasons(client)["upstream_refused"]
    assert "本部" in reason["detail"] and link.status.url in reason["detail"]
    assert str(status) in reason["detail"] and detail in reason["detail"]
    assert "ログ" in reason["action"]

    upstream.status = 503  # down is not a change of mind: still refused as far as we know
    link.turn(pull_due=False)
    assert "upstream_refused" in reasons(client)

    upstream.status = 200
    link.turn(pull_due=False)
    assert reasons(client) == {}


def test_an_upstream_that_refuses_our_key_is_a_refusal_too(client, register_client):
    register_client.post("/api/orders", data=order_body(), content_type="application/json")
    link = hq_link(Upstream(401, "the signature does not match"))
    link.turn(pull_due=False)
    assert link.status.state == "unauthorized"
    assert "401" in reasons(client)["upstream_refused"]["detail"]


def test_an_unreachable_upstream_is_down_but_not_refusing(client, register_client):
    register_client.post("/api/orders", data=order_body(), content_type="application/json")
    link = hq_link(Upstream(200))

    def unreachable(*args):
        raise PeerError("http://hq.invalid:9: connection refused")

    link.client._send = unreachable  # type: ignore[method-assign]
    link.turn(pull_due=False)
    assert link.status.state == "down" and reasons(client) == {}


# 5. A broken journal

def test_an_altered_change_breaks_the_journal_until_the_chain_is_intact_again(client, register_client):
    sale = register_client.post("/api/orders", data=order_body(), content_type="application/json").json()
    journal_check()
    assert reasons(client) == {}

    change = Change.objects.get(kind="order.placed", payload__id=sale["id"])
    original = dict(change.payload)
    Change.objects.filter(pk=change.pk).update(payload={**original, "total": 1})
    journal_check()
    reason = reasons(client)["journal_broken"]
    assert "altered" in reason["detail"] and "verify_journal" in reason["action"]

    Change.objects.filter(pk=change.pk).update(payload=original)
    journal_check()
    assert reasons(client) == {}


# Texts

def test_reasons_speak_english_to_an_english_reader(client, demo):
    health_checks.integrity_record(["page 3: junk"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    reason = reasons(client)["integrity_check_failed"]
    assert reason["detail"] == "The database failed its integrity check at start: page 3: junk"
    assert reason["action"].startswith("Stop taking orders on this node")


def test_every_reason_has_its_texts_in_japanese():
    from django.utils import translation

    for code in health.TEXTS:
        reason = health.Reason(code, "", timezone.now(),
                               {"error": "x", "count": 1, "what": "order", "peer": "p", "status": 422,
                                "where": "w", "origin": "o", "held": 1, "seen": 2, "seq": 3, "change": "c"})
        with translation.override("en"):
            en = reason.texts()
        with translation.override("ja"):
            ja = reason.texts()
        assert en[0] != ja[0] and en[1] != ja[1], code


def test_redis_up_with_redis_url_set_is_not_a_reason(client, demo, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                           "CONFIG": {"hosts": [settings.REDIS_URL], "prefix": f"health-{uuid.uuid4().hex}"}}}
    monkeypatch.setattr(health_checks, "_layer", None)
    for _ in range(2):  # the worker's own layer instance and loop, kept between pings
        health_checks.channel_layer_check()
        assert reasons(client) == {}
    assert health_checks._layer is not None and health_checks._layer is not get_channel_layer()


# Alerts

@pytest.fixture
def vapid(settings, tmp_path):
    from django.core.management import call_command

    settings.POS_DATA_DIR = tmp_path
    call_command("vapid_keys", stdout=__import__("io").StringIO())


def test_each_reason_is_pushed_once_when_it_starts_logged_and_cleared_when_it_goes(demo, vapid, caplog):
    from hq.alerts import alerts_check
    from hq.models import Alert
    from hq.services import subscription_save
    from tests.push_endpoint import PushEndpoint

    with PushEndpoint() as phone:
        subscription_save(subscription=phone.subscription, store="S001", language="ja")
        health_checks.write_failed("order", OperationalError(DISK_FULL))
        with caplog.at_level("WARNING", logger="hq.alerts"):
            alerts_check()
            alerts_check()  # still failing: no second push, no second log line
        message = phone.wait_for(1)[0]
        assert message["data"]["kind"] == "health"
        assert "S001" in message["title"] and DISK_FULL in message["title"] and "書き込み" in message["title"]
        assert "ディスク" in message["body"]
        logged = [r.getMessage() for r in caplog.records if "health degraded" in r.getMessage()]
        assert len(logged) == 1 and DISK_FULL in logged[0] and "ディスク" in logged[0]
        assert len(phone.messages) == 1

    alert = Alert.objects.get(kind="health")
    assert alert.key == "health:S001:write_failed" and alert.cleared_at is None
    health_checks.write_succeeded()
    alerts_check()
    alert.refresh_from_db()
    assert alert.cleared_at is not None


def test_an_upstream_that_keeps_holding_our_changes_back_is_refusing_them(client, register_client, monkeypatch):
    from sync import peers

    register_client.post("/api/orders", data=order_body(), content_type="application/json")
    upstream = Upstream(200)
    link = hq_link(upstream)
    answer_of = upstream.__call__

    def holding(path, raw, headers):
        status, _, _ = answer_of(path, raw, headers)
        from sync import auth

        body = json.dumps({"vector": {}, "node": "hq", "applied": 0,
                           "held_back": {"test-node.1": "clock 400 s ahead of this node's"}}).encode()
        return status, body, auth.sign_response(key=settings.POS_SYNC_KEY,
                                                request_signature=headers[auth.H_SIGNATURE], body=body)

    link.client._send = holding  # type: ignore[method-assign]
    link.turn(pull_due=False)
    assert reasons(client) == {}  # a moment's gap is normal
    monkeypatch.setattr(peers, "HELD_REFUSED_AFTER_S", 0.0)
    link.turn(pull_due=False)
    assert "clock 400 s ahead" in reasons(client)["upstream_refused"]["detail"]

    link.client._send = upstream  # type: ignore[method-assign]
    link.turn(pull_due=False)
    assert reasons(client) == {}


def test_an_unsigned_refusal_still_names_its_status(client, register_client):
    register_client.post("/api/orders", data=order_body(), content_type="application/json")
    link = hq_link(Upstream(200))

    def other_stores_node(path, raw, headers):
        return 403, json.dumps({"detail": "this node belongs to store S002, not S001"}).encode(), None

    link.client._send = other_stores_node  # type: ignore[method-assign]
    link.turn(pull_due=False)
    assert "403" in reasons(client)["upstream_refused"]["detail"]
