"""Stores: the shared domain of who and where (a store, its devices and staff,
its ticket numbers and trading day), used by every domain app above it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sync import hooks


class StoresConfig(AppConfig):
    name = "stores"
    verbose_name = _("Stores, devices and staff")

    def ready(self) -> None:
        # Imported here, not at the top: models are not loaded before ready().
        from stores.projections import staff_known
        from stores.selectors import store_sync_key

        hooks.store_key_resolver(store_sync_key)
        hooks.need_check("staff")(staff_known)
