"""Stores, the menu catalog, devices and staff, and the order projections.

Orders, lines and payments are projections of the change log (sync.Change):
they are written only by the projectors in ``registers/projections.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from registers import status, tax
from registers.invoice import validate_invoice_number

code_validator = RegexValidator(r"^[A-Za-z0-9_-]+$", _("Letters, digits, - and _ only."))


class Store(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tokyo")
    day_cutover = models.TimeField(_("business day cut-over"), default=dt.time(4, 0))
    invoice_number = models.CharField(
        _("invoice registration number"), max_length=14, blank=True, validators=[validate_invoice_number]
    )
    sync_key = models.CharField(_("sync key"), max_length=200, blank=True, help_text=_("Shared secret of the store's nodes and its HQ link."))
    # Store-and-forward card payments taken while the card network is down:
    # the store carries the risk, so HQ caps each sale and the open total.
    offline_card_limit = models.PositiveIntegerField(_("offline card limit per sale (yen)"), default=10_000)
    offline_card_store_limit = models.PositiveIntegerField(_("offline card open total per store (yen)"), default=100_000)
    offline_card_settle_hours = models.PositiveIntegerField(_("hours to settle an offline card payment"), default=72)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Category(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name_ja = models.CharField(_("Japanese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
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
        verbose_name = _("modifier group")
        verbose_name_plural = _("modifier groups")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name_ja


class Modifier(models.Model):
    group = models.ForeignKey(ModifierGroup, on_delete=models.CASCADE, related_name="modifiers", verbose_name=_("group"))
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name_ja = models.CharField(_("Japanese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    price_delta = models.IntegerField(_("price change (yen, tax included)"), default=0)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("modifier")
        verbose_name_plural = _("modifiers")
        ordering = ["group", "position", "code"]

    def __str__(self) -> str:
        return self.name_ja


class MenuItem(models.Model):
    TAX_CLASSES = [(tax.FOOD, _("food")), (tax.ALCOHOL, _("alcohol")), (tax.OTHER, _("other"))]

    sku = models.CharField(_("SKU"), max_length=32, unique=True, validators=[code_validator])
    name_ja = models.CharField(_("Japanese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items", verbose_name=_("category"))
    price = models.PositiveIntegerField(_("price (yen, tax included)"))
    tax_class = models.CharField(_("tax class"), max_length=10, choices=TAX_CLASSES, default=tax.FOOD)
    station = models.ForeignKey("kitchen.Station", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("kitchen station"))
    available = models.BooleanField(_("available"), default=True)
    takeout_ok = models.BooleanField(_("take-out allowed"), default=True)
    modifier_groups = models.ManyToManyField(ModifierGroup, blank=True, related_name="items", verbose_name=_("modifier groups"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")
        ordering = ["category__position", "position", "sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name_ja}"


def token_digest(token: str) -> str:
    """Tokens are stored as SHA-256 digests: a leaked database does not leak live tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


class Device(models.Model):
    """A register tablet, kitchen screen or integrator that calls the API with a bearer token."""

    KINDS = [("register", _("register")), ("kitchen", _("kitchen screen")), ("integrator", _("integrator"))]

    store = models.CharField(_("store"), max_length=16)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=KINDS, default="register")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="device_store_name")]

    def __str__(self) -> str:
        return f"{self.store}/{self.name}"


class Staff(models.Model):
    ROLES = [("cashier", _("cashier")), ("manager", _("manager"))]

    store = models.CharField(_("store"), max_length=16)
    name = models.CharField(_("name"), max_length=64)
    role = models.CharField(_("role"), max_length=16, choices=ROLES, default="cashier")
    # A keyed digest rather than a slow password hash: a 4-digit PIN falls to any
    # offline search whatever the hash, so the defence is the server-side key
    # and rate limiting, and lookup stays a single indexed query.
    pin_digest = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [models.UniqueConstraint(fields=["store", "pin_digest"], name="staff_store_pin")]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"

    @staticmethod
    def digest_pin(store: str, pin: str) -> str:
        return hmac.new(settings.SECRET_KEY.encode(), f"{store}:{pin}".encode(), hashlib.sha256).hexdigest()


class Order(models.Model):
    """Projection of order.* changes. ``id`` is the client-made UUID."""

    STATUSES = status.CHOICES
    DINING = [(tax.EAT_IN, _("eat in")), (tax.TAKE_OUT, _("take out"))]

    id = models.UUIDField(primary_key=True)
    store = models.CharField(max_length=16)
    number = models.PositiveIntegerField()
    business_date = models.DateField()
    register = models.CharField(max_length=64)
    dining = models.CharField(max_length=10, choices=DINING)
    status = models.CharField(max_length=12, choices=STATUSES, default="placed")
    total = models.IntegerField(validators=[MinValueValidator(0)])
    taxes = models.JSONField(default=list)
    paid = models.IntegerField(default=0)
    change_given = models.IntegerField(default=0)
    request_hash = models.CharField(max_length=64)
    origin = models.CharField(max_length=80)
    placed_hlc = models.BigIntegerField(default=0)
    placed_at = models.DateTimeField()
    kitchen_received_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at"]
        indexes = [
            models.Index(fields=["store", "business_date"], name="order_store_day"),
            models.Index(fields=["store", "-placed_at"], name="order_store_recent"),
        ]

    def __str__(self) -> str:
        return f"No. {self.number} ({self.business_date})"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    sku = models.CharField(max_length=32)
    name_ja = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    qty = models.PositiveIntegerField()
    unit_price = models.IntegerField()
    modifiers = models.JSONField(default=list)
    amount = models.IntegerField()
    tax_class = models.CharField(max_length=10)
    tax_rate = models.PositiveSmallIntegerField()
    station = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["order", "position"]
        constraints = [models.UniqueConstraint(fields=["order", "position"], name="orderline_position")]


class Payment(models.Model):
    METHODS = [("cash", _("cash")), ("card", _("card")), ("qr", _("QR"))]

    id = models.UUIDField(primary_key=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    position = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=8, choices=METHODS)
    amount = models.IntegerField()  # applied to the bill
    tendered = models.IntegerField()  # handed over; > amount only for cash
    change = models.IntegerField(default=0)
    reference = models.CharField(max_length=64, blank=True)
    recorded_at = models.DateTimeField()
    # Card taken offline (store-and-forward): must be settled with the card
    # network before settle_by, or the store may lose the money.
    offline = models.BooleanField(default=False)
    settle_by = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "position"]


class TicketCounter(models.Model):
    """This node's last ticket count per store, business day and lane. Local, never replicated."""

    store = models.CharField(max_length=16)
    business_date = models.DateField()
    lane = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "business_date", "lane"], name="ticket_counter_day_lane")]


# --- Money and closing the day (projections of void/refund/drawer/shift/Z changes) ---
# Rows here are keyed by the id of the change (or the order) they come from, so
# replaying or reordering changes gives the same rows on every node and at HQ.


class OrderVoid(models.Model):
    """projection of order.voided. Keyed by order id, not a foreign key: a void
    may reach a node before the order it voids."""

    order_id = models.UUIDField(primary_key=True)
    store = models.CharField(max_length=16)
    staff = models.CharField(max_length=64)  # the manager who approved it
    reason = models.CharField(max_length=200)
    at = models.DateTimeField()
    hlc = models.BigIntegerField()
    origin = models.CharField(max_length=80)


class Refund(models.Model):
    """Projection of order.refunded: money given back on ``business_date`` for part or all of a sale."""

    id = models.UUIDField(primary_key=True)
    order_id = models.UUIDField(db_index=True)
    store = models.CharField(max_length=16)
    business_date = models.DateField()
    register = models.CharField(max_length=64, blank=True)
    method = models.CharField(max_length=8)
    amount = models.IntegerField()
    taxes = models.JSONField(default=list)  # per rate: taxable and tax given back
    lines = models.JSONField(default=list)  # [{"position", "qty"}]
    staff = models.CharField(max_length=64)
    reason = models.CharField(max_length=200)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["store", "business_date"], name="refund_store_day")]


class DrawerEvent(models.Model):
    """Projection of drawer.* changes: opening float, paid in, paid out, counted close."""

    KINDS = [("open", _("opening float")), ("paid_in", _("paid in")), ("paid_out", _("paid out")), ("count", _("counted"))]

    id = models.UUIDField(primary_key=True)
    store = models.CharField(max_length=16)
    business_date = models.DateField()
    register = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=KINDS)
    amount = models.IntegerField()
    reason = models.CharField(max_length=200, blank=True)
    staff = models.CharField(max_length=64)
    at = models.DateTimeField()
    hlc = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["store", "business_date"], name="drawer_store_day")]


class Shift(models.Model):
    """Projection of shift.started / shift.ended: who is on."""

    id = models.UUIDField(primary_key=True)
    store = models.CharField(max_length=16)
    staff_id = models.IntegerField()
    staff_name = models.CharField(max_length=64)
    role = models.CharField(max_length=16)
    register = models.CharField(max_length=64)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)


class ZReport(models.Model):
    """Projection of day.closed: the immutable end-of-day report, one per store and business day."""

    id = models.UUIDField(primary_key=True)  # the change id
    store = models.CharField(max_length=16)
    business_date = models.DateField()
    number = models.PositiveIntegerField()
    report = models.JSONField()
    staff = models.CharField(max_length=64)
    closed_at = models.DateTimeField()
    hlc = models.BigIntegerField()
    origin = models.CharField(max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "business_date"], name="zreport_store_day")]
        ordering = ["store", "number"]


class OrderAdjustment(models.Model):
    """Projection of order.discounted / order.price_overridden: a manager-approved change of price."""

    KINDS = [("discount", _("discount")), ("override", _("price override"))]

    id = models.UUIDField(primary_key=True)  # the change id
    order_id = models.UUIDField(db_index=True)
    store = models.CharField(max_length=16)
    kind = models.CharField(max_length=8, choices=KINDS)
    position = models.PositiveSmallIntegerField(null=True, blank=True)  # the line, for an override
    value = models.IntegerField()  # discount in yen, or the line's new unit price
    staff = models.CharField(max_length=64)
    reason = models.CharField(max_length=200)
    at = models.DateTimeField()
    hlc = models.BigIntegerField()
    origin = models.CharField(max_length=80)


class StoreItem(models.Model):
    """One store's price and availability for a menu item, set at HQ and
    published as master data; a store applies only its own rows
    (sync/master.py). ``code`` is the natural key replication names it by."""

    code = models.CharField(max_length=64, unique=True, editable=False)
    store = models.CharField(_("store"), max_length=16, validators=[code_validator])
    item = models.ForeignKey(MenuItem, on_delete=models.CASCADE, related_name="store_items", verbose_name=_("menu item"))
    price = models.PositiveIntegerField(_("price at this store (yen, tax included)"), null=True, blank=True,
                                        help_text=_("Empty: the menu item's price."))
    available = models.BooleanField(_("sold at this store"), default=True)

    class Meta:
        verbose_name = _("store price and availability")
        verbose_name_plural = _("store prices and availability")
        ordering = ["store", "item__sku"]
        constraints = [models.UniqueConstraint(fields=["store", "item"], name="store_item_store_item")]

    def __str__(self) -> str:
        return self.code

    @staticmethod
    def code_for(store: str, sku: str) -> str:
        return f"{store}:{sku}"

    def save(self, *args, **kwargs) -> None:
        # The natural key follows (store, item) so admin edits and replicated rows agree on it.
        self.code = self.code_for(self.store, self.item.sku)
        super().save(*args, **kwargs)


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
