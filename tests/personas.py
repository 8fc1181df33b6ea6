"""Personas and factories shared by the tests: what a register sends, hand-computed receipts."""

from __future__ import annotations

import os
import uuid
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def order_body(**overrides: Any) -> dict[str, Any]:
    """A register's order: two large beef bowls to take out and a beer, paid in cash."""
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "register": "register-1",
        "dining": "take_out",
        "lines": [
            {"sku": "GYUDON", "qty": 2, "modifiers": ["size_oomori", "top_egg"]},
            {"sku": "BEER", "qty": 1},
            {"sku": "FRIES", "qty": 1},
        ],
        "payments": [{"method": "cash", "amount": 3000}],
    }
    body.update(overrides)
    return body


# The receipt for order_body(), worked out by hand:
#   GYUDON 468 + large 110 + egg 80 = 658 x 2 = 1316 (food, take-out: 8 %)
#   FRIES 250                                   (food, take-out: 8 %)
#   BEER 550                                    (alcohol: always 10 %)
#   8 %: 1566 tax-included, tax floor(1566 * 8 / 108) = 116
#   10 %: 550 tax-included, tax floor(550 * 10 / 110) = 50
#   total 2116; cash 3000, change 884
HAND_RECEIPT = {
    "total": 2116,
    "taxes": [{"rate": 10, "taxable": 550, "tax": 50}, {"rate": 8, "taxable": 1566, "tax": 116}],
    "change": 884,
}


def kitchen_socket_protocols() -> list[str]:
    """The subprotocols a kitchen screen offers: its device token rides in them (security/wsauth.py)."""
    from stores.demo import demo_kitchen_token

    return ["posweb", f"bearer.{demo_kitchen_token()}"]
