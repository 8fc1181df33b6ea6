from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from runtime.health_checks import (
    CHANNEL_CHECK_S,
    WORKERS_CHECK_S,
    channel_layer_check,
    integrity_check,
    workers_elsewhere_check,
)
from runtime.housekeeping import wal_checkpoint
from runtime.workers import worker
from sync import hooks


class RegistersConfig(AppConfig):
    name = "registers"
    verbose_name = _("Registers")

    def ready(self) -> None:
        # Imported here, not at the top: models are not loaded before ready().
        from registers import check_projections, courses, money_decide, projections, sold_out  # noqa: F401  (projectors; the decider's money operations)
        from registers.check_selectors import check_exists
        from registers.journal_health import journal_check
        from registers.offline_card import offline_card_watch
        from registers.renumber import clashes_sweep
        from registers.selectors import order_exists

        worker("offline-card-alerts", interval=600, once=True)(offline_card_watch)
        worker("wal-checkpoint", interval=0.25)(wal_checkpoint)
        worker("renumber-sweep", interval=60)(clashes_sweep)
        hooks.need_check("order")(order_exists)
        hooks.need_check("check")(check_exists)
        # Health's checks (runtime/health.py): each runs at start, then on its interval.
        worker("integrity-check", interval=3600)(integrity_check)  # once per process; later ticks return
        worker("journal-check", interval=settings.POS_JOURNAL_CHECK_S)(journal_check)
        worker("channel-layer-check", interval=CHANNEL_CHECK_S)(channel_layer_check)
        worker("workers-elsewhere-check", interval=WORKERS_CHECK_S)(workers_elsewhere_check)
