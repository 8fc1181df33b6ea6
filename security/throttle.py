"""Rate limits on guessing (PINs, pairing codes, admin passwords) and on public use (the order pages).

Counts attempts, or uses (the public order pages), per (scope, key) in a
sliding window, in the database so that every daphne process of a node shares
one count and a lock-out outlives a restart.

PINs and pairing codes are budgets of the store, not of a node: an attempt
is *reserved* before the PIN or code is checked (``attempt_begin``), at the
store's decider (sync/coordinator.py) while it answers, in one locked
transaction that counts and inserts together. A burst of parallel guesses
spread over every node of the store therefore gets at most ``limit`` checks;
a right PIN or code gives its reservation back (``attempt_end``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from security.models import Attempt
from sync import coordinator
from sync.transport import PeerError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Budget:
    limit: int
    window_s: int
    what: str  # "wrong <what>" in the message


# SECURITY.md documents these: 10 wrong PINs / pairing codes per 5 minutes per store.
BUDGETS = {
    "pin": Budget(10, 300, "PINs"),
    "pair": Budget(10, 300, "pairing codes"),
}
RESERVE = "throttle.reserve"
RELEASE = "throttle.release"


class Throttled(PermissionError):
    """Too many failures lately (HTTP 429)."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Reservation:
    """One counted attempt, held at the node ``url`` (None: this one)."""

    attempt: int
    url: str | None


def attempt_begin(*, scope: str) -> Reservation:
    """Count one attempt of the store's ``scope`` budget before checking it;
    Throttled when the budget is spent. Must run outside a transaction that
    may roll back: the count must stick."""
    decision = coordinator.decide(RESERVE, {"scope": scope})
    if decision.status == 429:
        detail = str(decision.body.get("detail", ""))
        retry = decision.body.get("retry_after")
        raise Throttled(detail, retry_after=retry if isinstance(retry, int) else BUDGETS[scope].window_s)
    attempt = decision.body.get("attempt")
    if decision.status != 201 or not isinstance(attempt, int):
        raise RuntimeError(f"reserving a {scope} attempt answered {decision.status} {decision.body}")
    return Reservation(attempt, decision.url)


def attempt_end(reservation: Reservation) -> None:
    """The attempt was right: it does not count against the budget."""
    try:
        coordinator.ask(reservation.url, RELEASE, {"attempt": reservation.attempt})
    except PeerError as exc:
        # The decider went away in between: the right attempt stays counted as a
        # wrong one for the window, which only tightens the budget.
        log.warning("could not give back attempt %s at %s: %s", reservation.attempt, reservation.url, exc)


def attempt_reserve(*, scope: str, key: str, limit: int, window_s: int, what: str) -> int:
    """Count one attempt here, unless ``limit`` are counted in the last ``window_s``
    (then Throttled). The count and the insert are one locked transaction."""
    key = key[:150]
    now = timezone.now()
    with transaction.atomic():
        _lock(scope, key)
        Attempt.objects.filter(scope=scope, key=key, at__lte=now - timedelta(seconds=window_s)).delete()
        recent = list(Attempt.objects.filter(scope=scope, key=key).order_by("at").values_list("at", flat=True)[:limit])
        if len(recent) >= limit:
            # Free again when the oldest counted attempt leaves the window.
            wait = max(1, math.ceil(window_s - (now - recent[0]).total_seconds()))
            raise Throttled(_message(what, wait), retry_after=wait)
        return Attempt.objects.create(scope=scope, key=key, at=now).pk


def _lock(scope: str, key: str) -> None:
    """Serialise counters of one (scope, key). SQLite: the IMMEDIATE transaction
    (posweb/settings.py) already holds the database's write lock from BEGIN.
    PostgreSQL: a transaction-scoped advisory lock, since READ COMMITTED would
    let two counts both see room for one more."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"posweb-throttle:{scope}:{key}"])


def _message(what: str, wait_s: int) -> str:
    minutes = max(1, math.ceil(wait_s / 60))
    return f"too many wrong {what}; wait {minutes} minutes and try again"


@coordinator.operation(RESERVE)
def _reserve_here(args: dict[str, Any]) -> coordinator.Answer:
    """A sibling's (or our own) reservation; the store is always this node's."""
    budget = BUDGETS.get(args.get("scope"))  # type: ignore[arg-type]
    if budget is None:
        return 422, {"detail": f"scope must be one of {sorted(BUDGETS)}"}
    try:
        attempt = attempt_reserve(scope=args["scope"], key=settings.POS_STORE, limit=budget.limit,
                                  window_s=budget.window_s, what=budget.what)
    except Throttled as exc:
        return 429, {"detail": str(exc), "retry_after": exc.retry_after}
    return 201, {"attempt": attempt}


@coordinator.operation(RELEASE)
def _release_here(args: dict[str, Any]) -> coordinator.Answer:
    attempt = args.get("attempt")
    if not isinstance(attempt, int) or isinstance(attempt, bool):
        return 422, {"detail": "attempt must be an integer"}
    Attempt.objects.filter(pk=attempt, scope__in=list(BUDGETS)).delete()
    return 200, {}


# Admin logins (security/middleware.py, security/signals.py): per user and per
# address on one node, checked before Django's login and counted after it fails.


def throttle_check(*, scope: str, key: str, limit: int, window_s: int, what: str) -> None:
    """Raise Throttled when ``limit`` failures of ``scope``/``key`` happened in the last ``window_s``."""
    since = timezone.now() - timedelta(seconds=window_s)
    if Attempt.objects.filter(scope=scope, key=key[:150], at__gt=since).count() >= limit:
        raise Throttled(_message(what, window_s), retry_after=window_s)


def throttle_fail(*, scope: str, key: str, window_s: int) -> None:
    """Count one failure, and forget this key's failures older than the window."""
    now = timezone.now()
    with transaction.atomic():
        _lock(scope, key[:150])
        Attempt.objects.filter(scope=scope, key=key[:150], at__lte=now - timedelta(seconds=window_s)).delete()
        Attempt.objects.create(scope=scope, key=key[:150], at=now)


def rate_check(*, scope: str, key: str, limit: int, window_s: int, detail: str) -> None:
    """Raise Throttled(``detail``) when ``limit`` uses of ``scope``/``key`` were recorded in the last ``window_s``."""
    since = timezone.now() - timedelta(seconds=window_s)
    if Attempt.objects.filter(scope=scope, key=key[:150], at__gt=since).count() >= limit:
        raise Throttled(detail, retry_after=window_s)


def rate_record(*, scope: str, key: str, window_s: int) -> None:
    """Count one use (kept as a failure is, and forgotten after the window the same way)."""
    throttle_fail(scope=scope, key=key, window_s=window_s)
