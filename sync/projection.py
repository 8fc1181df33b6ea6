"""Registry of projectors: functions, per event class, that fold a change into current state.

The same projector runs for a change recorded here and for one received from a
peer, which is what keeps every node's state a function of its change set.
A projector receives a ``Recorded``: the parsed event and its change's
envelope (id, origin, seq, store, hlc); it never reads the raw payload.

Order is explicit. Each projector has a ``stage``; for one change the stages
run in order (the owning app writes its rows, then apps that follow them,
then apps that watch the result), and within a stage by module and
registration order, so ``INSTALLED_APPS`` order never matters.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sync.events import Event, event_class, event_parse
from sync.models import Change

E = TypeVar("E", bound=Event, covariant=True)
F = TypeVar("F", bound=Callable[..., None])


class Stage(enum.IntEnum):
    """When a projector runs among those of the same event."""

    #: The app that owns the fact writes its rows (registers: orders, payments).
    RECORD = 10
    #: Apps that derive their own rows from the owner's (kitchen: tickets, progress).
    FOLLOW = 20
    #: Apps that react to the derived state (integrations: webhooks on status).
    REACT = 30


@dataclass(frozen=True)
class Recorded(Generic[E]):
    """A parsed event and the envelope of the change that carries it."""

    event: E
    id: uuid.UUID
    origin: str
    seq: int
    store: str
    kind: str
    hlc: int

    @property
    def version(self) -> tuple[int, str]:
        """(hlc, origin): the total order of changes, for last-writer-wins and earliest-wins rules."""
        return (self.hlc, self.origin)


def recorded(change: Change) -> Recorded[Event]:
    """The change's event, parsed once and cached on the instance (EventInvalid when it does not fit)."""
    cached: Recorded[Event] | None = getattr(change, "_recorded", None)
    if cached is None:
        cached = recorded_attach(change, event_parse(change.kind, change.payload))
    return cached


def recorded_attach(change: Change, event: Event) -> Recorded[Event]:
    """Cache ``event`` (already parsed or just built) on ``change``."""
    item: Recorded[Event] = Recorded(
        event=event, id=change.id, origin=change.origin, seq=change.seq, store=change.store,
        kind=change.kind, hlc=change.hlc,
    )
    change._recorded = item  # type: ignore[attr-defined]
    return item


class MissingDependency(Exception):
    """Raised by a projector that cannot fold its change until another one has
    arrived (``need``, e.g. "master:registers.Category:noodles"); the apply
    engine parks the change and projects it when that one comes."""

    def __init__(self, need: str) -> None:
        super().__init__(need)
        self.need = need


@dataclass(frozen=True)
class _Entry:
    func: Callable[..., None]
    many: bool
    stage: Stage
    module: str
    index: int

    @property
    def rank(self) -> tuple[int, str, int]:
        return (self.stage, self.module, self.index)


_projectors: dict[str, list[_Entry]] = {}
_count = 0


def _register(cls: type[Event], func: Callable[..., None], many: bool, stage: Stage) -> None:
    global _count
    kind = cls.__dict__.get("kind")
    if kind is None or event_class(kind) is not cls:
        raise TypeError(f"{cls.__qualname__} is not a registered event class")
    _count += 1
    entries = _projectors.setdefault(kind, [])
    entries.append(_Entry(func, many, stage, func.__module__, _count))
    entries.sort(key=lambda entry: entry.rank)


def projector(cls: type[Event], *, stage: Stage = Stage.RECORD) -> Callable[[F], F]:
    """Register ``func(recorded)``, a projector of one change of ``cls``."""

    def register(func: F) -> F:
        _register(cls, func, False, stage)
        return func

    return register


def projector_many(cls: type[Event], *, stage: Stage = Stage.RECORD) -> Callable[[F], F]:
    """Register ``func(recorded_list)``, a projector that folds a list of changes of ``cls`` at once.

    It must leave the same rows as folding them one by one would; it exists
    so a burst of orders costs a few bulk queries instead of a dozen each.
    """

    def register(func: F) -> F:
        _register(cls, func, True, stage)
        return func

    return register


def projectors_of(kind: str) -> list[Callable[..., None]]:
    """The projectors of ``kind`` in the order they run."""
    return [entry.func for entry in _projectors.get(kind, ())]


def _run(kind: str, group: list[Change]) -> None:
    entries = _projectors.get(kind)
    if not entries:
        return  # an unknown kind (a newer peer's) is kept, not projected
    items: list[Any] = [recorded(change) for change in group]
    for entry in entries:
        if entry.many:
            entry.func(items)
        else:
            for item in items:
                entry.func(item)


def project(change: Change) -> None:
    """Fold one change into the projections. Unknown kinds (a newer peer's) are kept, not projected."""
    _run(change.kind, [change])


def project_many(changes: list[Change]) -> None:
    """Fold several changes, kind by kind: kinds folded first (sales), then every
    other kind in the order it first appears.

    Projections are order-independent (a node's state is a function of its
    change set), so grouping by kind gives the rows folding them one at a time
    would; within a kind the changes keep their order. Sales go first because
    what refers to a sale (payments, voids, kitchen changes) is folded against
    its order row: in a batch, a payment may come before a later sale's own.
    """
    first: dict[str, list[Change]] = {}
    rest: dict[str, list[Change]] = {}
    for change in changes:
        cls = event_class(change.kind)
        (first if cls is not None and cls.fold_first else rest).setdefault(change.kind, []).append(change)
    token = _memo.set({})
    try:
        for by_kind in (first, rest):
            for kind, group in by_kind.items():
                _run(kind, group)
    finally:
        _memo.reset(token)


# Set for the span of one project_many call (fold_memo).
_memo: ContextVar[dict[str, Any] | None] = ContextVar("projection_memo", default=None)


def fold_memo() -> dict[str, Any] | None:
    """A dict the projectors of the current ``project_many`` call share, or
    None outside one: what one projector read or wrote that another of the
    same call would otherwise read again (registers.placing.orders_found_new:
    the orders a store's upload brings new, whose payments and tickets HQ
    then need not look for). It lives as long as the call, inside its one
    transaction, so nothing put here outlives what it describes. Keys are
    the owning module's."""
    return _memo.get()
