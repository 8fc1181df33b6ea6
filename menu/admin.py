"""The HQ menu editor: kitchen stations, categories, modifiers, items, store prices
(published as master data when saved at HQ, read only at a store), and sold-out marks."""

from __future__ import annotations

from django.contrib import admin

from menu.models import (
    Category,
    MenuItem,
    MenuWindow,
    Modifier,
    ModifierGroup,
    SetComponent,
    SoldOut,
    Station,
    StoreItem,
    WindowPrice,
)
from stores.admin import HQOwned, PublishesMasterData, StoreChoice
from sync.admin import PublishesMasterData as PublishesEditableAtStore
from sync.admin import ReadOnlyAdmin


# Editable at a store too: the printer fields are each store's own (never shipped).
@admin.register(Station)
class StationAdmin(PublishesEditableAtStore, admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "position", "printer_host", "printer_port"]
    list_editable = ["position", "printer_host", "printer_port"]


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


class SetComponentInline(HQOwned, admin.TabularInline):
    """A set menu's components (an item with none is sold on its own)."""

    model = SetComponent
    fk_name = "set_item"
    extra = 0
    fields = ["item", "qty", "position"]
    autocomplete_fields = ["item"]


class WindowPriceInline(HQOwned, admin.TabularInline):
    """The items a menu window sells, and at what price (empty: the usual one)."""

    model = WindowPrice
    extra = 1
    fields = ["item", "price", "only"]
    autocomplete_fields = ["item"]


@admin.register(MenuWindow)
class MenuWindowAdmin(PublishesMasterData, admin.ModelAdmin):
    """Lunch, late night...: times in each store's own time zone."""

    list_display = ["code", "name_ja", "name_en", "starts", "ends", "position"]
    inlines = [WindowPriceInline]


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
    inlines = [SetComponentInline, StoreItemInline]


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
class SoldOutAdmin(ReadOnlyAdmin):
    """Sold-out marks made at the stores (a projection of their events): read only."""

    list_display = ["store", "sku", "sold_out", "staff", "at"]
    list_filter = ["store", "sold_out"]
    search_fields = ["sku", "staff"]
