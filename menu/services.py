"""Writes about the menu that are not master data or sold-out marks: a station's own printer."""

from __future__ import annotations

from menu.models import Station


def station_printer_set(*, code: str, host: str, port: int) -> bool:
    """Point station ``code`` at the ESC/POS printer ``host``:``port`` (blank host: none).
    False when there is no such station."""
    return bool(Station.objects.filter(code=code).update(printer_host=host, printer_port=port))
