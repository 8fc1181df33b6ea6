from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import admin

from sync.master import is_master, master_publish, master_withdraw
from sync.models import Change


class ReadOnlyAdmin(admin.ModelAdmin):
    """The change log and every projection of it: shown in admin, never edited there
    (an edit would not be a change, so no other node would ever see it)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    """The change log is append-only: read here, written only by services and replication."""

    list_display = ["kind", "store", "origin", "seq", "hlc", "recorded_at"]
    list_filter = ["kind", "store", "origin"]
    search_fields = ["=id", "origin"]


# The mixin is only ever mixed into a ModelAdmin; say so to the type checker.
if TYPE_CHECKING:
    _MixinBase = admin.ModelAdmin
else:
    _MixinBase = object


class PublishesMasterData(_MixinBase):
    """ModelAdmin mixin: at HQ, saving or deleting a master row (menu item,
    category, modifier, station, store) publishes it to every store. At a
    store the edit stays local and HQ's next change overwrites it."""

    def save_related(self, request, form, formsets, change):
        # After the many-to-many fields and inlines are saved, so the published
        # row is complete (a menu item's modifier groups, a group's modifiers).
        # The change list's inline editing (prices, availability) comes here too.
        super().save_related(request, form, formsets, change)
        _publish(form.instance)
        for formset in formsets:
            for obj in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
                _publish(obj)
            for obj in formset.deleted_objects:
                _withdraw(obj)

    def delete_model(self, request, obj):
        _withdraw(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _withdraw(obj)
        super().delete_queryset(request, queryset)


def _publish(obj) -> None:
    if settings.POS_ROLE == "hq" and is_master(obj):
        master_publish(instance=obj)


def _withdraw(obj) -> None:
    if settings.POS_ROLE == "hq" and is_master(obj):
        master_withdraw(instance=obj)
