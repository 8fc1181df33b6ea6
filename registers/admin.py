from django.contrib import admin

from registers.models import DrawerEvent, Order, OrderAdjustment, OrderLine, OrderVoid, Payment, Refund, Shift, ZReport
from sync.admin import ReadOnlyAdmin


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
class OrderAdmin(ReadOnlyAdmin):
    """Orders are a projection of the change log: viewable, never edited here."""

    list_display = ["number", "business_date", "store", "dining", "status", "total", "paid", "placed_at"]
    list_filter = ["store", "business_date", "status", "dining"]
    search_fields = ["=id", "=number", "register"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, PaymentInline]


# --- Money and closing the day: projections, viewable at HQ, never edited here ---


@admin.register(ZReport)
class ZReportAdmin(ReadOnlyAdmin):
    list_display = ["number", "store", "business_date", "staff", "closed_at"]
    list_filter = ["store"]


@admin.register(OrderVoid)
class OrderVoidAdmin(ReadOnlyAdmin):
    list_display = ["order_id", "store", "staff", "reason", "at"]
    list_filter = ["store"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["order_id", "store", "business_date", "method", "amount", "staff", "reason"]
    list_filter = ["store", "business_date"]


@admin.register(OrderAdjustment)
class OrderAdjustmentAdmin(ReadOnlyAdmin):
    list_display = ["order_id", "store", "kind", "position", "value", "staff", "reason"]
    list_filter = ["store", "kind"]


@admin.register(DrawerEvent)
class DrawerEventAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "store", "register", "kind", "amount", "staff", "reason"]
    list_filter = ["store", "business_date", "kind"]


@admin.register(Shift)
class ShiftAdmin(ReadOnlyAdmin):
    list_display = ["staff_name", "role", "store", "register", "started_at", "ended_at"]
    list_filter = ["store", "role"]
