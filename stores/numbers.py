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
    """Lowest and highest number of ``lane`` (node lanes 0..9 and register lanes 10..99)."""
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


# Offline registers number their own sales, so a customer hears a number even
# when no node answers. They use lanes the nodes never use: nodes own lanes
# 0..9 (numbers 1..9999), registers own lanes 10..99 (numbers 10001..99999), so
# a register's number can never collide with a node's, nor with another
# register's, without any coordination.
REGISTER_LANES = range(LANES, 100)


def lane_for_register(register: str) -> int:
    """The register's lane: its name's trailing number (``register-1`` -> 10,
    ``register-2`` -> 11), else a stable hash of the name."""
    digits = re.search(r"(\d+)$", register)
    span = len(REGISTER_LANES)
    if digits:
        return REGISTER_LANES.start + (int(digits.group(1)) - 1) % span
    return REGISTER_LANES.start + zlib.crc32(register.encode()) % span


def register_number_ok(register: str, number: int) -> bool:
    """Whether ``number`` lies in the block of ``register`` (the server accepts no other)."""
    low, high = lane_range(lane_for_register(register))
    return low <= number <= high


def register_for_claim(node_lane: int, count: int) -> str:
    """The name of the ``count``-th (1-based) register identity a node of lane
    ``node_lane`` hands out: ``register-N`` with N-1 = node_lane (mod 10), so two
    nodes never hand out the same name, nor the same register lane. The first
    claim skips the lane's first name (``register-1`` on lane 0: the demo
    device's own name, which tablets that never claimed keep using); after
    nine, the names come round again."""
    if not 0 <= node_lane < LANES:
        raise ValueError(f"node lane must be 0..{LANES - 1}, not {node_lane}")
    if count < 1:
        raise ValueError("count starts at 1")
    per_node = len(REGISTER_LANES) // LANES
    return f"register-{node_lane + 1 + LANES * (count % per_node)}"
