"""Stores and staff in admin, and the admin helpers for HQ-owned master data
that the menu's admin shares. Devices are in security's admin: they are
revoked through pairing, which lives there."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from stores.models import AnalystToken, Staff, Store, Table
from stores.services import analyst_token_revoke
from sync.admin import PublishesMasterData as _Publishes

if TYPE_CHECKING:  # the mixins below sit in front of a ModelAdmin or an inline
    _AdminBase = admin.options.BaseModelAdmin[Any]
else:
    _AdminBase = object


class HQOwned(_AdminBase):
    """At a store node, HQ's data is shown but not editable: a local edit would
    be overwritten by HQ's next change, so it is better not to offer one."""

    def _at_store(self) -> bool:
        return settings.POS_ROLE == "store"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return not self._at_store() and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._at_store() and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._at_store() and super().has_delete_permission(request, obj)


class PublishesMasterData(HQOwned, _Publishes):
    pass


class StoreChoice(_AdminBase):
    """``store`` is a code (a store node holds only its own Store row), picked from the stores HQ knows."""

    def formfield_for_dbfield(self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "store":
            choices = [(s.code, str(s)) for s in Store.objects.all()]
            return forms.ChoiceField(choices=choices, label=db_field.verbose_name)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Store)
class StoreAdmin(PublishesMasterData, admin.ModelAdmin):
    list_display = ["code", "name", "time_zone", "day_cutover", "invoice_number"]
    list_filter = ["time_zone"]
    search_fields = ["code", "name", "name_en", "invoice_number"]
    exclude = ["sync_key"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "role", "active"]
    list_filter = ["role", "store", "active"]


@admin.register(AnalystToken)
class AnalystTokenAdmin(admin.ModelAdmin):
    """Read-only analyst tokens of HQ: issued by ``manage.py analyst_token NAME`` (the token is
    shown once there), revoked here."""

    list_display = ["name", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    readonly_fields = ["name", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token made here could never be shown: the command prints it once

    def has_module_permission(self, request: HttpRequest) -> bool:
        return settings.POS_ROLE == "hq" and super().has_module_permission(request)

    @admin.action(description=_("Revoke the selected analyst tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[AnalystToken]) -> None:
        revoked = sum(analyst_token_revoke(name=row.name) for row in queryset)
        self.message_user(request, _("%(count)d analyst token(s) revoked.") % {"count": revoked})


@admin.register(Table)
class TableAdmin(StoreChoice, PublishesMasterData, admin.ModelAdmin):
    """The floor of each store: edited at HQ, published to that store only."""

    list_display = ["code", "store", "table", "area", "seats", "position"]
    list_filter = ["store", "area"]
    list_editable = ["area", "seats", "position"]
    search_fields = ["code", "table", "area"]
