"""What the register tablets' outboxes hold, as each tablet last reported it.

Only a tablet knows which sales it has not yet handed to a node. Every register
reports its outbox size with its periodic check-in (static/pos/identity.js);
the manager's Z close reads the total here instead of having it typed. A
tablet that has gone quiet may hold sales it could not report: it is listed
as silent so the manager sees it before closing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from registers.models import RegisterOutbox

SILENT_AFTER = dt.timedelta(minutes=1)
FORGET_AFTER = dt.timedelta(hours=12)


def register_outbox_report(*, store: str, register: str, waiting: int) -> None:
    RegisterOutbox.objects.update_or_create(store=store, register=register, defaults={"waiting": waiting, "seen_at": timezone.now()})


def register_outboxes(*, store: str) -> dict[str, Any]:
    """Tablets heard from in the last twelve hours: each one's count and whether it went silent."""
    now = timezone.now()
    rows = RegisterOutbox.objects.filter(store=store, seen_at__gte=now - FORGET_AFTER).order_by("register")
    items = [{"register": r.register, "waiting": r.waiting, "seen_at": r.seen_at, "silent": now - r.seen_at >= SILENT_AFTER} for r in rows]
    return {"queued": sum(item["waiting"] for item in items), "items": items}
