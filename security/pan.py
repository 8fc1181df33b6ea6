"""Card numbers (PANs) in free text: pure, no I/O.

A POS that stores a card number falls under PCI DSS; this one never takes
one. Anything a client sends that reads as 13-19 digits (spaces or dashes
between groups allowed) passing the Luhn check is refused before it can be
recorded, so a cashier who types a card number into a reference field gets
an error instead of a card number in the change log of every node and HQ.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

# Digits with at most one space or dash between them: "4111 1111-1111 1111".
_RUN = re.compile(r"\d(?:[ -]?\d)+")
# Machine-made ids inside a longer string ("qr-<uuid>", a hex digest): their
# digit groups read as a card about once in a few hundred, and nobody types a
# card number into them. They are blanked before the scan.
_IDS = re.compile(r"\b(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32,})\b", re.IGNORECASE)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def looks_like_pan(text: str) -> bool:
    """True when ``text`` holds a 13-19 digit Luhn-valid number anywhere in it
    (outside the UUIDs and hex digests it may carry)."""
    for run in _RUN.finditer(_IDS.sub(" ", text)):
        digits = re.sub(r"\D", "", run.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            return True
    return False


def strings_in(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(where, text) for every string in a decoded JSON value, keys included."""
    if isinstance(value, str):
        yield path or "body", value
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            yield where, str(key)
            yield from strings_in(item, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from strings_in(item, f"{path}[{i}]")


def pan_field(value: Any) -> str | None:
    """Where the first card-number-like string in ``value`` is, or None."""
    for where, text in strings_in(value):
        if len(text) >= 13 and not _is_uuid(text) and looks_like_pan(text):
            return where
    return None


def _is_uuid(text: str) -> bool:
    # Client-made ids are UUIDs; their digit groups must never read as a card.
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
