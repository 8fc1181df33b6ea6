"""Menu: the catalogue HQ authors (stations, categories, items, modifiers),
each store's prices and availability, sold-out marks and the menu version."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MenuConfig(AppConfig):
    name = "menu"
    verbose_name = _("Menu")

    def ready(self) -> None:
        # Imported here, not at the top: models are not loaded before ready().
        from menu import sold_out  # noqa: F401  (registers the projectors)
