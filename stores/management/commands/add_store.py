"""Register a store (at HQ) with the sync key its nodes authenticate with."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from stores.models import Store, code_validator


class Command(BaseCommand):
    help = "Add or update a store and its sync key: add_store CODE --key KEY [--name NAME]"

    def add_arguments(self, parser) -> None:
        parser.add_argument("code")
        parser.add_argument("--key", required=True, help="the store's POS_SYNC_KEY")
        parser.add_argument("--name", default="")
        parser.add_argument("--time-zone", default="Asia/Tokyo")

    def handle(self, *args, code: str, key: str, name: str, time_zone: str, **options) -> None:
        try:
            code_validator(code)
        except ValidationError:
            raise CommandError(f"store code {code!r} may contain only letters, digits, - and _") from None
        if len(key) < 8:
            raise CommandError("the sync key must be at least 8 characters")
        store, created = Store.objects.update_or_create(
            code=code, defaults={"name": name or code, "sync_key": key, "time_zone": time_zone}
        )
        self.stdout.write(f"{'added' if created else 'updated'} store {store.code}")
