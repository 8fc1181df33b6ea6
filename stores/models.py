"""Stores, their devices and staff, and the ticket counters of their nodes.

The tables keep their names from when they lived in ``registers`` (no data
moved when the app was split): see each ``Meta.db_table``.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from stores.invoice import validate_invoice_number
from stores.printable import PrintedFields
from sync.events import MAX_YEN

code_validator = RegexValidator(r"^[A-Za-z0-9_-]+$", _("Letters, digits, - and _ only."))


class Store(PrintedFields, models.Model):
    printed_fields = ("name", "name_en", "address")  # on every receipt

    code = models.CharField(_("code"), max_length=16, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tokyo")
    day_cutover = models.TimeField(_("business day cut-over"), default=dt.time(4, 0))
    invoice_number = models.CharField(
        _("invoice registration number"), max_length=14, blank=True, validators=[validate_invoice_number]
    )
    address = models.CharField(_("address"), max_length=200, blank=True, help_text=_("Printed on receipts."))
    sync_key = models.CharField(_("sync key"), max_length=200, blank=True, help_text=_("Shared secret of the store's nodes and its HQ link."))
    # Store-and-forward card payments taken while the card network is down:
    # the store carries the risk, so HQ caps each sale and the open total.
    offline_card_limit = models.PositiveBigIntegerField(
        _("offline card limit per sale (yen)"), default=10_000, validators=[MaxValueValidator(MAX_YEN)]
    )
    offline_card_store_limit = models.PositiveBigIntegerField(
        _("offline card open total per store (yen)"), default=100_000, validators=[MaxValueValidator(MAX_YEN)]
    )
    offline_card_settle_hours = models.PositiveIntegerField(_("hours to settle an offline card payment"), default=72)

    class Meta:
        db_table = "registers_store"
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


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
        db_table = "registers_device"
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="device_store_name")]

    def __str__(self) -> str:
        return f"{self.store}/{self.name}"


class Staff(models.Model):
    """One person's place at one store: master data authored at HQ (``staff.set``),
    one row per store they work at, all sharing the person's ``code``.

    The PIN is a salted slow hash (stores/pins.py) checked on the node, so a
    node cut from HQ still lets its people in. Its version (``pin_hlc``,
    ``pin_origin``) is kept apart from the profile's: a manager's reset at the
    store (``staff.pin_reset``) and HQ's later edit of the name do not undo
    each other; each field group is last-writer-wins by (hlc, origin).
    """

    ROLES = [("cashier", _("cashier")), ("manager", _("manager")), ("kitchen", _("kitchen"))]

    code = models.CharField(_("staff code"), max_length=32, db_index=True)
    store = models.CharField(_("store"), max_length=16)
    name = models.CharField(_("name"), max_length=64)
    role = models.CharField(_("role"), max_length=16, choices=ROLES, default="cashier")
    pin_hash = models.CharField(max_length=200, editable=False, blank=True)
    active = models.BooleanField(_("active"), default=True)
    hlc = models.BigIntegerField(default=0, editable=False)
    origin = models.CharField(max_length=100, blank=True, editable=False)
    pin_hlc = models.BigIntegerField(default=0, editable=False)
    pin_origin = models.CharField(max_length=100, blank=True, editable=False)
    pin_set_by = models.CharField(_("PIN last set by"), max_length=64, blank=True, editable=False)
    pin_set_reason = models.CharField(_("why the PIN was set"), max_length=200, blank=True, editable=False)
    pin_set_at = models.DateTimeField(_("PIN last set at"), null=True, blank=True, editable=False)

    class Meta:
        db_table = "registers_staff"
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [models.UniqueConstraint(fields=["store", "code"], name="staff_store_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class TicketCounter(models.Model):
    """This node's last ticket count per store, business day and lane. Local, never replicated."""

    store = models.CharField(max_length=16)
    business_date = models.DateField()
    lane = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "registers_ticketcounter"
        constraints = [models.UniqueConstraint(fields=["store", "business_date", "lane"], name="ticket_counter_day_lane")]


class RegisterCounter(models.Model):
    """How many register identities this node has handed out per store (demo
    tablets claim one each, stores/services.register_identity_claim). Local, never replicated."""

    store = models.CharField(max_length=16, unique=True)
    count = models.PositiveIntegerField(default=0)


class AnalystToken(models.Model):
    """An HQ analyst's read-only API token: reads every store's orders and reports at HQ, writes nothing.

    Issued at HQ only (``manage.py analyst_token NAME``), never replicated; the
    token itself is shown once and only its digest is kept.
    """

    name = models.CharField(_("name"), max_length=64, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("analyst token")
        verbose_name_plural = _("analyst tokens")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Table(models.Model):
    """A table of a store's floor (area, code on the QR sheet, seats): master
    data authored at HQ per store and published like a store's prices
    (sync/master.py), so a store applies only its own rows. ``code`` is the
    natural key replication names it by ("S001:T12")."""

    code = models.CharField(max_length=40, unique=True, editable=False)
    store = models.CharField(_("store"), max_length=16, validators=[code_validator])
    table = models.CharField(_("table"), max_length=16, validators=[code_validator], help_text=_("As printed on the table and its QR code, e.g. T12."))
    area = models.CharField(_("area"), max_length=40, blank=True)
    seats = models.PositiveIntegerField(_("seats"), default=4, validators=[MaxValueValidator(99)])
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        ordering = ["store", "position", "table"]
        constraints = [models.UniqueConstraint(fields=["store", "table"], name="table_store_table")]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        # The natural key follows (store, table) so admin edits and replicated rows agree on it.
        self.code = self.code_for(self.store, self.table)
        super().save(*args, **kwargs)

    @staticmethod
    def code_for(store: str, table: str) -> str:
        return f"{store}:{table}"
