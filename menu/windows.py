"""Menu windows (ランチ 11:00–15:00, a late-night price tier): what an item costs
and whether it is sold at a given moment, in the store's own time zone.

Applied where an order is priced (registers.services) and where the menu is
shown (registers.selectors), so a register and the order it sends agree.
The moment is the sale's own: an order rung up offline at 14:59 and sent at
15:30 is priced at 14:59 (registers.services decides which moment to trust).
When several open windows price one item, the first by (position, code) wins.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from menu.models import MenuItem, MenuWindow


def window_open(window: MenuWindow, local: dt.time) -> bool:
    """Whether ``window`` is open at the store's local time of day ``local`` (end exclusive)."""
    if window.starts < window.ends:
        return window.starts <= local < window.ends
    return local >= window.starts or local < window.ends  # runs past midnight


def local_time(at: dt.datetime, time_zone: str) -> dt.time:
    return at.astimezone(zoneinfo.ZoneInfo(time_zone)).time()


def item_at(item: MenuItem, local: dt.time) -> tuple[int, bool]:
    """``item``'s (price, whether it is sold) at local time ``local``; ``item.price`` is
    the store's usual price. An item with rows marked ``only`` is sold only while
    one of their windows is open. Reads ``item.window_prices`` (prefetch them with
    their window)."""
    rows = list(item.window_prices.all())
    open_rows = sorted(
        (wp for wp in rows if window_open(wp.window, local)), key=lambda wp: (wp.window.position, wp.window.code)
    )
    priced = [wp.price for wp in open_rows if wp.price is not None]
    sold = not any(wp.only for wp in rows) or any(wp.only for wp in open_rows)
    return (priced[0] if priced else item.price), sold


def apply_windows(items: list[MenuItem], *, at: dt.datetime, time_zone: str) -> list[MenuItem]:
    """Copies of ``items`` with ``price`` and ``available`` as sold at ``at`` (the
    originals may be a shared cache and are never changed)."""
    local = local_time(at, time_zone)
    result = []
    for item in items:
        price, sold = item_at(item, local)
        if price != item.price or not sold:
            item = _copy(item)
            item.price = price
            item.available = item.available and sold
        result.append(item)
    return result


def _copy(item: MenuItem) -> MenuItem:
    clone = MenuItem.__new__(MenuItem)
    clone.__dict__.update(item.__dict__)  # keeps the prefetched relations and the store's annotations
    return clone
