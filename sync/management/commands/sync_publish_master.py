"""At HQ: publish every master row (menu, stations, stores) to the stores again,
e.g. after loading the menu some other way than admin or seed_demo."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from sync.master import NotHQ, master_publish_all


class Command(BaseCommand):
    help = "At HQ: publish all master data (menu, stations, store settings) to every store."

    def handle(self, *args, **options) -> None:
        try:
            count = master_publish_all()
        except NotHQ as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"published {count} master rows")
