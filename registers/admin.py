from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from registers.models import Category, Device, MenuItem, Modifier, ModifierGroup, Order, OrderLine, Payment, Staff, Store
from sync.admin import PublishesMasterData


@admin.register(Store)
class StoreAdmin(PublishesMasterData, admin.ModelAdmin):
    list_display = ["code", "name", "time_zone", "day_cutover", "invoice_number"]
    search_fields = ["code", "name", "name_en"]
    exclude = ["sync_key"]


@admin.register(Category)
class CategoryAdmin(PublishesMasterData, admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "position"]
    list_editable = ["position"]
    search_fields = ["code", "name_ja", "name_en"]


class ModifierInline(admin.TabularInline):
    model = Modifier
    extra = 1


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


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "kind", "created_at", "revoked_at"]
    list_filter = ["kind", "store"]
    # Revocation is a replicated change (security/pairing.py), never a field edit.
    readonly_fields = ["created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # devices are paired (Pairing codes), so each gets its own token

    def has_delete_permission(self, request, obj=None):
        return False  # deleting would not reach the siblings; revoke instead

    @admin.action(description=_("Revoke the selected devices on every node"))
    def revoke(self, request, queryset):
        from security.pairing import device_revoke

        for device in queryset:
            device_revoke(device=device, by=request.user.get_username())
        self.message_user(request, _("Revoked: %(names)s") % {"names": ", ".join(d.name for d in queryset)})


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
