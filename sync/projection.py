"""Registry of projectors: one function per change kind that folds it into current state.

The same projector runs for a change recorded here and for one received from a
peer, which is what keeps every node's state a function of its change set.
"""

from __future__ import annotations

from collections.abc import Callable

from sync.models import Change

Projector = Callable[[Change], None]


class MissingDependency(Exception):
    """Raised by a projector that cannot fold its change until another one has
    arrived (``need``, e.g. "master:registers.Category:noodles"); the apply
    engine parks the change and projects it when that one comes."""

    def __init__(self, need: str) -> None:
        super().__init__(need)
        self.need = need

_projectors: dict[str, list[Projector]] = {}


def projector(kind: str) -> Callable[[Projector], Projector]:
    def register(func: Projector) -> Projector:
        _projectors.setdefault(kind, []).append(func)
        return func

    return register


def project(change: Change) -> None:
    """Fold one change into the projections. Unknown kinds (a newer peer's) are kept, not projected."""
    for func in _projectors.get(change.kind, ()):
        func(change)
