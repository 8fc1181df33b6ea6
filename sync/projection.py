"""Registry of projectors: one function per change kind that folds it into current state.

The same projector runs for a change recorded here and for one received from a
peer, which is what keeps every node's state a function of its change set.
"""

from __future__ import annotations

from collections.abc import Callable

from sync.models import Change

Projector = Callable[[Change], None]
ManyProjector = Callable[[list[Change]], None]


class MissingDependency(Exception):
    """Raised by a projector that cannot fold its change until another one has
    arrived (``need``, e.g. "master:registers.Category:noodles"); the apply
    engine parks the change and projects it when that one comes."""

    def __init__(self, need: str) -> None:
        super().__init__(need)
        self.need = need

# Per kind, in registration order: (function, takes a list). A later
# projector of a kind may rely on rows an earlier one wrote for the same change.
_projectors: dict[str, list[tuple[Callable, bool]]] = {}


def projector(kind: str) -> Callable[[Projector], Projector]:
    def register(func: Projector) -> Projector:
        _projectors.setdefault(kind, []).append((func, False))
        return func

    return register


def projector_many(kind: str) -> Callable[[ManyProjector], ManyProjector]:
    """Register a projector that folds a list of changes of one kind at once.

    It must leave the same rows as folding them one by one would; it exists
    so a burst of orders costs a few bulk queries instead of a dozen each.
    """

    def register(func: ManyProjector) -> ManyProjector:
        _projectors.setdefault(kind, []).append((func, True))
        return func

    return register


def project(change: Change) -> None:
    """Fold one change into the projections. Unknown kinds (a newer peer's) are kept, not projected."""
    for func, many in _projectors.get(change.kind, ()):
        if many:
            func([change])
        else:
            func(change)


def project_many(changes: list[Change]) -> None:
    """Fold several changes, kind by kind: sales first, then every other kind
    in the order it first appears.

    Projections are order-independent (a node's state is a function of its
    change set), so grouping by kind gives the rows folding them one at a time
    would; within a kind the changes keep their order. Sales go first because
    what refers to a sale (payments, voids, kitchen changes) is folded against
    its order row: in a batch, a payment may come before a later sale's own.
    """
    by_kind: dict[str, list[Change]] = {"order.placed": []}
    for change in changes:
        by_kind.setdefault(change.kind, []).append(change)
    for kind, group in by_kind.items():
        if not group:
            continue
        for func, many in _projectors.get(kind, ()):
            if many:
                func(group)
            else:
                for change in group:
                    func(change)
