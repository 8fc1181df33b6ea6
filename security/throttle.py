"""Rate limits on guessing (PINs, pairing codes, admin passwords) and on public use (the order pages).

Counts failures, or uses, per (scope, key) in a sliding window, in the database so
that several daphne processes share one count.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from security.models import Attempt


class Throttled(PermissionError):
    """Too many failures lately (HTTP 429)."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def throttle_check(*, scope: str, key: str, limit: int, window_s: int, what: str) -> None:
    """Raise Throttled when ``limit`` failures of ``scope``/``key`` happened in the last ``window_s``."""
    since = timezone.now() - timedelta(seconds=window_s)
    if Attempt.objects.filter(scope=scope, key=key[:150], at__gt=since).count() >= limit:
        minutes = max(1, window_s // 60)
        raise Throttled(f"too many wrong {what}; wait {minutes} minutes and try again", retry_after=window_s)


def throttle_fail(*, scope: str, key: str, window_s: int) -> None:
    """Count one failure, and forget this key's failures older than the window."""
    now = timezone.now()
    with transaction.atomic():
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
