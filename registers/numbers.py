"""Ticket numbers customers hear ("No. 42"), issued without asking any other node.

Each issuer (a store node, later an offline register) owns a lane: lane L calls
numbers L*1000+1 .. L*1000+999 in its business day, wrapping after 999 as a
receipt printer's counter does. Two nodes of one store in different lanes can
never call the same number, with no coordination per order; a single-node
store is lane 0 and calls 1, 2, 3 ...
"""

from __future__ import annotations

import re
import zlib

LANE_SIZE = 1000
LANES = 10


def number_for(lane: int, count: int) -> int:
    """The ``count``-th (1-based) number of ``lane`` in a day."""
    if not 0 <= lane < LANES:
        raise ValueError(f"ticket lane must be 0..{LANES - 1}, not {lane}")
    if count < 1:
        raise ValueError("count starts at 1")
    return lane * LANE_SIZE + (count - 1) % (LANE_SIZE - 1) + 1


def lane_range(lane: int) -> tuple[int, int]:
    return lane * LANE_SIZE + 1, lane * LANE_SIZE + LANE_SIZE - 1


def lane_for_node(node: str, *, configured: str = "", has_peers: bool = False) -> int:
    """This node's lane: POS_TICKET_LANE if set; else the node name's trailing
    number (``node1`` -> 0, ``s001-2`` -> 1) or letter (``a`` -> 0, ``b`` -> 1);
    else 0 for a lone node, or a stable hash of the name."""
    if configured:
        lane = int(configured)
        if not 0 <= lane < LANES:
            raise ValueError(f"POS_TICKET_LANE must be 0..{LANES - 1}, not {configured}")
        return lane
    digits = re.search(r"(\d+)$", node)
    if digits:
        return (int(digits.group(1)) - 1) % LANES
    letter = re.search(r"(?:^|[^a-z])([a-j])$", node.lower())
    if letter:
        return ord(letter.group(1)) - ord("a")
    if not has_peers:
        return 0
    return zlib.crc32(node.encode()) % LANES
