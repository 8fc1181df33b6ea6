"""Reads about stores."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from stores import pins
from stores.models import Device, Staff, Store
from sync.sql import quoted, values_in


def store_sync_key(store: str) -> str | None:
    """The key the nodes of ``store`` sign sync calls with, as HQ knows it (sync.hooks)."""
    # Every sync call asks (values_in: one statement built once).
    return next((key for (key,) in values_in(Store, ("sync_key",), "code", [store]) if key), None)


# What a caller's device is asked for: everything but when it was made (read if asked).
_DEVICE_FIELDS = ("id", "store", "name", "kind", "token_hash", "revoked_at")


def device_live(token_hash: str) -> Device | None:
    """The device whose token has this digest, unless revoked; at a store node
    only one of this store's (at HQ a device of any store).

    Every authenticated request and socket handshake asks, so it is one
    statement of its own: the ORM spent ten times as long building it (about
    0.3 ms a request) as SQLite took to answer it."""
    columns = ", ".join(quoted(Device, name) for name in _DEVICE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {quoted(Device)}"
            f" WHERE {quoted(Device, 'token_hash')} = %s AND {quoted(Device, 'revoked_at')} IS NULL",
            [token_hash],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    device = Device.from_db(connection.alias, list(_DEVICE_FIELDS), row)
    if settings.POS_ROLE == "store" and device.store != settings.POS_STORE:
        return None
    return device


def devices_live(token_hashes: list[str]) -> set[str]:
    """Of these token digests, the ones whose device may still connect (as
    device_live decides it): open sockets ask, to close
    those of a device revoked since their handshake."""
    devices = Device.objects.filter(token_hash__in=token_hashes, revoked_at__isnull=True)
    if settings.POS_ROLE == "store":
        devices = devices.filter(store=settings.POS_STORE)
    return set(devices.values_list("token_hash", flat=True))


# The demo's people (seed_demo) have codes with this prefix: with POS_DEMO=0
# their PINs open nothing, even on a node seeded in demo mode before.
DEMO_CODE_PREFIX = "demo-"
# The first manager made by store_init at a new node: opens the store until
# HQ's first staff record for it arrives, then no longer.
INIT_CODE_PREFIX = "init-"

# A PIN that matched once, per process: its keyed digest -> (row id, the hash it
# matched), so the next login costs one slow hash instead of one per person.
# Checked against the row's current hash, so a reset or deactivation is seen.
_pin_memo: dict[str, tuple[int, str]] = {}
_PIN_MEMO_MAX = 1000


def _pin_holders(store: str) -> QuerySet[Staff]:
    """The rows of ``store`` whose PIN may open something now."""
    rows = Staff.objects.filter(store=store, active=True).exclude(pin_hash="")
    if not settings.POS_DEMO:
        rows = rows.exclude(code__startswith=DEMO_CODE_PREFIX)
    if Staff.objects.filter(store=store).exclude(origin="").exists():
        # HQ's people have arrived: store_init's first manager has done their job.
        rows = rows.exclude(code__startswith=INIT_CODE_PREFIX)
    return rows


def staff_with_pin(*, store: str, pin: str, other_than: str | None = None) -> Staff | None:
    """The active staff member of ``store`` whose PIN is ``pin`` (leaving out the
    person ``other_than``), or None. Costs a slow hash per active person unless
    the PIN matched before in this process."""
    memo_key = pins.pin_memo_key(store, pin)
    memo = _pin_memo.get(memo_key)
    holders = _pin_holders(store)
    if memo is not None:
        row = holders.filter(pk=memo[0], pin_hash=memo[1]).first()
        if row is not None and row.code != other_than:
            return row
    rows = holders.order_by("pk")
    if other_than is not None:
        rows = rows.exclude(code=other_than)
    for row in rows:
        if pins.pin_matches(store=store, pin=pin, encoded=row.pin_hash):
            if len(_pin_memo) >= _PIN_MEMO_MAX:
                _pin_memo.clear()
            _pin_memo[memo_key] = (row.pk, row.pin_hash)
            return row
    return None


def staff_of_store(*, store: str | None) -> list[Staff]:
    """The store's people (every store's for None), active first, by name."""
    rows = Staff.objects.all() if store is None else Staff.objects.filter(store=store)
    return list(rows.order_by("-active", "name", "store", "code"))
