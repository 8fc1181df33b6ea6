"""Show this node's VAPID public key for Web Push, making the key pair under POS_DATA_DIR if none is configured."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from integrations import push


class Command(BaseCommand):
    help = "Print the VAPID public key (and make the private key under POS_DATA_DIR if POS_VAPID_PRIVATE_KEY is unset)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(push.vapid_public_key())
