"""Simulated stores pushing signed batches to a real HQ over /api/sync/push,
for the HQ scale-out tests and bench/hq_ingest.py.

A ``SimStore`` is one store node as HQ sees it: its own origin (named with its
store code, so HQ binds it to that store), gap-free seqs, a hash chain, and
orders (placed, then paid) whose totals it keeps, so HQ's report of the store
can be compared with the store's own.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from pathlib import Path

from sync import auth
from sync.clock import pack
from sync.models import Change
from sync.services import change_digest

BUSINESS_DATE = "2026-11-23"


def push(url: str, changes: list[dict[str, Any]], *, store: str, key: str, node: str, timeout: float = 30) -> tuple[int, Any, str]:
    """POST a signed batch to ``url``/api/sync/push; (HTTP status, JSON answer,
    the HQ worker that answered as HAProxy names it, "" without the proxy)."""
    path = "/api/sync/push"
    raw = json.dumps({"changes": changes, "vector": {}}).encode()
    signed = auth.sign_request(key=key, method="POST", path=path, store=store, node=node, body=raw)
    request = urllib.request.Request(url + path, data=raw, method="POST", headers={"Content-Type": "application/json", **signed.headers()})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null"), response.headers.get("X-HQ-Worker", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")[:500], exc.headers.get("X-HQ-Worker", "")


@dataclass
class SimStore:
    """One store's node as HQ sees it: what it recorded, in order, and its own totals."""

    store: str
    key: str
    node: str = "node1"
    origin: str = ""
    seq: int = 0
    digest: str = ""
    wall_ms: int = field(default_factory=lambda: int(time.time() * 1000) - 30_000)
    orders: int = 0
    total: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)  # every change it recorded, in seq order
    recorded_ms: dict[int, float] = field(default_factory=dict)  # seq -> when recorded (monotonic ms), for lag
    served_by: set[str] = field(default_factory=set)  # HQ workers that answered its pushes (behind the proxy)

    def __post_init__(self) -> None:
        self.origin = self.origin or f"{self.store}:{self.node}.{uuid.uuid4().hex[:8]}"

    def _change(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        self.wall_ms += 1
        c = Change(id=uuid.uuid4(), origin=self.origin, seq=self.seq, store=self.store, kind=kind,
                   hlc=pack(self.wall_ms, 0), payload=payload, prev_digest=self.digest)
        c.digest = change_digest(c)
        self.digest = c.digest
        wire = c.as_wire()
        self.log.append(wire)
        self.recorded_ms[self.seq] = time.monotonic() * 1000
        return wire

    def sale(self, *, price: int = 250, qty: int = 1) -> list[dict[str, Any]]:
        """Record one paid order (two changes), as the store's registers would."""
        order_id = uuid.uuid4()
        self.orders += 1
        amount = price * qty
        self.total += amount
        at = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
        placed = {
            "id": str(order_id), "number": self.orders, "business_date": BUSINESS_DATE, "register": "register-1",
            "dining": "eat_in", "placed_at": at.isoformat(), "request_hash": "h" * 64, "total": amount,
            "taxes": [{"rate": 10, "taxable": amount, "tax": amount * 10 // 110}],
            "lines": [{
                "position": 0, "sku": "FRIES", "name_ja": "ポテト", "name_en": "Fries", "qty": qty, "unit_price": price,
                "modifiers": [], "amount": amount, "tax_class": "food", "tax_rate": 10, "station": "fryer",
            }],
        }
        paid = {
            "order": str(order_id), "at": (at + dt.timedelta(seconds=1)).isoformat(),
            "payments": [{"id": str(uuid.uuid5(order_id, "payment:0")), "position": 0, "method": "cash",
                          "amount": amount, "tendered": amount, "change": 0, "reference": ""}],
        }
        return [self._change("order.placed", placed), self._change("order.paid", paid)]

    def push(self, url: str, changes: list[dict[str, Any]], *, timeout: float = 30) -> tuple[int, Any]:
        status, answer, worker = push(url, changes, store=self.store, key=self.key, node=self.node, timeout=timeout)
        if worker:
            self.served_by.add(worker)
        return status, answer


ROOT = Path(__file__).resolve().parent.parent
HAPROXY_CFG = ROOT / "deploy" / "hq" / "haproxy.cfg"


def haproxy_path() -> str | None:
    return shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if Path(p).exists()), None)


class Proxy:
    """HAProxy with deploy/hq/haproxy.cfg in front of HQ's workers (addresses by environment)."""

    def __init__(self, *, port: int, workers: list[str], log: Path) -> None:
        self.port, self.log = port, log
        self.env = {"PATH": "/usr/sbin:/usr/bin:/bin", "HQ_BIND": f"127.0.0.1:{port}"}
        # Unused server lines point at a closed port: their checks fail and they get nothing.
        spare = [f"127.0.0.1:{_closed_port()}"] * 2
        for i, address in enumerate((workers + spare)[:2], start=1):
            self.env[f"HQ_WORKER{i}"] = address
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15) -> Proxy:
        binary = haproxy_path()
        if binary is None:
            raise RuntimeError("haproxy is not installed (apt-get install haproxy)")
        self.proc = subprocess.Popen([binary, "-db", "-f", str(HAPROXY_CFG)], env=self.env,
                                     stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"haproxy exited: {self.log.read_text()[-2000:]}")
            with socket.socket() as s:
                s.settimeout(0.5)
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.1)
        raise TimeoutError(f"haproxy did not listen on {self.port}: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
