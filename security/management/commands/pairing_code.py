"""Issue a pairing code from a shell (the same as admin's "Add pairing code"):
``python manage.py pairing_code register-2 --kind register``. Prints the code only."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from security.pairing import PAIRING_TTL_S, pairing_code_issue


class Command(BaseCommand):
    help = "Issue a one-time pairing code for a new register tablet or kitchen screen."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the device's name, unique in the store")
        parser.add_argument("--kind", choices=["register", "kitchen"], default="register")

    def handle(self, *args, **options):
        _row, code = pairing_code_issue(store=settings.POS_STORE, name=options["name"], kind=options["kind"], by="manage.py")
        self.stderr.write(f"valid once, for {PAIRING_TTL_S // 60} minutes; enter it at /pair/ on the device")
        self.stdout.write(code)
