"""Load the demo store: a Japanese quick-service menu, kitchen stations, staff and a register device.

Idempotent: running it again updates the same rows and adds nothing twice.
The rows are written by their owners (stores/demo.py, menu/demo.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from menu.demo import ITEMS, STATIONS, demo_menu_seed
from stores.demo import STAFF, demo_floor_seed, demo_store_seed
from sync.master import master_publish_all


class Command(BaseCommand):
    help = "Load the demo store's menu, stations, staff and register device (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        store = demo_store_seed(sync_key=settings.POS_SYNC_KEY if settings.POS_ROLE == "hq" else None)
        demo_menu_seed()
        demo_floor_seed()
        self.stdout.write(f"demo store {store.code}: {len(ITEMS)} items, {len(STATIONS)} stations, {len(STAFF) if settings.POS_DEMO else 0} staff")
        if settings.POS_ROLE == "hq":
            self.stdout.write(f"published {master_publish_all()} master rows to the stores")
