"""A failed admin login counts towards AdminLoginThrottleMiddleware's limit."""

from __future__ import annotations

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from security.middleware import ADMIN_WINDOW_S, admin_login_keys
from security.throttle import throttle_fail


@receiver(user_login_failed)
def admin_login_failed(sender, credentials, request=None, **kwargs) -> None:
    for key in admin_login_keys(request, str(credentials.get("username", ""))):
        throttle_fail(scope="admin", key=key, window_s=ADMIN_WINDOW_S)
