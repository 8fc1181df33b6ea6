"""A note kept beside the database, in POS_DATA_DIR, of how far this node's
database is known to have gone: the origin and seq of the last committed
local change, and the day's ticket counts per lane.

It lets a node notice, with no peer reachable, that its database went back
(restored from a backup, or an older copy put in place): the database then
holds less than the note says. It is written only after a commit, so in
normal operation it never says more than the database holds; a crash may
leave it behind (never ahead), which only means a restore goes unnoticed
here and is noticed by a peer later instead. A backup of the whole data
folder restores the note too: this file cannot tell then, the peers can.

Small, rewritten whole in place (no fsync: losing the last write is
allowed, as said above). Several processes of one node may write
it; each merges what is on disk first and keeps the highest figures.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)

FILE = "node-life.json"
# Ticket counts are kept for a few business days only: a restore from a
# backup older than that has nothing to protect on today's numbers.
TICKET_DAYS = 3
MAX_BYTES = 64 * 1024  # a few days of lanes and stores take a few hundred bytes

_lock = threading.Lock()
_cache: dict[str, Any] | None = None
_warned = False


def _path() -> Path:
    return Path(settings.POS_DATA_DIR) / FILE


_fd: int | None = None


def _open() -> int:
    global _fd
    if _fd is None:
        _fd = os.open(_path(), os.O_RDWR | os.O_CREAT, 0o644)
    return _fd


def _load() -> dict[str, Any]:
    try:
        if _fd is None and not _path().exists():
            return {}
        fd = _open()
        raw = os.pread(fd, MAX_BYTES, 0)
        data = json.loads(raw) if raw.strip() else {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read() -> dict[str, Any]:
    """What the note says: ``origin``, ``seq``, ``tickets`` (key -> count); {} when there is none."""
    global _cache
    with _lock:
        if _cache is None:
            _cache = _load()
        return dict(_cache)


def _write(update: dict[str, Any]) -> None:
    global _cache, _warned
    with _lock:
        data = _load()
        tickets = dict(data.get("tickets") or {})
        for key, count in (update.pop("tickets", None) or {}).items():
            tickets[key] = max(int(tickets.get(key, 0)), count)
        days = sorted({k.split("|")[1] for k in tickets})[-TICKET_DAYS:]
        data["tickets"] = {k: v for k, v in tickets.items() if k.split("|")[1] in days}
        data.update(update)
        raw = json.dumps(data, sort_keys=True).encode()
        try:
            # Rewritten in place, once a sale: a rename per write cost
            # milliseconds on a busy disk. A write torn by a crash leaves
            # unreadable JSON, read as no note: a restore then goes unnoticed
            # here (a peer still notices), never a false alarm.
            # Padded with spaces (still valid JSON) rather than truncated:
            # ftruncate cost more than the write itself.
            fd = _open()
            size = os.fstat(fd).st_size
            os.pwrite(fd, raw.ljust(size), 0)
        except OSError as exc:
            # The database is the truth; without the note a restore is only
            # noticed later, by a peer. Say it once, not on every sale.
            if not _warned:
                log.warning("cannot write %s: %s", _path(), exc)
                _warned = True
            return
        _cache = data


def seq_note(origin: str, seq: int) -> None:
    """After a commit: the database holds ``origin`` up to ``seq`` (this node's own changes)."""
    if seq < 1:
        return
    current = read()
    if current.get("origin") == origin and int(current.get("seq", 0)) >= seq:
        return
    _write({"origin": origin, "seq": seq})


def ticket_key(store: str, day: str, lane: int) -> str:
    return f"{store}|{day}|{lane}"


def ticket_count(key: str) -> int:
    """How many numbers of that store, day and lane the note says were already called."""
    return int((read().get("tickets") or {}).get(key, 0))


def ticket_note(key: str, count: int) -> None:
    """After a commit: ``count`` numbers of that lane have been called that day."""
    if ticket_count(key) >= count:
        return
    _write({"tickets": {key: count}})


def forget() -> None:
    """Drop the in-memory copy and the open file (tests that write the file themselves)."""
    global _cache, _fd
    with _lock:
        _cache = None
        if _fd is not None:
            os.close(_fd)
            _fd = None
