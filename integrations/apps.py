from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from runtime.workers import worker


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Order channels")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: models are not loaded before ready().
        from integrations import projections, push, webhooks  # noqa: F401  (registers the projectors)

        # Every second: a status change reaches the integrator about a second
        # after it happened; failed deliveries wait out their own back-off.
        worker("channel-webhooks", interval=1.0, once=True)(webhooks.deliveries_tick)
        worker("channel-push", interval=1.0, once=True)(push.push_tick)
