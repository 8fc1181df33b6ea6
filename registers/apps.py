from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "registers"
    verbose_name = _("Registers")

    def ready(self) -> None:
        from registers import projections, sold_out  # noqa: F401  (registers the projectors)
        from posweb.workers import worker
        from registers.offline_card import offline_card_watch

        from posweb.runtime import wal_checkpoint

        worker("offline-card-alerts", interval=600)(offline_card_watch)
        worker("wal-checkpoint", interval=0.25)(wal_checkpoint)
