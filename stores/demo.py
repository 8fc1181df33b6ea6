"""The demo store: its row, staff and devices (``manage.py seed_demo``), and the demo
devices' tokens, so a fresh clone can sell without pairing."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from stores import pins
from stores.events import Role
from stores.models import Device, Staff, Store, Table, token_digest
from stores.selectors import DEMO_CODE_PREFIX
from stores.services import staff_save

DEMO_DEVICE = "register-1"
DEMO_KITCHEN = "kitchen-1"


def demo_token() -> str:
    """POS_DEMO_TOKEN when set; otherwise derived from SECRET_KEY, so it is stable per install and never committed."""
    if settings.POS_DEMO_TOKEN:
        return settings.POS_DEMO_TOKEN
    return hmac.new(settings.SECRET_KEY.encode(), b"posweb demo register", hashlib.sha256).hexdigest()[:32]


def demo_kitchen_token() -> str:
    """The demo kitchen screen's token: derived like the register's, never committed."""
    seed = settings.POS_DEMO_TOKEN or settings.SECRET_KEY
    return hmac.new(seed.encode(), b"posweb demo kitchen", hashlib.sha256).hexdigest()[:32]


def demo_screen_token() -> str | None:
    """The demo kitchen device's token for a store screen page (kitchen, kiosk,
    status board), in demo mode only and while that device is not revoked; a
    real store pairs each screen at /pair/. Never at HQ: the demo screen belongs
    to one store, and HQ would hand its token to any visitor."""
    if not settings.POS_DEMO or settings.POS_ROLE == "hq":
        return None
    token = demo_kitchen_token()
    if Device.objects.filter(token_hash=token_digest(token), revoked_at__isnull=True).exists():
        return token
    return None


# A made-up registration number with a valid check digit, for the demo receipt.
DEMO_INVOICE_NUMBER = "T7123456789012"

STAFF: list[tuple[str, str, Role, str]] = [("demo-cashier", "山田 花子", "cashier", "1234"), ("demo-manager", "佐藤 健", "manager", "9999")]


def demo_store_seed(*, sync_key: str | None = None) -> Store:
    """Write this node's demo store (with ``sync_key`` when given: HQ's copy), its staff and
    its demo register and kitchen devices. Idempotent."""
    store, _ = Store.objects.update_or_create(
        code=settings.POS_STORE,
        defaults={"name": "ぽすうぇぶ 渋谷店", "name_en": "posweb Shibuya", "time_zone": "Asia/Tokyo",
                  "invoice_number": DEMO_INVOICE_NUMBER},
    )
    if sync_key is not None:
        store.sync_key = sync_key
        store.save(update_fields=["sync_key"])
    demo_staff_seed(store=store.code)
    for name, kind, token in ((DEMO_DEVICE, "register", demo_token()), (DEMO_KITCHEN, "kitchen", demo_kitchen_token())):
        # A rotated demo token replaces the row; the same token keeps it, so
        # seeding again never brings back a revoked demo device.
        Device.objects.filter(store=store.code, name=name).exclude(token_hash=token_digest(token)).delete()
        Device.objects.get_or_create(token_hash=token_digest(token), defaults={"store": store.code, "name": name, "kind": kind})
    return store


def demo_staff_seed(*, store: str) -> int:
    """The demo cashier (PIN 1234) and manager (9999), in demo mode only; with
    POS_DEMO=0 the demo people this node holds are removed instead. At HQ they
    are master data like any staff (``staff.set`` to the demo store); at a
    store they are written here, and HQ's record of them, when it comes,
    replaces the local one (same codes). Returns how many were written."""
    if not settings.POS_DEMO:
        Staff.objects.filter(code__startswith=DEMO_CODE_PREFIX, origin="").delete()
        return 0
    written = 0
    for code, name, role, pin in STAFF:
        row = Staff.objects.filter(store=store, code=code).first()
        if row is not None and pins.pin_matches(store=store, pin=pin, encoded=row.pin_hash):
            continue  # idempotent: no new hash, no new change, for a person already there
        if settings.POS_ROLE == "hq":
            staff_save(code=code, name=name, role=role, stores=[store], active=True, pin=pin, by="seed_demo")
        else:
            Staff.objects.update_or_create(
                store=store, code=code, defaults={"name": name, "role": role, "active": True, "pin_hash": pins.pin_make(pin)}
            )
        written += 1
    return written


# The demo floor: 16 tables in two areas (T1..T12 in the hall, T13..T16 at the counter).
DEMO_TABLES = [(f"T{n}", "ホール" if n <= 12 else "カウンター", 4 if n <= 12 else 2) for n in range(1, 17)]


def demo_floor_seed() -> int:
    """Write this node's demo store's tables (HQ publishes them with the rest). Idempotent."""
    for position, (table, area, seats) in enumerate(DEMO_TABLES):
        Table.objects.update_or_create(
            code=Table.code_for(settings.POS_STORE, table),
            defaults={"store": settings.POS_STORE, "table": table, "area": area, "seats": seats, "position": position},
        )
    return len(DEMO_TABLES)
