"""The order projections: orders, lines, payments, and the money and closing of the day.

Orders, lines and payments are projections of the change log (sync.Change):
they are written only by the projectors in ``registers/projections.py``.
Money is integer yen in 64-bit columns; no amount passes sync.events.MAX_YEN.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from registers import status, tax


class Order(models.Model):
    """Projection of order.* changes. ``id`` is the client-made UUID."""

    STATUSES = status.CHOICES
    DINING = [(tax.EAT_IN, _("eat in")), (tax.TAKE_OUT, _("take out"))]

    id = models.UUIDField(primary_key=True)
    store = models.CharField(max_length=16)
    number = models.PositiveIntegerField()
    # The day the sale belongs to: the day it was booked into, or after a Z
    # close that did not count it, the next open one (registers/day_close.py).
    business_date = models.DateField()
    booked_date = models.DateField(null=True, blank=True)  # the day the placing node booked it into
    register = models.CharField(max_length=64)
    dining = models.CharField(max_length=10, choices=DINING)
    status = models.CharField(max_length=12, choices=STATUSES, default="placed")
    total = models.BigIntegerField(validators=[MinValueValidator(0)])
    taxes = models.JSONField(default=list)
    paid = models.BigIntegerField(default=0)
    change_given = models.BigIntegerField(default=0)
    request_hash = models.CharField(max_length=64)
    origin = models.CharField(max_length=80)
    placed_hlc = models.BigIntegerField(default=0)
    placed_seq = models.BigIntegerField(default=0)
    placed_at = models.DateTimeField()
    kitchen_received_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=60, blank=True, default="")  # the order's kitchen note
    # The issuer as sold (registers.events.Issuer); None for sales recorded before it was kept.
    issuer = models.JSONField(null=True, blank=True)
    # The table check this order is a round of (events.OrderPlaced.check), or None.
    check_id = models.UUIDField(null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at"]
        indexes = [
            # With the number: placing an order asks whether its number is held
            # already (registers/renumber.py); without it, each order read every
            # order of the day so far.
            models.Index(fields=["store", "business_date", "number"], name="order_store_day_number"),
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
    unit_price = models.BigIntegerField()
    modifiers = models.JSONField(default=list)
    amount = models.BigIntegerField()
    tax_class = models.CharField(max_length=10)
    tax_rate = models.PositiveSmallIntegerField()
    station = models.CharField(max_length=32, blank=True)
    note = models.CharField(max_length=60, blank=True, default="")  # the line's kitchen note
    # A set menu's components as sold (registers.events.ComponentSold); null for a plain item.
    components = models.JSONField(null=True, blank=True)
    # Its course (registers/courses.py); a held line waits for its course's fire (fired_at).
    course = models.PositiveSmallIntegerField(null=True, blank=True)
    held = models.BooleanField(default=False)
    fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "position"]
        constraints = [models.UniqueConstraint(fields=["order", "position"], name="orderline_position")]

    def rate_parts(self) -> list[tuple[int, int]] | None:
        """For a set, each component's (tax rate, share of one set); None for a plain item."""
        return [(c["tax_rate"], c["share"]) for c in self.components] if self.components else None


# The order an order's payments and refunds are shown, counted and printed in
# (by SQL's order_by, or in Python with ``attrgetter`` on rows read otherwise).
PAYMENT_ORDER = ("position", "recorded_at", "id")
REFUND_ORDER = ("at", "id")


class Payment(models.Model):
    METHODS = [("cash", _("cash")), ("card", _("card")), ("qr", _("QR"))]

    id = models.UUIDField(primary_key=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    position = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=8, choices=METHODS)
    amount = models.BigIntegerField()  # applied to the bill
    tendered = models.BigIntegerField()  # handed over; > amount only for cash
    change = models.BigIntegerField(default=0)
    reference = models.CharField(max_length=64, blank=True)
    recorded_at = models.DateTimeField()
    # Card taken offline (store-and-forward): must be settled with the card
    # network before settle_by, or the store may lose the money.
    offline = models.BooleanField(default=False)
    settle_by = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "position"]


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


class OrderRenumber(models.Model):
    """Projection of order.renumbered: one row per proposed number, saying
    which orders were renumbered; the number shown is the end of the chain of
    renumberings (registers/renumber.py)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="renumbers")
    # The number this proposal replaces: the chain is followed from these
    # rows, not from the change log's payloads (a scan of every renumbering).
    was = models.PositiveIntegerField(default=0)
    number = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "was", "number"], name="order_renumber_step_once")]


class RegisterOutbox(models.Model):
    """What each register tablet last said its outbox holds (sales not yet
    acknowledged by any node), and when. Local to the node the tablet talks
    to, never replicated: the Z close reads it instead of asking the manager."""

    store = models.CharField(max_length=16)
    register = models.CharField(max_length=64)
    waiting = models.PositiveIntegerField(default=0)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "register"], name="register_outbox_once")]


class Refund(models.Model):
    """Projection of order.refunded: money given back on ``business_date`` for part or all of a sale."""

    id = models.UUIDField(primary_key=True)
    order_id = models.UUIDField(db_index=True)
    store = models.CharField(max_length=16)
    business_date = models.DateField()
    booked_date = models.DateField(null=True, blank=True)
    origin = models.CharField(max_length=80, blank=True)
    seq = models.BigIntegerField(default=0)
    register = models.CharField(max_length=64, blank=True)
    method = models.CharField(max_length=8)
    amount = models.BigIntegerField()
    taxes = models.JSONField(default=list)  # per rate: taxable and tax given back
    lines = models.JSONField(default=list)  # [{"position", "qty"}]
    staff = models.CharField(max_length=64)
    reason = models.CharField(max_length=200)
    at = models.DateTimeField()
    issuer = models.JSONField(null=True, blank=True)  # as refunded (registers.events.Issuer), or None

    class Meta:
        indexes = [models.Index(fields=["store", "business_date"], name="refund_store_day")]


class DrawerEvent(models.Model):
    """Projection of drawer.* changes: opening float, paid in, paid out, counted close."""

    KINDS = [("open", _("opening float")), ("paid_in", _("paid in")), ("paid_out", _("paid out")), ("count", _("counted"))]

    id = models.UUIDField(primary_key=True)
    store = models.CharField(max_length=16)
    business_date = models.DateField()
    booked_date = models.DateField(null=True, blank=True)
    origin = models.CharField(max_length=80, blank=True)
    seq = models.BigIntegerField(default=0)
    register = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=KINDS)
    amount = models.BigIntegerField()
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
    # What the close counted (origin -> seq); None for closes recorded before
    # closes carried it, which count everything booked into their day.
    frontier = models.JSONField(null=True, blank=True)
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
    value = models.BigIntegerField()  # discount in yen, or the line's new unit price
    staff = models.CharField(max_length=64)
    reason = models.CharField(max_length=200)
    at = models.DateTimeField()
    hlc = models.BigIntegerField()
    origin = models.CharField(max_length=80)


class Check(models.Model):
    """Projection of a table's open check (registers/check_events.py). Its rounds
    are orders (CheckRound); its amount and what is paid are theirs, summed when read."""

    id = models.UUIDField(primary_key=True)
    store = models.CharField(max_length=16)
    table = models.CharField(max_length=16)
    guests = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    business_date = models.DateField()
    register = models.CharField(max_length=64)
    opened_at = models.DateTimeField()
    # The same opening replayed to two nodes: the earliest by (hlc, origin) stands everywhere.
    opened_hlc = models.BigIntegerField(default=0)
    opened_origin = models.CharField(max_length=80, blank=True)
    # The table follows the latest check.moved by (hlc, origin); the opening counts as version 0.
    table_hlc = models.BigIntegerField(default=0)
    table_origin = models.CharField(max_length=80, blank=True)
    merged_into = models.UUIDField(null=True, blank=True)
    merged_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    # Every round some check.settled saw, from all nodes (a union, so any arrival order gives the same set).
    settled_orders = models.JSONField(default=list)

    class Meta:
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        ordering = ["opened_at"]
        indexes = [models.Index(fields=["store", "business_date"], name="check_store_day")]


class CheckRound(models.Model):
    """One round of a check: the order it was sent as (an order is a round of one check only)."""

    order_id = models.UUIDField(primary_key=True)
    check_id = models.UUIDField(db_index=True)
    source = models.CharField(max_length=16, default="staff")
    at = models.DateTimeField()
