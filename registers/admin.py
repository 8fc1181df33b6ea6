from django import forms
from django.conf import settings
from django.contrib import admin

from registers.models import (
    Category,
    MenuItem,
    Modifier,
    ModifierGroup,
    Order,
    OrderLine,
    Payment,
    SoldOut,
    Staff,
    Store,
    StoreItem,
)
from sync.admin import PublishesMasterData as _Publishes


class HQOwned:
    """At a store node, HQ's data is shown but not editable: a local edit would
    be overwritten by HQ's next change, so it is better not to offer one."""

    def _at_store(self) -> bool:
        return settings.POS_ROLE == "store"

    def has_add_permission(self, request, *args):
        return not self._at_store() and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return not self._at_store() and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._at_store() and super().has_delete_permission(request, obj)


class PublishesMasterData(HQOwned, _Publishes):
    pass


class StoreChoice:
    """``store`` is a code (a store node holds only its own Store row), picked from the stores HQ knows."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
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


@admin.register(Category)
class CategoryAdmin(PublishesMasterData, admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "position"]
    list_editable = ["position"]
    search_fields = ["code", "name_ja", "name_en"]


class ModifierInline(HQOwned, admin.TabularInline):
    model = Modifier
    extra = 1


class StoreItemInline(StoreChoice, HQOwned, admin.TabularInline):
    model = StoreItem
    extra = 0
    fields = ["store", "price", "available"]


@admin.register(ModifierGroup)
class ModifierGroupAdmin(PublishesMasterData, admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "min_choices", "max_choices"]
    inlines = [ModifierInline]
    search_fields = ["code", "name_ja", "name_en"]


@admin.register(MenuItem)
class MenuItemAdmin(PublishesMasterData, admin.ModelAdmin):
    list_display = ["sku", "name_ja", "name_en", "category", "price", "tax_class", "station", "available"]
    list_editable = ["price", "available"]
    list_filter = ["category", "tax_class", "station", "available"]
    search_fields = ["sku", "name_ja", "name_en"]
    filter_horizontal = ["modifier_groups"]
    inlines = [StoreItemInline]


@admin.register(StoreItem)
class StoreItemAdmin(StoreChoice, PublishesMasterData, admin.ModelAdmin):
    """Per-store prices and availability: published to that store only."""

    list_display = ["store", "item", "price", "available"]
    list_editable = ["price", "available"]
    list_filter = ["store", "available", "item__category"]
    search_fields = ["store", "item__sku", "item__name_ja", "item__name_en"]
    autocomplete_fields = ["item"]
    exclude = ["code"]


@admin.register(SoldOut)
class SoldOutAdmin(admin.ModelAdmin):
    """Sold-out marks made at the stores (a projection of their events): read only."""

    list_display = ["store", "sku", "sold_out", "staff", "at"]
    list_filter = ["store", "sold_out"]
    search_fields = ["sku", "staff"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "role", "active"]
    list_filter = ["role", "store", "active"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["sku", "name_ja", "qty", "unit_price", "amount", "tax_rate", "modifiers"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["method", "amount", "tendered", "change", "reference"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders are a projection of the change log: viewable, never edited here."""

    list_display = ["number", "business_date", "store", "dining", "status", "total", "paid", "placed_at"]
    list_filter = ["store", "business_date", "status", "dining"]
    search_fields = ["=id", "=number", "register"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, PaymentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Money and closing the day: projections, viewable at HQ, never edited here ---
from registers.models import DrawerEvent, OrderAdjustment, OrderVoid, Refund, Shift, ZReport  # noqa: E402


class ProjectionAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ZReport)
class ZReportAdmin(ProjectionAdmin):
    list_display = ["number", "store", "business_date", "staff", "closed_at"]
    list_filter = ["store"]


@admin.register(OrderVoid)
class OrderVoidAdmin(ProjectionAdmin):
    list_display = ["order_id", "store", "staff", "reason", "at"]
    list_filter = ["store"]


@admin.register(Refund)
class RefundAdmin(ProjectionAdmin):
    list_display = ["order_id", "store", "business_date", "method", "amount", "staff", "reason"]
    list_filter = ["store", "business_date"]


@admin.register(OrderAdjustment)
class OrderAdjustmentAdmin(ProjectionAdmin):
    list_display = ["order_id", "store", "kind", "position", "value", "staff", "reason"]
    list_filter = ["store", "kind"]


@admin.register(DrawerEvent)
class DrawerEventAdmin(ProjectionAdmin):
    list_display = ["business_date", "store", "register", "kind", "amount", "staff", "reason"]
    list_filter = ["store", "business_date", "kind"]


@admin.register(Shift)
class ShiftAdmin(ProjectionAdmin):
    list_display = ["staff_name", "role", "store", "register", "started_at", "ended_at"]
    list_filter = ["store", "role"]
