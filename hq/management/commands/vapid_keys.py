from django.core.management.base import BaseCommand

from runtime.notify.webpush import key_dir, vapid_keys_generate


class Command(BaseCommand):
    help = "Make the VAPID key pair for Web Push alerts under POS_DATA_DIR/vapid (kept if present) and print the public key."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="replace existing keys (every browser must subscribe again)")

    def handle(self, *args, force: bool = False, **options):
        keys = vapid_keys_generate(force=force)
        self.stdout.write(f"keys in {key_dir()}\nVAPID_PUBLIC_KEY={keys.public_key}")
