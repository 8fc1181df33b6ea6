"""The tamper-evident journal: verifying each origin's hash chain of changes.

Every change carries ``digest = sha256(prev_digest + its content)``, made once
at its origin (sync.services.change_record). Walking an origin's changes in seq
order finds an altered change (its digest no longer matches its content), a
deleted one (a gap in seq, or a prev_digest that points at nothing) and
reordered ones (prev_digest not the digest of seq - 1). HQ runs
``journal_verify(origin=...)`` on what it receives; stores run
``manage.py verify_journal``.
"""

from __future__ import annotations

from dataclasses import dataclass

from registers.events import OrderFact, OrderPlaced
from sync.events import EventInvalid
from sync.models import Change, NodeState
from sync.projection import recorded
from sync.services import change_digest

BATCH = 2000


@dataclass(frozen=True)
class Problem:
    origin: str
    seq: int
    change_id: str
    kind: str
    what: str

    def __str__(self) -> str:
        return f"{self.origin}#{self.seq} {self.kind} {self.change_id}: {self.what}"


def journal_origins() -> list[str]:
    return sorted(Change.objects.values_list("origin", flat=True).distinct())


def journal_verify(*, origin: str | None = None) -> list[Problem]:
    """Problems in the chain of ``origin`` (every origin when None); empty when intact.

    Replication ships each origin's changes from seq 1 without gaps, so a chain
    must start at 1 and link up to its end. For this node's own origin the node
    row also remembers the last seq and digest, which catches a deleted tail.
    """
    problems: list[Problem] = []
    for name in [origin] if origin else journal_origins():
        problems.extend(_verify_origin(name))
    return problems


def _verify_origin(origin: str) -> list[Problem]:
    problems = []
    prev: Change | None = None
    changes = Change.objects.filter(origin=origin).order_by("seq")
    for change in changes.iterator(chunk_size=BATCH):
        problems.extend(_check(change, prev))
        prev = change
    state = NodeState.objects.filter(pk=1, origin=origin).first()
    if state is not None and (prev is None or prev.seq < state.last_seq or prev.digest != state.last_digest):
        last = prev.seq if prev else 0
        problems.append(Problem(origin, state.last_seq, "", "", f"this node recorded up to #{state.last_seq} "
                                f"but the chain ends at #{last} (deleted or altered at the end)"))
    return problems


def _check(change: Change, prev: Change | None) -> list[Problem]:
    def problem(what: str) -> Problem:
        return Problem(change.origin, change.seq, str(change.id), change.kind, what + _about(change))

    found = []
    if change_digest(change) != change.digest:
        found.append(problem("content does not match its digest (altered)"))
    if prev is not None:
        if change.seq != prev.seq + 1:
            found.append(problem(f"changes {prev.seq + 1}..{change.seq - 1} are missing (deleted)"))
        elif change.prev_digest != prev.digest:
            found.append(problem(f"does not follow change #{prev.seq} (its predecessor was altered or replaced)"))
    elif change.seq != 1:
        found.append(problem(f"changes 1..{change.seq - 1} are missing (deleted)"))
    elif change.prev_digest:
        found.append(problem("the first change points at a predecessor"))
    return found


def _about(change: Change) -> str:
    """Name the sale when the change is about one, so a person can find it."""
    try:
        event = recorded(change).event
    except EventInvalid:
        return ""  # altered past reading, or a kind this version does not know
    if isinstance(event, OrderPlaced):
        return f" — sale No. {event.number} of {event.business_date}, order {event.id}"
    if isinstance(event, OrderFact):
        return f" — order {event.order}"
    return ""


def journal_check_incoming(changes: list[dict]) -> list[Problem]:
    """Check a batch of changes in wire form (Change.as_wire) before applying it.

    For replication and HQ: each change must match its digest and follow its
    origin's previous change, either earlier in the batch or already stored
    here. A batch that fails should be refused, not applied.
    """
    problems: list[Problem] = []
    tails: dict[str, tuple[int, str]] = {}
    for wire in sorted(changes, key=lambda w: (w["origin"], w["seq"])):
        change = Change(**{k: wire[k] for k in ("id", "origin", "seq", "store", "kind", "hlc", "payload", "prev_digest", "digest")})
        if wire["origin"] not in tails:
            stored = Change.objects.filter(origin=change.origin, seq=change.seq - 1).first()
            tails[change.origin] = (change.seq - 1, stored.digest if stored else "")
            if stored is None and change.seq != 1 and not Change.objects.filter(origin=change.origin, seq=change.seq).exists():
                problems.append(Problem(change.origin, change.seq, str(change.id), change.kind,
                                        f"change #{change.seq - 1} of this origin is not here yet (a gap)"))
        prev = Change(origin=change.origin, seq=tails[change.origin][0], digest=tails[change.origin][1])
        problems.extend(_check(change, prev if prev.seq >= 1 else None))
        tails[change.origin] = (change.seq, change.digest)
    return problems
