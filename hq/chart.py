"""Sales by hour as SVG bars: pure geometry, no I/O, so the dashboard needs no
chart library and no CDN (the store LAN may have no internet)."""

from __future__ import annotations

from typing import Any

WIDTH, HEIGHT, PAD = 720, 200, 20


def hour_bars(hours: list[dict[str, Any]]) -> dict[str, Any]:
    """One bar per hour (0-23) scaled to the busiest hour; labels every 3 hours."""
    top = max((h["total"] for h in hours), default=0) or 1
    slot = (WIDTH - 2 * PAD) / 24
    bars = []
    for h in hours:
        height = round((HEIGHT - 2 * PAD) * h["total"] / top, 1)
        bars.append({
            "hour": h["hour"], "total": h["total"], "orders": h["orders"],
            "x": round(PAD + h["hour"] * slot + 2, 1), "width": round(slot - 4, 1),
            "y": round(HEIGHT - PAD - height, 1), "height": height,
            "label_x": round(PAD + h["hour"] * slot + slot / 2, 1), "label": h["hour"] % 3 == 0,
        })
    return {"width": WIDTH, "height": HEIGHT, "baseline": HEIGHT - PAD, "bars": bars, "top": top if top > 1 else 0}
