from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from runtime.workers import worker
from sync import hooks


class KitchenConfig(AppConfig):
    name = "kitchen"
    verbose_name = _("Kitchen")

    def ready(self) -> None:
        # Imported here, not at the top: models are not loaded before ready().
        from kitchen import printing, projections  # noqa: F401  (registers the projectors)
        from kitchen.selectors import kitchen_presence

        # Every second, so a ticket no screen acknowledged prints within about
        # a second of POS_KITCHEN_ACK_TIMEOUT.
        worker("kitchen-print-fallback", interval=1.0)(printing.print_fallback_tick)
        # HQ's store health shows each node's live screens and printers.
        hooks.hq_pull_extra("kitchen")(kitchen_presence)
