"""Security: device pairing and revocation, staff lock-out, web hardening.

Its own app because it cuts across the others: it owns the pairing codes and
the attempt log (rate limits that hold across every daphne process of a node),
the device.paired / device.revoked projections, and the middleware that adds
security headers and keeps card numbers out of the API.
"""

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: models are not loaded before ready().
        from security import projections, signals, throttle  # noqa: F401  (projectors, signal handlers, the decider's throttle operations)
