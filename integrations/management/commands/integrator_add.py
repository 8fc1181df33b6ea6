"""Issue an integrator's API key from the command line (the key is printed once; only its digest is kept)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from integrations.services import integrator_create


class Command(BaseCommand):
    help = "Add an integrator for this store and print its API key and webhook signing secret."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")
        parser.add_argument("--webhook", default="", help="URL that receives signed status changes")
        parser.add_argument("--channels", default="", help="comma-separated channels it may use (default: all)")
        parser.add_argument("--store", default=settings.POS_STORE)

    def handle(self, *args, name: str, webhook: str, channels: str, store: str, **options) -> None:
        integrator, key = integrator_create(name=name, store=store, webhook_url=webhook)
        if channels:
            integrator.channels = channels
            integrator.save(update_fields=["channels"])
        self.stdout.write(f"key {key}\nwebhook_secret {integrator.webhook_secret}\nid {integrator.id}")
