"""Optional discovery of sibling nodes on the LAN (POS_DISCOVERY=1)."""

from __future__ import annotations


def discovered_urls() -> list[str]:
    return []
