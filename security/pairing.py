"""Pairing and revoking devices: writes, as changes that replicate.

A manager issues a short-lived, single-use code in admin; the device trades
it at /pair/ for its own random token. Only the token's digest is kept and
replicated (``device.paired``), and a revocation is a change too
(``device.revoked``), so a lost tablet is refused on every node of the store
and at HQ as soon as the change reaches them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from security.events import DevicePaired, DeviceRevoked
from security.models import PairingCode
from security.throttle import BUDGETS, attempt_begin, attempt_end
from stores.models import Device, token_digest
from sync.services import change_record

PAIRING_TTL_S = 10 * 60
# No 0/O or 1/I/L: the code is read off a screen and typed on a tablet.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 31^8 ≈ 8.5e11, against at most MAX_PAIR_FAILURES guesses per window
MAX_PAIR_FAILURES = BUDGETS["pair"].limit
PAIR_WINDOW_S = BUDGETS["pair"].window_s


class PairingRefused(PermissionError):
    """Unknown, used or expired code (HTTP 403)."""


def code_normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_digest(code: str) -> str:
    return hashlib.sha256(f"posweb-pairing:{code_normalise(code)}".encode()).hexdigest()


def code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def pairing_code_issue(*, store: str, name: str, kind: str, by: str, code: PairingCode | None = None) -> tuple[PairingCode, str]:
    """A new code for device ``name``; returns the row and the plain code (shown once, never stored)."""
    plain = code_new()
    row = code or PairingCode()
    row.store, row.name, row.kind, row.created_by = store, name, kind, by
    row.code_hash = code_digest(plain)
    row.expires_at = timezone.now() + timedelta(seconds=PAIRING_TTL_S)
    row.save()
    return row, plain


def device_pair(*, code: str) -> tuple[Device, str]:
    """Trade a pairing code for a new device token. Raises PairingRefused, or
    Throttled after too many wrong codes (per store, so a guest cannot spread
    guesses over addresses or nodes). The attempt is counted before the code
    is looked at and given back when it was right."""
    store = settings.POS_STORE
    reservation = attempt_begin(scope="pair")
    token = secrets.token_urlsafe(32)  # URL-safe: also a valid WebSocket subprotocol token
    with transaction.atomic():
        row = (
            PairingCode.objects.select_for_update()
            .filter(code_hash=code_digest(code), store=store, used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if row is not None:
            row.used_at = timezone.now()
            row.save(update_fields=["used_at"])
            paired = DevicePaired(device=token_digest(token), name=row.name, device_kind=row.kind, at=row.used_at)
            change_record(paired, store=store)
    if row is None:
        raise PairingRefused("unknown, used or expired pairing code; ask a manager for a new one")
    attempt_end(reservation)
    return Device.objects.get(token_hash=token_digest(token)), token


def device_revoke(*, device: Device, by: str) -> Device:
    """Refuse this device's token from now on, here and (by replication) on every node. Idempotent."""
    with transaction.atomic():
        if device.revoked_at is None:
            revoked = DeviceRevoked(
                device=device.token_hash, name=device.name, device_kind=device.kind, at=timezone.now(), by=by
            )
            change_record(revoked, store=device.store)
    device.refresh_from_db()
    return device
