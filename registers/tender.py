"""Settling a bill with tenders. Pure: no I/O.

Cash is handed over and change given back; card and QR are charged exactly, so
one may never exceed what is still due. Tenders settle the bill in the order
given, which is how a cashier takes a split payment.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.events import MAX_YEN

CASH = "cash"
CARD = "card"
QR = "qr"
METHODS = (CASH, CARD, QR)


class TenderError(ValueError):
    """The tenders cannot settle the bill; the message says why."""


@dataclass(frozen=True)
class Tender:
    method: str
    amount: int  # for cash: the amount handed over
    reference: str = ""
    offline: bool = False  # card taken store-and-forward (registers/offline_card.py)


@dataclass(frozen=True)
class Settled:
    method: str
    applied: int
    tendered: int
    change: int
    reference: str
    offline: bool = False

    @property
    def change_given(self) -> int:
        return self.change


def settle(total: int, tenders: list[Tender]) -> list[Settled]:
    """Apply ``tenders`` to ``total``; raise TenderError unless they cover it exactly (cash may exceed)."""
    due = total
    settled = []
    for index, tender in enumerate(tenders):
        where = f"payments[{index}]"
        if tender.method not in METHODS:
            raise TenderError(f"{where}: unknown method {tender.method!r} (use cash, card or qr)")
        if tender.amount <= 0:
            raise TenderError(f"{where}: amount must be a positive number of yen")
        if tender.amount > MAX_YEN:
            raise TenderError(f"{where}: {tender.amount:,} yen passes the limit of {MAX_YEN:,} yen for one amount")
        if due == 0:
            raise TenderError(f"{where}: the bill is already settled; nothing is left to pay")
        if tender.method == CASH:
            applied = min(tender.amount, due)
            settled.append(Settled(CASH, applied, tender.amount, tender.amount - applied, tender.reference))
        else:
            if tender.amount > due:
                raise TenderError(f"{where}: a {tender.method} payment of {tender.amount} yen exceeds the {due} yen due")
            applied = tender.amount
            settled.append(Settled(tender.method, applied, applied, 0, tender.reference, tender.offline))
        due -= applied
    if tenders and due > 0:
        raise TenderError(f"payments are {due} yen short of the {total} yen total")
    return settled
