"""Hybrid logical clock (Kulkarni et al.), pure and without I/O.

A timestamp is one integer: wall-clock milliseconds shifted left 16 bits plus a
logical counter. It never goes backwards on a node, orders causally related
events across nodes, and stays close to real time, which last-writer-wins on
master data needs.
"""

from __future__ import annotations

from dataclasses import dataclass

LOGICAL_BITS = 16
LOGICAL_MASK = (1 << LOGICAL_BITS) - 1
# A peer whose clock runs this far ahead is refused rather than dragging every
# node's clock into the future with it.
MAX_DRIFT_MS = 60_000


class ClockDriftError(ValueError):
    """A remote timestamp is further in the future than MAX_DRIFT_MS."""


def pack(wall_ms: int, logical: int) -> int:
    return (wall_ms << LOGICAL_BITS) | logical


def unpack(hlc: int) -> tuple[int, int]:
    return hlc >> LOGICAL_BITS, hlc & LOGICAL_MASK


@dataclass(frozen=True)
class Clock:
    """The last timestamp a node issued or saw."""

    last: int = 0

    def tick(self, now_ms: int) -> Clock:
        """The timestamp for a local event."""
        wall, logical = unpack(self.last)
        if now_ms > wall:
            return Clock(pack(now_ms, 0))
        return Clock(_bump(wall, logical))

    def receive(self, remote: int, now_ms: int) -> Clock:
        """Merge a remote timestamp; refuse one too far ahead of our wall clock."""
        r_wall, r_logical = unpack(remote)
        if r_wall - now_ms > MAX_DRIFT_MS:
            raise ClockDriftError(f"remote clock is {r_wall - now_ms} ms ahead (limit {MAX_DRIFT_MS} ms)")
        l_wall, l_logical = unpack(self.last)
        wall = max(l_wall, r_wall, now_ms)
        if wall == l_wall == r_wall:
            return Clock(_bump(wall, max(l_logical, r_logical)))
        if wall == l_wall:
            return Clock(_bump(wall, l_logical))
        if wall == r_wall:
            return Clock(_bump(wall, r_logical))
        return Clock(pack(wall, 0))


def _bump(wall: int, logical: int) -> int:
    if logical >= LOGICAL_MASK:
        # Counter exhausted within one millisecond: borrow the next one.
        return pack(wall + 1, 0)
    return pack(wall, logical + 1)
