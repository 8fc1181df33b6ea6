"""Factories for replication tests: other nodes' changes as they arrive on the wire,
and signed calls to this node's sync endpoints."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from posweb.settings_test import TEST_HQ_SIGNING_KEY
from sync import auth, signing
from sync.clock import pack
from sync.models import Change
from sync.services import change_digest

KEY = "demo-sync-key"


@dataclass
class RemoteOrigin:
    """Another installation: hands out its changes with gap-free seqs and a hash chain."""

    origin: str
    store: str = "S001"
    seq: int = 0
    digest: str = ""
    wall_ms: int = field(default_factory=lambda: int(time.time() * 1000) - 10_000)
    hq_signed: bool = True  # an "hq:" origin's changes carry HQ's signature (False: a forger's)

    def change(self, kind: str, payload: dict[str, Any], *, hlc: int | None = None, store: str | None = None) -> dict[str, Any]:
        self.seq += 1
        self.wall_ms += 1
        c = Change(
            id=uuid.uuid4(), origin=self.origin, seq=self.seq, store=store or self.store, kind=kind,
            hlc=hlc if hlc is not None else pack(self.wall_ms, 0), payload=payload, prev_digest=self.digest,
        )
        c.digest = change_digest(c)
        self.digest = c.digest
        if self.origin.startswith("hq:") and self.hq_signed:
            c.signature = hq_sign(c)
        return c.as_wire()


def hq_sign(change) -> str:
    """HQ's signature with the test HQ key (posweb/settings_test.py), as a real HQ signs."""
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(TEST_HQ_SIGNING_KEY))
    return base64.b64encode(key.sign(signing.message(change_digest(change)))).decode()


def placed(order_id: uuid.UUID, *, number: int, sku: str = "FRIES", price: int = 250, station: str = "fryer") -> dict[str, Any]:
    """An order.placed payload as registers.services records it: one line, eat-in, 10 %."""
    at = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
    return {
        "id": str(order_id), "number": number, "business_date": "2026-11-23", "register": "register-1",
        "dining": "eat_in", "placed_at": at.isoformat(), "request_hash": "h" * 64, "total": price,
        "taxes": [{"rate": 10, "taxable": price, "tax": price * 10 // 110}],
        "lines": [{
            "position": 0, "sku": sku, "name_ja": "ポテト", "name_en": "Fries", "qty": 1, "unit_price": price,
            "modifiers": [], "amount": price, "tax_class": "food", "tax_rate": 10, "station": station,
        }],
    }


def paid(order_id: uuid.UUID, *, amount: int = 250) -> dict[str, Any]:
    return {
        "order": str(order_id), "at": "2026-11-23T12:00:01+00:00",
        "payments": [{"id": str(uuid.uuid5(order_id, "payment:0")), "position": 0, "method": "cash",
                      "amount": amount, "tendered": amount, "change": 0, "reference": ""}],
    }


def ticket_event(order_id: uuid.UUID, station: str = "fryer", *, at: str = "2026-11-23T12:01:00+00:00") -> dict[str, Any]:
    ticket = uuid.uuid5(order_id, f"ticket:{station}")
    return {"ticket": str(ticket), "order": str(order_id), "at": at}


def signed_post(client, path: str, body: dict[str, Any], *, key: str = KEY, store: str = "S001", node: str = "peer-1",
                now: float | None = None, encoding: str = "utf-8"):
    raw = json.dumps(body).encode(encoding)
    signed = auth.sign_request(key=key, method="POST", path=path, store=store, node=node, body=raw, now=now)
    headers = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in signed.headers().items()}
    return client.post(path, data=raw, content_type="application/json", **headers), signed
