from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from registers.signals import item_sold_out
from runtime.workers import worker
from sync.hooks import peer_called, store_gate_provider


class HqConfig(AppConfig):
    name = "hq"
    verbose_name = _("HQ: stores, health and alerts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: models are not loaded before ready().
        from hq.alerts import alerts_check, sold_out_alert
        from hq.rollups import rollups_work  # also registers the projectors that mark days due
        from hq.selectors import store_relay_gate
        from hq.services import contact_from_call

        item_sold_out.connect(sold_out_alert)
        peer_called.connect(contact_from_call)
        store_gate_provider(store_relay_gate)

        # Often enough that "a store went silent" reaches a phone within a
        # minute of the threshold; each check is a handful of small queries.
        worker("alerts", interval=15, once=True)(alerts_check)
        if settings.POS_ROLE == "hq":
            # A quiet store's day is summed within this; a busy one at most
            # every RESUM_EVERY_S (hq/rollups.py).
            worker("rollups", interval=5, once=True)(rollups_work)
