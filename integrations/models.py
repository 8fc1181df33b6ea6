"""Integrators, their orders, channel pauses, webhook deliveries and push subscriptions.

All local to the node that took the order except ChannelPause, which is a
projection of ``channel.paused``/``channel.resumed`` changes so a manager's
pause reaches the store's sibling nodes too.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CHANNELS = [
    ("kiosk", _("self-order kiosk")),
    ("qr", _("QR table order")),
    ("mobile", _("mobile order")),
    ("delivery", _("delivery platform")),
]
CHANNEL_CODES = tuple(code for code, _label in CHANNELS)


def key_digest(key: str) -> str:
    """What is stored of an API key: its SHA-256. Keys are long random strings, so no salt or stretching is needed."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_new() -> str:
    return "pk_" + secrets.token_urlsafe(32)


class Integrator(models.Model):
    """An outside party (kiosk vendor, delivery platform) allowed to order at one store.

    The id is a UUID because it is the namespace of the order ids derived
    from the integrator's idempotency keys (uuid5), so the same key is the
    same order on every node that knows the integrator.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=64)
    store = models.CharField(_("store"), max_length=16, help_text=_("The one store this key may order at."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("key starts with"), max_length=12, editable=False, blank=True)
    webhook_url = models.URLField(_("webhook URL"), blank=True, help_text=_("Status changes are POSTed here, signed."))
    webhook_secret = models.CharField(
        _("webhook signing secret"), max_length=64, default="", blank=True, editable=False
    )
    channels = models.CharField(
        _("channels"), max_length=64, blank=True, default="",
        help_text=_("Comma-separated channels this key may order through (kiosk, qr, mobile, delivery); blank: all."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("integrator")
        verbose_name_plural = _("integrators")
        ordering = ["store", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.store})"

    def save(self, *args, **kwargs) -> None:
        # A signing secret must exist before the first webhook; made once, here,
        # because admin forms never show the field.
        if not self.webhook_secret:
            self.webhook_secret = secrets.token_hex(32)
        super().save(*args, **kwargs)

    def may_use(self, channel: str) -> bool:
        allowed = [c.strip() for c in self.channels.split(",") if c.strip()]
        return not allowed or channel in allowed

    def key_set(self, key: str) -> None:
        self.key_hash = key_digest(key)
        self.key_prefix = key[:12]


class ChannelOrder(models.Model):
    """An order an integrator placed: which key, which channel, and the last status it was told."""

    order_id = models.UUIDField(primary_key=True)
    integrator = models.ForeignKey(Integrator, on_delete=models.PROTECT, related_name="orders")
    idempotency_key = models.CharField(max_length=100)
    channel = models.CharField(max_length=16, choices=CHANNELS)
    created_at = models.DateTimeField(default=timezone.now)
    # The status last queued for the integrator's webhook, so each change of
    # status is announced once (a recall announces in_kitchen again).
    last_status = models.CharField(max_length=12, default="accepted")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integrator", "idempotency_key"], name="channel_order_key")]


class ChannelRejection(models.Model):
    """Why an integrator's order (by its idempotency key) was refused, so a later status read says so.

    Removed when the same key is later accepted (the integrator retried after
    the kitchen came back).
    """

    integrator = models.ForeignKey(Integrator, on_delete=models.CASCADE, related_name="rejections")
    idempotency_key = models.CharField(max_length=100)
    channel = models.CharField(max_length=16, choices=CHANNELS)
    code = models.CharField(max_length=32)
    reason = models.CharField(max_length=500)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integrator", "idempotency_key"], name="channel_rejection_key")]


class ChannelPause(models.Model):
    """A manager's pause of one channel at one store (projection of channel.paused / channel.resumed).

    Last writer wins by hybrid logical clock, so a pause and a resume made on
    two sibling nodes end the same on both.
    """

    store = models.CharField(max_length=16)
    channel = models.CharField(max_length=16, choices=CHANNELS)
    paused = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)
    by = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField()
    hlc = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "channel"], name="channel_pause_store_channel")]


class WebhookDelivery(models.Model):
    """One status change to announce to an integrator, and how delivering it went (kept as the record)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    integrator = models.ForeignKey(Integrator, on_delete=models.CASCADE, related_name="deliveries")
    order_id = models.UUIDField()
    status = models.CharField(max_length=12)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)  # gave up after MAX_ATTEMPTS
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["delivered_at", "failed_at", "next_attempt_at"], name="webhook_due")]


class PushSubscription(models.Model):
    """A customer's phone that asked (on the QR order page) to be told when the kitchen has its order and when it is ready."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order_id = models.UUIDField(db_index=True)
    endpoint = models.URLField(max_length=1000)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    lang = models.CharField(max_length=5, default="ja")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When "the kitchen has it" was sent (once, best effort; the "ready" message is the one retried).
    kitchen_sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order_id", "endpoint"], name="push_order_endpoint")]


class ChannelRelay(models.Model):
    """A channel order taken at HQ for a store (projection of ``channel.relayed``).

    At HQ it is what the integrator was promised and when it must have
    reached the kitchen (``expires_at``); at the store it is the inbox its
    nodes place from. ``state``: ``pending`` (not placed yet), ``placed``
    (the store placed the order), ``refused`` (the store could not, or HQ
    gave up waiting; ``code`` and ``reason`` say why).
    """

    PENDING, PLACED, REFUSED = "pending", "placed", "refused"

    order_id = models.UUIDField(primary_key=True)
    store = models.CharField(max_length=16)
    integrator_id = models.UUIDField()  # no key: the store knows the integrator only by this relay
    integrator_name = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=100)
    channel = models.CharField(max_length=16, choices=CHANNELS)
    table = models.CharField(max_length=16, blank=True)
    request_hash = models.CharField(max_length=64)
    order = models.JSONField()  # the relayed event's payload: what the store places
    at = models.DateTimeField()
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=8, default=PENDING)
    code = models.CharField(max_length=32, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "expires_at"], name="channel_relay_due")]
