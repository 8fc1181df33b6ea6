"""Stores: the shared domain of who and where (a store, its devices and staff,
its ticket numbers and trading day), used by every domain app above it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    name = "stores"
    verbose_name = _("Stores, devices and staff")
