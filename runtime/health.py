"""What is wrong with this node right now: the reasons behind a "degraded" health.

Checks run elsewhere (a worker at start, a failed write, a refused push) and
record their verdict here with ``reason_set`` / ``reason_clear``; /api/health
and the alerts worker only read what is kept (``reasons``), so a health
request never runs a check itself. Kept in this process's memory: a restart
runs the start-up checks again, and writes and pushes report again on their
next try.

Each reason has a stable English ``code`` and, rendered in the active
language, what happened (``detail``) and the first step to take (``action``).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

INTEGRITY = "integrity_check_failed"
WRITES = "write_failed"
CHANNEL_LAYER = "channel_layer_down"
PEER_REFUSED = "upstream_refused"
CHANGES_REFUSED = "changes_refused"
JOURNAL = "journal_broken"
RESTORED = "restored_from_backup"
FORKED = "sequence_reused"
WORKERS_MISSING = "background_workers_missing"

# code -> (what happened, first step). Formatted with the reason's params.
TEXTS: dict[str, tuple[Promise, Promise]] = {
    INTEGRITY: (
        _("The database failed its integrity check at start: %(error)s"),
        _("Stop taking orders on this node, keep its data folder as it is, and call support to restore it "
          "from a sibling or a backup."),
    ),
    WRITES: (
        _("%(count)s write(s) failed (%(what)s), the last one: %(error)s"),
        _("Check that the node's disk has free space and is writable; orders are kept on the registers "
          "until it does."),
    ),
    CHANNEL_LAYER: (
        _("The channel layer (Redis) does not answer: %(error)s"),
        _("Restart Redis or check REDIS_URL. Until then this node's screens are served without it; what another "
          "process of the node changes (a second server process, a management command) reaches them only at "
          "their next ping."),
    ),
    PEER_REFUSED: (
        _("%(peer)s refused our changes (%(status)s): %(error)s"),
        _("Read the refusal in the log of %(peer)s and fix its cause (key, store or the change it names); "
          "replication resumes by itself once it accepts."),
    ),
    CHANGES_REFUSED: (
        _("This node refuses what %(peer)s sends: %(error)s"),
        _("Replication from %(peer)s is stopped: check that it is the real peer (its key, HQ's signing key) "
          "and read this node's log; it resumes by itself once the peer sends changes this node may take."),
    ),
    JOURNAL: (
        _("The journal is broken: %(count)s problem(s), the first: %(error)s"),
        _("Run `manage.py verify_journal` on this node and keep the database file for an audit; "
          "do not edit sales by hand."),
    ),
    RESTORED: (
        _("This node's database went back (restored from a backup or copied): %(where)s holds its changes "
          "up to %(origin)s #%(seen)s, the database only up to #%(held)s. It now records under a new origin, "
          "so no sequence number is issued twice."),
        _("Keep this node connected to its sibling nodes and HQ until this message goes: the sales made after "
          "the backup come back from them. Then compare today's sales report here with HQ's. Re-enter nothing."),
    ),
    FORKED: (
        _("%(peer)s sent %(origin)s #%(seq)s (change %(change)s), but this node holds another change under "
          "that number: two databases issued the same sequence number."),
        _("Keep both nodes' database files and call support; the change sent is kept in this node's log "
          "(search it for %(change)s). Do not restore or delete either database."),
    ),
    WORKERS_MISSING: (
        _("No run_workers process is connected to the database. This process leaves alerts, sales rollups, "
          "webhooks and Web Push to one (POS_WORKERS_ONCE=0): none of them is done now."),
        _("Start it: systemctl start posweb-hq-workers (or manage.py run_workers with the same settings). "
          "What was missed is done on its first rounds."),
    ),
}


@dataclass(frozen=True)
class Reason:
    """One thing wrong: ``code`` (TEXTS), ``subject`` (which peer, if several can
    be), since when, and the values its texts name."""

    code: str
    subject: str
    since: dt.datetime
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.code}:{self.subject}" if self.subject else self.code

    def texts(self) -> tuple[str, str]:
        """(detail, action) in the active language."""
        detail, action = TEXTS[self.code]
        return str(detail) % self.params, str(action) % self.params

    def as_dict(self) -> dict[str, Any]:
        detail, action = self.texts()
        return {"code": self.code, "detail": detail, "since": self.since.isoformat(), "action": action}


_lock = threading.Lock()
_reasons: dict[tuple[str, str], Reason] = {}


def reason_set(code: str, *, subject: str = "", **params: Any) -> Reason:
    """Record that ``code`` (for ``subject``) holds now; keeps the first ``since``."""
    if code not in TEXTS:
        raise ValueError(f"unknown health reason {code!r}")
    with _lock:
        old = _reasons.get((code, subject))
        reason = Reason(code, subject, old.since if old else timezone.now(), params)
        _reasons[(code, subject)] = reason
    return reason


def reason_clear(code: str, *, subject: str = "") -> None:
    with _lock:
        _reasons.pop((code, subject), None)


def reason_get(code: str, *, subject: str = "") -> Reason | None:
    with _lock:
        return _reasons.get((code, subject))


def reasons() -> list[Reason]:
    """Every reason that holds, oldest first."""
    with _lock:
        return sorted(_reasons.values(), key=lambda r: (r.since, r.key))


def reasons_reset() -> None:
    """Forget every reason (tests)."""
    with _lock:
        _reasons.clear()
