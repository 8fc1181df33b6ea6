"""Store node contacts (at HQ), push subscriptions and raised alerts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NodeContact(models.Model):
    """The last signed sync call HQ received from one store node. Updated on
    every push and pull, so ``last_contact`` says whether the store is alive
    and ``backlog`` how many of its changes it holds that HQ does not."""

    store = models.CharField(_("store"), max_length=16)
    node = models.CharField(_("node"), max_length=80)
    last_contact = models.DateTimeField(_("last contact"))
    backlog = models.PositiveIntegerField(_("upstream backlog"), default=0)
    # When the backlog last went from zero to positive: its age is how long
    # sales have been waiting to reach HQ.
    backlog_since = models.DateTimeField(_("backlog since"), null=True, blank=True)
    # What the node last said of its kitchen: {"screens": {station: live
    # screens}, "printers": {station: "none"|"ok"|"error"}}; null until a
    # node that sends it calls.
    kitchen = models.JSONField(_("kitchen screens"), null=True, blank=True)

    class Meta:
        verbose_name = _("store node contact")
        verbose_name_plural = _("store node contacts")
        constraints = [models.UniqueConstraint(fields=["store", "node"], name="node_contact_store_node")]
        ordering = ["store", "node"]

    def __str__(self) -> str:
        return f"{self.store}/{self.node}"


class PushSubscription(models.Model):
    """A manager's browser subscribed to alerts. ``store`` empty means every
    store (an HQ admin); otherwise only that store's alerts."""

    endpoint = models.URLField(_("endpoint"), max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    store = models.CharField(_("store"), max_length=16, blank=True)
    language = models.CharField(_("language"), max_length=8, default="ja")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"{self.store or '*'} {self.endpoint[:60]}"

    def as_target(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class Alert(models.Model):
    """One condition (``key``, e.g. ``offline:S001``) that was raised: sent
    once when raised, again only after it cleared and came back."""

    KINDS = [
        ("store_offline", _("store offline")),
        ("backlog", _("upstream backlog growing")),
        ("kitchen_screen", _("no kitchen screen connected")),
        ("sold_out", _("item sold out")),
    ]

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    store = models.CharField(_("store"), max_length=16)
    message = models.CharField(_("message"), max_length=300)
    raised_at = models.DateTimeField(_("raised at"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    sent = models.PositiveIntegerField(_("pushes sent"), default=0)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return self.key


class SalesRollup(models.Model):
    """At HQ, one store's business day summed by one dimension, kept by
    hq/rollups.py from the same report the store gives (registers/reports.py):
    ``day`` (key "": orders, total, tax), ``hour`` (key "00".."23": orders,
    total), ``item`` (key sku: quantity, amount), ``tender`` (key method:
    count, amount), ``rate`` (key "10": taxable, tax) and ``refunds`` (key "":
    count, amount). Chain-wide reports sum these rows instead of scanning
    orders."""

    store = models.CharField(max_length=16)
    business_date = models.DateField()
    dimension = models.CharField(max_length=8)
    key = models.CharField(max_length=64, blank=True)
    count = models.BigIntegerField(default=0)
    amount = models.BigIntegerField(default=0)
    tax = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "business_date", "dimension", "key"],
                                               name="sales_rollup_store_day_dim_key")]
        indexes = [models.Index(fields=["business_date", "dimension"], name="sales_rollup_day_dim")]


class RollupDue(models.Model):
    """A store's business day whose rollups are behind its orders: marked by
    the projections in the transaction that changed it, cleared by the
    rollups worker once it has summed the day again."""

    store = models.CharField(max_length=16)
    business_date = models.DateField()
    marked = models.BigIntegerField(default=0)  # bumped on every mark: a refresh clears only what it summed

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "business_date"], name="rollup_due_store_day")]
