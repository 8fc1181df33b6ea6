"""Stores and staff in admin, and the admin helpers for HQ-owned master data
that the menu's admin shares. Devices are in security's admin: they are
revoked through pairing, which lives there."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from stores.models import AnalystToken, Staff, Store, Table
from stores.services import StaffRejected, analyst_token_revoke, staff_deactivate, staff_save, staff_save_check
from sync.admin import PublishesMasterData as _Publishes

if TYPE_CHECKING:  # the mixins below sit in front of a ModelAdmin or an inline
    _AdminBase = admin.options.BaseModelAdmin[Any]
else:
    _AdminBase = object


READ_ONLY_AT_STORE = _(
    "Read only at this store node: this is authored at HQ and signed with HQ's key. "
    "Edit it in HQ's admin; the change reaches this store's nodes within seconds."
)


class HQOwned(_AdminBase):
    """At a store node, HQ's data is shown but not editable: a local edit would
    be overwritten by HQ's next change, so it is better not to offer one. The
    pages say so, so that nobody wonders why there is no Save button."""

    def _at_store(self) -> bool:
        return settings.POS_ROLE == "store"

    def _say_why_read_only(self, request: HttpRequest) -> None:
        if self._at_store() and request.method == "GET":
            messages.info(request, READ_ONLY_AT_STORE)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        self._say_why_read_only(request)
        return super().changelist_view(request, extra_context)  # type: ignore[misc]

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict[str, Any] | None = None) -> Any:
        self._say_why_read_only(request)
        return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

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


class StaffForm(forms.ModelForm):
    """HQ's staff form: the stores a person works at, and a PIN that is set here and never shown again."""

    stores = forms.MultipleChoiceField(label=_("stores they work at"), widget=forms.CheckboxSelectMultiple)
    pin = forms.CharField(
        label=_("new PIN"), required=False, min_length=4, max_length=8,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "inputmode": "numeric"}),
        help_text=_("4 to 8 digits. Leave empty to keep the current PIN. It is stored only as a salted hash and never shown again."),
    )

    class Meta:
        model = Staff
        fields = ["name", "role", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["stores"]).choices = [(s.code, str(s)) for s in Store.objects.all()]
        if self.instance.pk:
            self.fields["stores"].initial = list(
                Staff.objects.filter(code=self.instance.code, active=True).values_list("store", flat=True)
            ) or [self.instance.store]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            staff_save_check(code=self.instance.code or None, stores=data.get("stores") or [],
                             active=bool(data.get("active")), pin=data.get("pin") or None)
        except StaffRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        return data


@admin.register(Staff)
class StaffAdmin(HQOwned, admin.ModelAdmin):
    """At HQ: people, their role, their stores and PIN, published to those stores
    (``staff.set``). Never deleted: deactivated, so their past sales keep a name."""

    form = StaffForm
    list_display = ["name", "store", "role", "active", "pin_set_by", "pin_set_at"]
    list_filter = ["role", "store", "active"]
    search_fields = ["name", "code"]
    readonly_fields = ["code", "pin_set_by", "pin_set_reason", "pin_set_at"]
    actions = ["deactivate"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if self._at_store():
            return ["name", "store", "role", "active", "code", "pin_set_by", "pin_set_reason", "pin_set_at"]
        return ["name", "role", "stores", "pin", "active", "code", "pin_set_by", "pin_set_reason", "pin_set_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Staff, form: Any, change: bool) -> None:
        data = form.cleaned_data
        code = staff_save(
            code=obj.code if change else None, name=data["name"], role=data["role"], stores=data["stores"],
            active=data["active"], pin=data.get("pin") or None, by=request.user.get_username(),
        )
        saved = Staff.objects.filter(code=code).order_by("-active", "store").first()
        if saved is not None:
            obj.pk, obj.code, obj.store = saved.pk, saved.code, saved.store

    @admin.action(description=_("Deactivate the selected staff at every store"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Staff]) -> None:
        codes = sorted(set(queryset.values_list("code", flat=True)))
        for code in codes:
            staff_deactivate(code=code, by=request.user.get_username())
        self.message_user(request, _("%(count)d staff member(s) deactivated.") % {"count": len(codes)}, messages.SUCCESS)


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
