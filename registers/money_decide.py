"""Money on an existing order, decided once per store: the operations the store's decider runs.

Paying an open order, refunding, voiding, discounting and overriding a price
each read what the order has and add to it; two siblings doing that at the
same instant from their own databases could both succeed (two full refunds of
one sale). So the money API hands each one to ``sync.coordinator.decide``:
the store's decider runs it under its database lock (an IMMEDIATE
transaction on SQLite, ``select_for_update`` on PostgreSQL) and the answer,
status and body, goes back to the register as the decider gave it. The
manager's PIN travels with the request and is checked once, by the decider.

Each operation takes a sibling's JSON (``order_id``, the API ``body``, and
for refunds the ``register``) and validates it with the API's own schema.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from registers import adjustments, selectors, staff, tender, voids
from registers.schemas import DiscountIn, OrderOut, PayIn, PriceOverrideIn, RefundIn, RefundOut, VoidIn
from sync import coordinator

Answer = coordinator.Answer

log = logging.getLogger(__name__)

#: How long a decider that does not hold the order yet is asked again before
#: this node, which holds it, decides. Replication reaches a connected sibling
#: within about a second of the sale.
MISSING_WAIT_S = 2.0
MISSING_POLL_S = 0.2

REFUSALS: list[tuple[type[Exception], int]] = [
    (staff.TooManyPins, 429), (staff.NotAllowed, 403), (voids.OrderMissing, 404),
    (voids.MoneyConflict, 409), (voids.MoneyRejected, 422),
]
MONEY_ERRORS = (staff.NotAllowed, voids.OrderMissing, voids.MoneyConflict, voids.MoneyRejected)

VOID, DISCOUNT, OVERRIDE, PAY, REFUND = "money.void", "money.discount", "money.price_override", "money.pay", "money.refund"


def refused(exc: Exception) -> Answer:
    code = next(code for kind, code in REFUSALS if isinstance(exc, kind))
    return code, {"detail": str(exc)}


def money_decide(op: str, *, order_id: uuid.UUID, body: BaseModel, register: str = "") -> Answer:
    """Run money operation ``op`` where the store decides it; (status, JSON-ready body)."""
    args = {"order_id": str(order_id), "body": body.model_dump(mode="json"), "register": register}
    deadline = time.monotonic() + MISSING_WAIT_S
    for _ in range(int(MISSING_WAIT_S / MISSING_POLL_S) + 1):  # bounded; the deadline ends it first
        decision = coordinator.decide(op, args)
        # The decider answers "no order" for a sale sold on a node whose
        # changes have not reached it yet, though the manager sees it here.
        if decision.url is None or decision.status != 404 or not selectors.order_exists(str(order_id)):
            return decision.status, decision.body
        if time.monotonic() >= deadline:
            break
        time.sleep(MISSING_POLL_S)
    # Still not there: decided here, as when the decider does not answer (a
    # sibling doing the same meanwhile is flagged as a conflict, registers.conflicts).
    log.warning("the decider %s does not hold order %s yet; deciding %s here", decision.url, order_id, op)
    return coordinator.run_here(op, args)


def _order_answer(status: int, order_id: uuid.UUID) -> Answer:
    order = selectors.order_as_dict(selectors.order_get_written(order_id=order_id))
    return status, OrderOut.model_validate(order).model_dump(mode="json")


def _operation(op: str, schema: type[BaseModel]):
    """Register ``func(order_id, body, register) -> Answer`` as ``op``, parsing a sibling's args first."""

    def register(func: Callable[[uuid.UUID, Any, str], Answer]) -> Callable[[dict[str, Any]], Answer]:
        def run(args: dict[str, Any]) -> Answer:
            try:
                order_id = uuid.UUID(str(args.get("order_id")))
                body = schema.model_validate(args.get("body"))
            except (ValueError, ValidationError) as exc:
                return 422, {"detail": f"{op}: {exc}"[:500]}
            register_name = args.get("register")
            try:
                return func(order_id, body, register_name if isinstance(register_name, str) else "")
            except MONEY_ERRORS as exc:
                return refused(exc)

        coordinator.operation(op)(run)
        return run

    return register


@_operation(VOID, VoidIn)
def _void(order_id: uuid.UUID, body: VoidIn, register: str) -> Answer:
    voids.order_void(order_id=order_id, manager_pin=body.manager_pin, reason=body.reason)
    return _order_answer(200, order_id)


@_operation(DISCOUNT, DiscountIn)
def _discount(order_id: uuid.UUID, body: DiscountIn, register: str) -> Answer:
    adjustments.order_adjust(order_id=order_id, kind="discount", manager_pin=body.manager_pin, reason=body.reason,
                             amount=body.amount, percent=body.percent)
    return _order_answer(200, order_id)


@_operation(OVERRIDE, PriceOverrideIn)
def _override(order_id: uuid.UUID, body: PriceOverrideIn, register: str) -> Answer:
    adjustments.order_adjust(order_id=order_id, kind="override", manager_pin=body.manager_pin, reason=body.reason,
                             position=body.position, unit_price=body.unit_price)
    return _order_answer(200, order_id)


@_operation(PAY, PayIn)
def _pay(order_id: uuid.UUID, body: PayIn, register: str) -> Answer:
    _, created = adjustments.order_pay(
        order_id=order_id, batch_id=body.id,
        payments=[tender.Tender(p.method, p.amount, p.reference, p.offline) for p in body.payments],
    )
    return _order_answer(201 if created else 200, order_id)


@_operation(REFUND, RefundIn)
def _refund(order_id: uuid.UUID, body: RefundIn, register: str) -> Answer:
    refund, created = voids.order_refund(
        order_id=order_id,
        refund_id=body.id,
        manager_pin=body.manager_pin,
        reason=body.reason,
        lines=None if body.lines is None else [voids.RefundLine(line.position, line.qty) for line in body.lines],
        method=body.method,
        register=body.register or register,
    )
    return 201 if created else 200, RefundOut.model_validate(refund).model_dump(mode="json")
