"""Django's createsuperuser, but --noinput also enforces the password validators.

Django checks AUTH_PASSWORD_VALIDATORS only when it prompts; with
DJANGO_SUPERUSER_PASSWORD (the contract's way of making an HQ admin) it would
take "admin". HQ admins hold every store's menu and money.
"""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if not options["interactive"] and password:
            User = get_user_model()
            username = options.get(User.USERNAME_FIELD) or os.environ.get(f"DJANGO_SUPERUSER_{User.USERNAME_FIELD.upper()}", "")
            email = options.get("email") or os.environ.get("DJANGO_SUPERUSER_EMAIL", "")
            try:
                validate_password(password, User(**{User.USERNAME_FIELD: username, "email": email}))
            except ValidationError as exc:
                raise CommandError("DJANGO_SUPERUSER_PASSWORD is too weak: " + " ".join(exc.messages)) from None
        return super().handle(*args, **options)
