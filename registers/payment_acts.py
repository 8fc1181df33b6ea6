"""Which act of taking money each recorded payment is, and the payment row it becomes.

A payment's id is derived from its order and position (events.payment_id_for),
so two nodes that each took money for one order during a partition claim the
same id. The earliest act keeps the id; a later act's row gets a sibling id.
The projection (registers/projections.py), the conflict rules
(registers/conflicts.py) and a closed day's count (registers/day_close.py)
all decide this here, so they never disagree on which row is which payment.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import cast

from registers.events import OrderPaid, OrderPlaced, PaymentMade
from sync.merge import claims_by_act
from sync.models import Change
from sync.projection import recorded

PaymentClaim = tuple[uuid.UUID, str, tuple[int, str], tuple[uuid.UUID, dt.datetime, PaymentMade]]


def _claims(order_ids: set[uuid.UUID]) -> Iterator[tuple[PaymentClaim, str, int]]:
    """Each claim with the (origin, seq) of the change that made it."""
    keys = [str(order_id) for order_id in order_ids]
    requests: dict[tuple[uuid.UUID, str], str] = {}
    for change in Change.objects.filter(kind=OrderPlaced.kind, payload__id__in=keys):
        placed = cast(OrderPlaced, recorded(change).event)
        requests[(placed.id, change.origin)] = placed.request_hash
    for change in Change.objects.filter(kind=OrderPaid.kind, payload__order__in=keys):
        item = recorded(change)
        paid = cast(OrderPaid, item.event)
        if paid.batch is not None:
            act = f"batch:{paid.batch}"
        else:
            act = f"placed:{requests.get((paid.order, change.origin), change.origin)}"
        for p in paid.payments:
            yield (p.id, act, item.version, (paid.order, paid.at, p)), change.origin, change.seq


def payment_claims(order_ids: set[uuid.UUID]) -> list[PaymentClaim]:
    """Every claim on the payments of ``order_ids`` in the change log: (payment id, act, version, payment).

    The act says which real act of taking money a claim records: a later
    payment is its ``batch`` (the register's idempotency key); a payment made
    with the sale is the sale's request (one body sent to two nodes is one
    sale, paid once; two bodies under one id are two sales, each paid).
    """
    return [claim for claim, _, _ in _claims(order_ids)]


def sibling_payment_id(payment_id: uuid.UUID, act: str) -> uuid.UUID:
    """The row id of a payment whose id an earlier act already holds: derived, so every node makes the same."""
    return uuid.uuid5(payment_id, f"sibling:{act}")


def payment_rows_covered(order_ids: set[uuid.UUID], covered: Callable[[str, int], bool]) -> set[uuid.UUID]:
    """The payment rows of ``order_ids`` that some change ``covered`` accepts
    recorded. By act, not by claimed id: an act that a Z counted is the same
    money after a partition's other act, placed earlier, takes its id."""
    claims = list(_claims(order_ids))
    acts_counted = {(claim[0], claim[1]) for claim, origin, seq in claims if covered(origin, seq)}
    rows: set[uuid.UUID] = set()
    for payment_id, acts in claims_by_act(claim for claim, _, _ in claims).items():
        for index, (act, _) in enumerate(acts):
            if (payment_id, act) in acts_counted:
                rows.add(payment_id if index == 0 else sibling_payment_id(payment_id, act))
    return rows


def paid_changes_counted(order_ids: set[uuid.UUID], covered: Callable[[str, int], bool]) -> set[tuple[str, int]]:
    """The order.paid changes, as (origin, seq), whose every act some change
    ``covered`` accepts recorded: a sale's payment placed on two nodes (a
    register's retry) is one act, counted through either."""
    claims = list(_claims(order_ids))
    acts_counted = {(claim[0], claim[1]) for claim, origin, seq in claims if covered(origin, seq)}
    by_change: dict[tuple[str, int], list[tuple[uuid.UUID, str]]] = {}
    for claim, origin, seq in claims:
        by_change.setdefault((origin, seq), []).append((claim[0], claim[1]))
    return {change for change, acts in by_change.items() if all(act in acts_counted for act in acts)}
