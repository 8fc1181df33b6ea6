"""Projectors of table checks (registers/check_events.py) into Check and CheckRound.

Order-independent: the events that name a check wait for its opening
(CheckFact.requires); a round joins its order when read, so the order and its
round may arrive in either order.
"""

from __future__ import annotations

from registers.check_events import CheckMerged, CheckMoved, CheckOpened, CheckRoundSent, CheckSettled
from registers.models import Check, CheckRound
from sync import merge
from sync.projection import Recorded, projector


@projector(CheckOpened)
def check_opened(change: Recorded[CheckOpened]) -> None:
    data = change.event
    fields = {"store": change.store, "table": data.table, "guests": data.guests, "number": data.number,
              "business_date": data.business_date, "register": data.register_name, "opened_at": data.at,
              "opened_hlc": change.hlc, "opened_origin": change.origin}
    check, created = Check.objects.select_for_update().get_or_create(id=data.check, defaults=fields)
    if created or not merge.placement_wins(change.version, (check.opened_hlc, check.opened_origin)):
        return
    # The same check opened on two cut-off nodes (a replayed command): the earliest opening stands.
    if check.table_hlc == 0:
        check.table = data.table
    for name in ("guests", "number", "business_date", "register", "opened_at", "opened_hlc", "opened_origin"):
        setattr(check, name, fields[name])
    check.save()


@projector(CheckRoundSent)
def check_round(change: Recorded[CheckRoundSent]) -> None:
    data = change.event
    CheckRound.objects.get_or_create(order_id=data.order, defaults={"check_id": data.check, "source": data.source, "at": data.at})


@projector(CheckMoved)
def check_moved(change: Recorded[CheckMoved]) -> None:
    check = Check.objects.select_for_update().get(pk=change.event.check)
    if not merge.lww_wins(change.version, (check.table_hlc, check.table_origin)):
        return
    check.table, check.table_hlc, check.table_origin = change.event.table, change.hlc, change.origin
    check.save(update_fields=["table", "table_hlc", "table_origin"])


@projector(CheckMerged)
def check_merged(change: Recorded[CheckMerged]) -> None:
    data = change.event
    check = Check.objects.select_for_update().get(pk=data.check)
    # Merged twice (two nodes, two targets): the earliest merge stands everywhere.
    if check.merged_at is not None and (check.merged_at, str(check.merged_into)) <= (data.at, str(data.into)):
        return
    check.merged_into, check.merged_at = data.into, data.at
    check.save(update_fields=["merged_into", "merged_at"])


@projector(CheckSettled)
def check_settled(change: Recorded[CheckSettled]) -> None:
    data = change.event
    check = Check.objects.select_for_update().get(pk=data.check)
    seen = sorted({*check.settled_orders, *(str(order) for order in data.orders)})
    check.settled_orders = seen
    check.settled_at = min(check.settled_at, data.at) if check.settled_at else data.at
    check.save(update_fields=["settled_orders", "settled_at"])
