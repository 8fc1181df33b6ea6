"""Make the demo's admin user once and say how to log in (demo stores only)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo admin user 'admin' with a generated password kept under POS_DATA_DIR."

    def handle(self, *args, **options) -> None:
        path = settings.POS_DATA_DIR / "demo-admin-password.txt"
        User = get_user_model()
        user = User.objects.filter(username="admin").first()
        if user is None:
            password = secrets.token_urlsafe(9)
            User.objects.create_superuser("admin", "", password)
            path.write_text(password + "\n")
            path.chmod(0o600)
        password = path.read_text().strip() if path.exists() else "(set before this demo; see createsuperuser)"
        self.stdout.write(f"admin login: admin / {password}")
