from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "registers"
    verbose_name = _("Registers and menu")

    def ready(self) -> None:
        from registers import projections  # noqa: F401  (registers the projectors)
