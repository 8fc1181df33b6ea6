"""HQ scaled out: two daphne workers on one PostgreSQL and Redis behind HAProxy
(deploy/hq/haproxy.cfg), five stores pushing at once. Every change is applied
once, every store's report at HQ is the store's own, and each alert reaches the
managers' phone once, although two processes run the alerts worker: both
daphne workers, or (split, as deploy/systemd runs HQ) two ``manage.py
run_workers`` processes beside daphne workers that only serve."""

from __future__ import annotations

import shutil
import threading
import time

import pytest

from tests.hq_load import BUSINESS_DATE, Proxy, SimStore, haproxy_path, push
from tests.nodes import Node, free_port
from tests.personas import ci
from tests.push_endpoint import PushEndpoint
from tests.test_replication_hq import throwaway_postgres

pytestmark = [pytest.mark.nodes, pytest.mark.postgres, pytest.mark.redis]

STORES = ["S001", "S002", "S003", "S004", "S005"]
SILENT = {"S004", "S005"}  # these stop pushing: HQ must alert once for each


def key_of(store: str) -> str:
    return f"scale-key-{store}"


@pytest.fixture(params=["in each worker", "split"])
def cluster(request, tmp_path, redis_url):
    split = request.param == "split"
    if haproxy_path() is None:
        if ci():
            pytest.fail("haproxy is not installed and CI=true (bin/test installs it)")
        pytest.skip("haproxy is not installed")
    with throwaway_postgres() as url:
        common = {"POS_ROLE": "hq", "POS_STORE": "S001", "POS_SYNC_KEY": key_of("S001"), "DATABASE_URL": url,
                  "REDIS_URL": redis_url, "POS_STORE_SILENT_AFTER": "8", "ASGI_THREADS": "8"}
        serving = {**common, "POS_WORKERS_ONCE": "0"} if split else common
        workers = [Node(tmp_path / f"hq{i}", name=f"hq{i}", **serving) for i in (1, 2)]
        background = [Node(tmp_path / f"hqw{i}", name=f"hqw{i}", **common) for i in (1, 2)] if split else []
        first = workers[0].setup()
        first.manage("shell", "-c", "from django.core.management import call_command\n"
                     f"for store in {STORES[1:]!r}:\n"
                     "    call_command('add_store', store, '--key', 'scale-key-' + store)\n"
                     "call_command('vapid_keys')")
        # One VAPID key and one HQ signing key for HQ, whichever worker pushes or signs.
        for other in ("hq2", *(node.name for node in background)):
            shutil.copytree(tmp_path / "hq1" / "vapid", tmp_path / other / "vapid")
            shutil.copy(tmp_path / "hq1" / "hq_signing_key", tmp_path / other / "hq_signing_key")
        proxy = Proxy(port=free_port(), workers=[w.url.removeprefix("http://") for w in workers], log=tmp_path / "haproxy.log")
        running = []
        try:
            running = [node.spawn("run_workers") for node in background]
            for node in background:  # connected before the serving workers first look for it
                deadline = time.monotonic() + 60
                while "running " not in node.log.read_text() and time.monotonic() < deadline:
                    assert all(proc.poll() is None for proc in running), node.log.read_text()[-2000:]
                    time.sleep(0.2)
            for w in workers:
                w.start()
            yield workers, proxy.start()
            if split:
                # The alerts came from the run_workers processes: the serving workers never started one.
                assert all("started worker alerts" in node.log.read_text() for node in background)
                assert not any("started worker alerts" in w.log.read_text() for w in workers)
                assert all("started worker channel-layer-check" in w.log.read_text() for w in workers)
                # And they see it running: their health has no "background workers missing".
                for w in workers:
                    assert "background_workers_missing" not in {r["code"] for r in w.get("/api/health")["reasons"]}
        finally:
            proxy.stop()
            for w in workers:
                w.stop()
            for proc in running:
                proc.terminate()
                proc.wait(30)


def test_two_workers_apply_every_change_once_and_alert_once(cluster):
    (hq1, hq2), proxy = cluster
    token = hq1.manage("analyst_token", "analyst-1").strip().splitlines()[-1]
    stores = [SimStore(code, key_of(code)) for code in STORES]
    with PushEndpoint() as phone:
        hq1.manage("shell", "-c", "from hq.services import subscription_save\n"
                   f"subscription_save(subscription={phone.subscription!r}, store='', language='en')")
        failures: list = []
        active = [s for s in stores if s.store not in SILENT]
        done = threading.Event()

        def heartbeat() -> None:
            # The active stores keep calling HQ all along, as their sync-hq worker does.
            while not done.is_set():
                for store in active:
                    push(proxy.url, [], store=store.store, key=store.key, node=store.node, timeout=30)
                done.wait(1)

        beating = threading.Thread(target=heartbeat, daemon=True)
        beating.start()

        def run(store: SimStore) -> None:
            # Ten uploads of three sales each; every other one is sent twice
            # (a store that did not get the answer sends it again).
            for i in range(10 if store.store not in SILENT else 2):
                batch = [c for _ in range(3) for c in store.sale(price=100 + 10 * i)]
                for _ in range(2 if i % 2 else 1):
                    status, answer = store.push(proxy.url, batch, timeout=60)
                    if status != 200:
                        failures.append((store.store, status, answer))

        threads = [threading.Thread(target=run, args=(s,)) for s in stores]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        assert not failures, failures[:3]
        # Both workers took uploads.
        assert set().union(*(s.served_by for s in stores)) == {"hq1", "hq2"}

        for store in stores:
            answer = hq1.get(f"/api/reports/sales?store={store.store}&business_date={BUSINESS_DATE}", token=token)
            assert (answer["orders"], answer["total"]) == (store.orders, store.total), store.store
            assert hq2.get(f"/api/reports/sales?store={store.store}&business_date={BUSINESS_DATE}", token=token)["total"] == store.total
        counts = hq1.manage("shell", "-c", "from sync.models import Change, VectorEntry\n"
                            f"for o in {[s.origin for s in stores]!r}:\n"
                            "    print(o, Change.objects.filter(origin=o).count(), VectorEntry.objects.get(pk=o).seq)")
        rows = [line.split() for line in counts.strip().splitlines() if line.startswith(tuple(STORES))]
        held = {origin: (int(count), int(seq)) for origin, count, seq in rows}
        assert held == {s.origin: (s.seq, s.seq) for s in stores}

        # The silent stores: both processes' alerts workers see them (every 15 s);
        # the managers' phone gets one alert per store.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len({m["data"]["store"] for m in phone.messages}) < len(SILENT):
            time.sleep(0.5)
        time.sleep(20)  # at least one more tick of each worker
        done.set()
        beating.join(30)
        offline = [m["data"]["store"] for m in phone.messages if m["data"]["kind"] == "store_offline"]
        assert sorted(offline) == sorted(SILENT), [m["title"] for m in phone.messages]
