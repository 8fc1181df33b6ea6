"""Point a kitchen station at its ESC/POS printer: ``manage.py station_printer grill 10.0.0.50:9100``.

An empty address (``""``) removes the printer; the station then has no printed fallback.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from menu.models import Station
from menu.services import station_printer_set


class Command(BaseCommand):
    help = "Set (or with an empty address, clear) a kitchen station's ESC/POS printer, host[:port]."

    def add_arguments(self, parser):
        parser.add_argument("station")
        parser.add_argument("address", help="host or host:port (port 9100 when omitted); '' to clear")

    def handle(self, station: str, address: str, **options):
        host, _, port = address.strip().rpartition(":") if ":" in address else (address.strip(), "", "9100")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise CommandError(f"port must be a number from 1 to 65535, not {port!r}")
        if not station_printer_set(code=station, host=host, port=int(port)):
            known = ", ".join(Station.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"no station {station!r} (stations: {known})")
        self.stdout.write(f"{station}: " + (f"printer {host}:{port}" if host else "no printer"))
