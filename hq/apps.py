from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from registers.signals import item_sold_out
from runtime.workers import worker
from sync.hooks import peer_called


class HqConfig(AppConfig):
    name = "hq"
    verbose_name = _("HQ: stores, health and alerts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: models are not loaded before ready().
        from hq.alerts import alerts_check, sold_out_alert
        from hq.rollups import rollups_refresh  # also registers the projectors that mark days due
        from hq.services import contact_from_call

        item_sold_out.connect(sold_out_alert)
        peer_called.connect(contact_from_call)

        # Often enough that "a store went silent" reaches a phone within a
        # minute of the threshold; each check is a handful of small queries.
        worker("alerts", interval=15, once=True)(alerts_check)
        if settings.POS_ROLE == "hq":
            # Chain-wide reports lag the orders by at most about this.
            worker("rollups", interval=5, once=True)(rollups_refresh)
