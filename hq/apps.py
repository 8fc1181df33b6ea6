from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HqConfig(AppConfig):
    name = "hq"
    verbose_name = _("HQ: stores, health and alerts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hq.alerts import alerts_check, sold_out_alert
        from registers.signals import item_sold_out
        from runtime.workers import worker

        item_sold_out.connect(sold_out_alert)

        # Often enough that "a store went silent" reaches a phone within a
        # minute of the threshold; each check is a handful of small queries.
        worker("alerts", interval=15)(alerts_check)
