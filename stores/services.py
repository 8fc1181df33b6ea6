"""Writes about stores: this node's own store row, devices, staff (at HQ) and ticket counters.

Other apps never write these tables; they call these services (one owner per table).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from runtime import lifemark
from stores import numbers, pins
from stores.events import Role, StaffSet
from stores.models import AnalystToken, Device, RegisterCounter, Staff, Store, TicketCounter, token_digest
from stores.selectors import staff_with_pin
from sync.services import Fact, changes_record
from sync.sql import quoted


def store_get_current() -> Store:
    """This node's store row, created with defaults on first use so a bare node still works."""
    store, _ = Store.objects.get_or_create(code=settings.POS_STORE, defaults={"name": settings.POS_STORE})
    return store


def store_lock(*, code: str) -> Store:
    """Lock store ``code``'s row until the transaction ends (inside ``transaction.atomic()``):
    what numbers per store, such as Z reports, serialises on it."""
    return Store.objects.select_for_update().get(code=code)


def _device_name_free(store: str, name: str, token_hash: str) -> str:
    # Two nodes may pair two tablets under one name while apart; the second
    # keeps a recognisable name instead of breaking replication.
    if Device.objects.filter(store=store, name=name).exclude(token_hash=token_hash).exists():
        return f"{name[:56]}-{token_hash[:7]}"
    return name


def device_add(
    *, store: str, name: str, kind: str, token_hash: str, revoked_at: dt.datetime | None = None
) -> Device | None:
    """Add the device of token digest ``token_hash`` unless it is known (then None).

    A name another token holds in ``store`` gets a suffix. ``revoked_at``: the
    device is added already revoked (its revocation came before its pairing).
    """
    if Device.objects.filter(token_hash=token_hash).exists():
        return None
    return Device.objects.create(
        store=store, name=_device_name_free(store, name, token_hash), kind=kind, token_hash=token_hash,
        revoked_at=revoked_at,
    )


def device_revoke_row(*, token_hash: str, at: dt.datetime) -> bool:
    """Mark the device of ``token_hash`` revoked at ``at``; the earliest revocation wins, so
    every node ends with the same row. False when no such device is known yet."""
    device = Device.objects.filter(token_hash=token_hash).first()
    if device is None:
        return False
    if device.revoked_at is None or device.revoked_at > at:
        device.revoked_at = at
        device.save(update_fields=["revoked_at"])
    return True


class AnalystTokenRefused(Exception):
    """An analyst token cannot be issued here (not HQ, or the name is taken by a live token)."""


def analyst_token_issue(*, name: str) -> tuple[AnalystToken, str]:
    """A new read-only analyst token at HQ: (row, token). The token is returned once and stored
    only as its digest. Issuing again under a revoked name replaces that row."""
    if settings.POS_ROLE != "hq":
        raise AnalystTokenRefused("analyst tokens are issued at HQ only")
    name = name.strip()
    if not name or len(name) > 64:
        raise AnalystTokenRefused("an analyst token needs a name of 1 to 64 characters")
    existing = AnalystToken.objects.filter(name=name).first()
    if existing is not None and existing.revoked_at is None:
        raise AnalystTokenRefused(f"analyst {name!r} already has a live token: revoke it first")
    token = "an_" + secrets.token_urlsafe(32)
    if existing is not None:
        existing.token_hash, existing.revoked_at = token_digest(token), None
        existing.save(update_fields=["token_hash", "revoked_at"])
        return existing, token
    return AnalystToken.objects.create(name=name, token_hash=token_digest(token)), token


def analyst_token_revoke(*, name: str) -> bool:
    """Revoke analyst ``name``'s token; False when there is no live one."""
    return AnalystToken.objects.filter(name=name, revoked_at__isnull=True).update(revoked_at=timezone.now()) > 0


def node_lane() -> int:
    return numbers.lane_for_node(
        settings.POS_NODE, configured=settings.POS_TICKET_LANE, has_peers=bool(settings.POS_PEERS)
    )


def register_identity_claim(*, store: str) -> tuple[str, int]:
    """A register name (and its ticket lane) no other tablet of this node has
    been given yet, and that no sibling node hands out (stores.numbers.register_for_claim)."""
    with transaction.atomic():
        counter, _ = RegisterCounter.objects.select_for_update().get_or_create(store=store)
        counter.count += 1
        counter.save(update_fields=["count"])
    name = numbers.register_for_claim(node_lane(), counter.count)
    return name, numbers.lane_for_register(name)


def ticket_numbers_take(
    *, store: str, day: dt.date, count: int, called: Callable[[int, int], int]
) -> list[int]:
    """The next ``count`` ticket numbers of this node's lane for ``store``'s business ``day``.

    Inside ``transaction.atomic()``: the counter row is locked until commit.
    ``called(low, high)`` counts the numbers from ``low`` to ``high`` already
    called that day; it is asked once, when the day's counter is created, so a
    node restored mid-day continues after the numbers it already called (they
    come back to it from its siblings) instead of repeating them. The note
    beside the database (runtime/lifemark.py) says how many this node had
    called before its database went back, even with no sibling reachable.
    """
    lane = node_lane()
    key = lifemark.ticket_key(store, day.isoformat(), lane)
    noted = lifemark.ticket_count(key)
    reached = _ticket_counter_advance(store=store, day=day, lane=lane, at_least=noted, count=count)
    if reached is None:  # the day's first sale on this lane
        counter, created = TicketCounter.objects.select_for_update().get_or_create(store=store, business_date=day, lane=lane)
        if created:
            counter.count = called(*numbers.lane_range(lane))
        counter.count = max(counter.count, noted) + count
        counter.save(update_fields=["count"])
        reached = counter.count
    transaction.on_commit(lambda: lifemark.ticket_note(key, reached))
    first = reached - count + 1
    return [numbers.number_for(lane, n) for n in range(first, first + count)]


def _ticket_counter_advance(*, store: str, day: dt.date, lane: int, at_least: int, count: int) -> int | None:
    """The day's counter moved on by ``count`` from no less than ``at_least``
    (``count`` 0: raised to ``at_least``), in one statement that also locks its
    row; None when the day has no counter yet.

    Every sale takes numbers, and every order learned from elsewhere raises the
    counter past its number: the ORM's read, lock and save of the row cost each
    two statements and about half a millisecond of building them."""
    column = quoted(TicketCounter, "count")
    larger = "MAX" if connection.vendor == "sqlite" else "GREATEST"  # SQLite's two-argument MAX is scalar
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quoted(TicketCounter)} SET {column} = {larger}({column}, %s) + %s"
            f" WHERE {quoted(TicketCounter, 'store')} = %s AND {quoted(TicketCounter, 'business_date')} = %s"
            f" AND {quoted(TicketCounter, 'lane')} = %s RETURNING {column}",
            [at_least, count, store, connection.ops.adapt_datefield_value(day), lane],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def ticket_numbers_seen(*, store: str, day: dt.date, called: list[int]) -> None:
    """Numbers of ``store``'s ``day`` that orders learned from a peer carry:
    this node's lane never calls those again (after a restore, the orders it
    lost come back with numbers its restored counter would repeat)."""
    lane = node_lane()
    low, high = numbers.lane_range(lane)
    mine = [n - low + 1 for n in called if low <= n <= high]
    if not mine:
        return
    if _ticket_counter_advance(store=store, day=day, lane=lane, at_least=max(mine), count=0) is not None:
        return
    counter, _ = TicketCounter.objects.select_for_update().get_or_create(store=store, business_date=day, lane=lane)
    if max(mine) > counter.count:
        counter.count = max(mine)
        counter.save(update_fields=["count"])


class StaffRejected(ValueError):
    """A staff edit that cannot be made (not at HQ, no such store, a PIN someone else has); the message says why."""


def _pin_taken(stores: list[str], pin: str, code: str) -> str | None:
    for store in stores:
        if staff_with_pin(store=store, pin=pin, other_than=code) is not None:
            return store
    return None


def staff_save_check(*, code: str | None, stores: list[str], active: bool, pin: str | None) -> None:
    """StaffRejected saying why ``staff_save`` would refuse this (the admin form shows it before saving)."""
    if settings.POS_ROLE != "hq":
        raise StaffRejected("staff are edited at HQ; a store node receives them")
    unknown = set(stores) - set(Store.objects.filter(code__in=stores).values_list("code", flat=True))
    if unknown:
        raise StaffRejected(f"no store {', '.join(sorted(unknown))}")
    if pin:
        try:
            pins.pin_valid(pin)
        except pins.BadPin as exc:
            raise StaffRejected(str(exc)) from None
    elif active and (code is None or not Staff.objects.filter(code=code).exclude(pin_hash="").exists()):
        raise StaffRejected("a new staff member needs a PIN")
    taken = _pin_taken(sorted(set(stores)), pin, code or "") if pin and active else None
    if taken:
        raise StaffRejected(f"this PIN is already someone else's at store {taken}: choose another")


def staff_save(
    *, code: str | None, name: str, role: Role, stores: list[str], active: bool, pin: str | None, by: str
) -> str:
    """At HQ: record a person at each of ``stores`` (``staff.set``, one change per
    store under HQ's origin for it, so each store gets only its own people), and
    their removal from the stores they no longer work at. ``pin`` sets or
    resets the PIN (hashed here; never stored or shown as such). Returns the
    person's code (new when ``code`` is None)."""
    code = code or uuid.uuid4().hex
    staff_save_check(code=code, stores=stores, active=active, pin=pin)
    wanted = sorted(set(stores))
    rows = {row.store: row for row in Staff.objects.filter(code=code)}
    pin_hash = pins.pin_make(pin) if pin else None
    # A store newly added for someone who has a PIN elsewhere gets that PIN.
    known_hash = next((row.pin_hash for row in rows.values() if row.pin_hash), None)
    at = timezone.now()
    facts = []
    for store in wanted:
        hash_here = pin_hash or (known_hash if store not in rows else None)
        facts.append(Fact(StaffSet(code=code, name=name, role=role, active=active, pin_hash=hash_here, by=by, at=at), store))
    for store in sorted(set(rows) - set(wanted)):
        if rows[store].active:
            facts.append(Fact(StaffSet(code=code, name=name, role=role, active=False, pin_hash=None, by=by, at=at), store))
    with transaction.atomic():
        changes_record(facts)
    return code


def staff_deactivate(*, code: str, by: str) -> int:
    """At HQ: the person no longer works at any store; their PIN stops opening anything. Returns how many stores."""
    rows = list(Staff.objects.filter(code=code, active=True))
    if rows:
        role = cast(Role, rows[0].role)
        staff_save(code=code, name=rows[0].name, role=role, stores=[r.store for r in rows], active=False, pin=None, by=by)
    return len(rows)
