from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KitchenConfig(AppConfig):
    name = "kitchen"
    verbose_name = _("Kitchen")

    def ready(self) -> None:
        from kitchen import projections  # noqa: F401  (registers the projectors)
