"""The menu catalogue: stations, categories, modifiers and items authored at
HQ, each store's prices and availability, sold-out marks, and the menu version.

The tables keep their names from when they lived in ``registers`` and
``kitchen`` (no data moved when the app was split): see each ``Meta.db_table``;
the menu-version triggers (registers migration 0005) name these tables.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from menu import tax_classes as tax
from stores.models import code_validator
from stores.printable import PrintedFields
from sync.events import MAX_YEN


class PrintedNames(PrintedFields):
    """Names printed on receipts and kitchen tickets (stores.printable.PrintedFields)."""

    printed_fields = ("name_ja", "name_en")


class Station(PrintedNames, models.Model):
    """A kitchen station items are made at. HQ authors it with the menu; the
    printer fields are each store's own (never shipped, see sync/master.py)."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name_ja = models.CharField(_("Japanese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    # The station's kitchen printer (ESC/POS over TCP), where tickets that no
    # screen acknowledged in time are printed. Blank: this station has none.
    printer_host = models.CharField(_("printer host"), max_length=255, blank=True, default="")
    printer_port = models.PositiveIntegerField(_("printer port"), default=9100)

    class Meta:
        db_table = "kitchen_station"
        verbose_name = _("kitchen station")
        verbose_name_plural = _("kitchen stations")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name_ja


class Category(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name_ja = models.CharField(_("Japanese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        db_table = "registers_category"
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name_ja


class ModifierGroup(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name_ja = models.CharField(_("Japanese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    min_choices = models.PositiveSmallIntegerField(_("minimum choices"), default=0)
    max_choices = models.PositiveSmallIntegerField(_("maximum choices"), default=1)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        db_table = "registers_modifiergroup"
        verbose_name = _("modifier group")
        verbose_name_plural = _("modifier groups")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name_ja


class Modifier(PrintedNames, models.Model):
    group = models.ForeignKey(ModifierGroup, on_delete=models.CASCADE, related_name="modifiers", verbose_name=_("group"))
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name_ja = models.CharField(_("Japanese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    price_delta = models.BigIntegerField(
        _("price change (yen, tax included)"), default=0,
        validators=[MinValueValidator(-MAX_YEN), MaxValueValidator(MAX_YEN)],
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        db_table = "registers_modifier"
        verbose_name = _("modifier")
        verbose_name_plural = _("modifiers")
        ordering = ["group", "position", "code"]

    def __str__(self) -> str:
        return self.name_ja


class MenuItem(PrintedNames, models.Model):
    TAX_CLASSES = [(tax.FOOD, _("food")), (tax.ALCOHOL, _("alcohol")), (tax.OTHER, _("other"))]

    sku = models.CharField(_("SKU"), max_length=32, unique=True, validators=[code_validator])
    name_ja = models.CharField(_("Japanese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items", verbose_name=_("category"))
    price = models.PositiveBigIntegerField(_("price (yen, tax included)"), validators=[MaxValueValidator(MAX_YEN)])
    tax_class = models.CharField(_("tax class"), max_length=10, choices=TAX_CLASSES, default=tax.FOOD)
    station = models.ForeignKey(Station, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("kitchen station"))
    available = models.BooleanField(_("available"), default=True)
    takeout_ok = models.BooleanField(_("take-out allowed"), default=True)
    modifier_groups = models.ManyToManyField(ModifierGroup, blank=True, related_name="items", verbose_name=_("modifier groups"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        db_table = "registers_menuitem"
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")
        ordering = ["category__position", "position", "sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name_ja}"


class SetComponent(models.Model):
    """One component of a set menu (定食・セット): ``qty`` of ``item`` in each
    ``set_item`` sold. The set is rung up and printed on the receipt as one line
    at the set's price; each component goes to its own station's ticket and is
    taxed at its own rate (registers/sets.py splits the price). Authored at HQ;
    ``code`` ("SET:COMPONENT") is the natural key replication names it by."""

    code = models.CharField(max_length=70, unique=True, editable=False)
    set_item = models.ForeignKey(MenuItem, on_delete=models.CASCADE, related_name="components", verbose_name=_("set"))
    item = models.ForeignKey(MenuItem, on_delete=models.PROTECT, related_name="in_sets", verbose_name=_("component"))
    qty = models.PositiveSmallIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1), MaxValueValidator(9)])
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        db_table = "menu_setcomponent"
        verbose_name = _("set component")
        verbose_name_plural = _("set components")
        ordering = ["set_item", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["set_item", "item"], name="set_component_once")]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        self.code = f"{self.set_item.sku}:{self.item.sku}"
        super().save(*args, **kwargs)


class MenuWindow(models.Model):
    """A time of day with its own menu (ランチ 11:00–15:00, 深夜 22:00–05:00), in
    each store's own time zone; ``ends`` is exclusive and a window whose end is
    not after its start runs past midnight. Authored at HQ (menu/windows.py)."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name_ja = models.CharField(_("Japanese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        db_table = "menu_menuwindow"
        verbose_name = _("menu window")
        verbose_name_plural = _("menu windows")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.name_ja} {self.starts:%H:%M}–{self.ends:%H:%M}"


class WindowPrice(models.Model):
    """An item as sold during a menu window: at ``price`` (a lunch price, a
    late-night tier) or, when empty, at its usual price. An item with a row
    marked ``only`` is sold only while one of those windows is open (a
    lunch-only item). ``code`` ("WINDOW:SKU") is the natural key replication
    names it by. (Kept off MenuItem so the item's master payload is unchanged.)"""

    code = models.CharField(max_length=70, unique=True, editable=False)
    window = models.ForeignKey(MenuWindow, on_delete=models.CASCADE, related_name="prices", verbose_name=_("menu window"))
    item = models.ForeignKey(MenuItem, on_delete=models.CASCADE, related_name="window_prices", verbose_name=_("menu item"))
    price = models.PositiveBigIntegerField(_("price in this window (yen, tax included)"), null=True, blank=True,
                                           validators=[MaxValueValidator(MAX_YEN)],
                                           help_text=_("Empty: the item's usual price."))
    only = models.BooleanField(_("sold only in this window"), default=False)

    class Meta:
        db_table = "menu_windowprice"
        verbose_name = _("menu window price")
        verbose_name_plural = _("menu window prices")
        ordering = ["window", "item"]
        constraints = [models.UniqueConstraint(fields=["window", "item"], name="window_price_once")]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        self.code = f"{self.window.code}:{self.item.sku}"
        super().save(*args, **kwargs)


class StoreItem(models.Model):
    """One store's price and availability for a menu item, set at HQ and
    published as master data; a store applies only its own rows
    (sync/master.py). ``code`` is the natural key replication names it by."""

    code = models.CharField(max_length=64, unique=True, editable=False)
    store = models.CharField(_("store"), max_length=16, validators=[code_validator])
    item = models.ForeignKey(MenuItem, on_delete=models.CASCADE, related_name="store_items", verbose_name=_("menu item"))
    price = models.PositiveBigIntegerField(_("price at this store (yen, tax included)"), null=True, blank=True,
                                           validators=[MaxValueValidator(MAX_YEN)],
                                           help_text=_("Empty: the menu item's price."))
    available = models.BooleanField(_("sold at this store"), default=True)

    class Meta:
        db_table = "registers_storeitem"
        verbose_name = _("store price and availability")
        verbose_name_plural = _("store prices and availability")
        ordering = ["store", "item__sku"]
        constraints = [models.UniqueConstraint(fields=["store", "item"], name="store_item_store_item")]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        # The natural key follows (store, item) so admin edits and replicated rows agree on it.
        self.code = self.code_for(self.store, self.item.sku)
        super().save(*args, **kwargs)

    @staticmethod
    def code_for(store: str, sku: str) -> str:
        return f"{store}:{sku}"


class SoldOut(models.Model):
    """Projection of item.sold_out / item.back: the latest by (hlc, origin) wins,
    so two registers marking and unmarking on two nodes end the same everywhere."""

    store = models.CharField(max_length=16)
    sku = models.CharField(_("SKU"), max_length=32)
    sold_out = models.BooleanField(_("sold out"), default=True)
    staff = models.CharField(_("staff"), max_length=64, blank=True)
    at = models.DateTimeField(_("at"))
    hlc = models.BigIntegerField()
    origin = models.CharField(max_length=80)

    class Meta:
        db_table = "registers_soldout"
        verbose_name = _("sold-out mark")
        verbose_name_plural = _("sold-out marks")
        constraints = [models.UniqueConstraint(fields=["store", "sku"], name="sold_out_store_sku")]


class MenuVersion(models.Model):
    """One row whose ``version`` (a random token) changes whenever anything a price depends on
    changes: items, modifiers and their groups, stations, stores, store prices
    and sold-out marks. Database triggers bump it (migration 0005), so a write
    from any process, admin, command or replication is seen; the order writer
    keeps the priced menu in memory while the version stands still."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=1)

    class Meta:
        db_table = "registers_menuversion"
