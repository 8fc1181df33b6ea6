"""Tickets (a projection of orders, one per station) and the kitchen feed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Ticket(models.Model):
    """What one station has to make for one order. Its id derives from (order, station)."""

    # "held": a held course's ticket (registers/courses.py), shown to no station
    # until its course is fired, when it turns "open" and enters the feed as new.
    STATUSES = [("held", _("held")), ("open", _("open")), ("bumped", _("done")), ("voided", _("voided"))]

    id = models.UUIDField(primary_key=True)
    order = models.ForeignKey("registers.Order", on_delete=models.CASCADE, related_name="tickets")
    store = models.CharField(max_length=16)
    station = models.CharField(max_length=32)
    number = models.PositiveIntegerField()
    dining = models.CharField(max_length=10)
    items = models.JSONField(default=list)
    # The order's kitchen note (each item carries its own line's note in ``items``).
    note = models.CharField(max_length=60, blank=True, default="")
    # A held course's ticket: its course, and when it was fired (placed_at then
    # says the same: the kitchen ages it from the fire, not from the order).
    course = models.PositiveSmallIntegerField(null=True, blank=True)
    fired_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=STATUSES, default="open")
    placed_at = models.DateTimeField()
    acked_at = models.DateTimeField(null=True, blank=True)
    bumped_at = models.DateTimeField(null=True, blank=True)
    # When the station's printer printed it because no screen acknowledged it
    # in time (a projection of ticket.printed, so a restart never prints twice).
    printed_at = models.DateTimeField(null=True, blank=True)
    # Local bookkeeping of this node, not derived from changes (like FeedEntry):
    # when the ticket reached this node's kitchen, which is when its screens
    # could first show it. The print fallback times out from here, not from
    # placed_at, which is older for an order replayed from a register's outbox.
    received_at = models.DateTimeField(default=timezone.now)
    # A print in progress, so two daphne processes of one node never print the
    # same ticket; a claim older than a minute is from a process that died.
    print_claimed_at = models.DateTimeField(null=True, blank=True)
    # Bump and recall are last-writer-wins by hybrid logical clock, so two
    # screens bumping and recalling concurrently end in the same state everywhere.
    bump_hlc = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["store", "status"], name="ticket_store_status")]
        ordering = ["placed_at"]


class FeedEntry(models.Model):
    """One message of this node's kitchen feed; its id is the feed sequence number.

    Local to a node (never replicated): the feed is how this node tells its
    screens what changed, in the order it learned it.
    """

    EVENTS = [("new", "new"), ("bumped", "bumped"), ("recalled", "recalled"), ("voided", "voided"), ("updated", "updated"), ("printed", "printed")]

    id = models.BigAutoField(primary_key=True)
    store = models.CharField(max_length=16)
    station = models.CharField(max_length=32)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="feed")
    event = models.CharField(max_length=10, choices=EVENTS)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["store", "id"], name="feed_store_seq")]


class PrinterState(models.Model):
    """How this node's last attempts to reach one station's printer went (local, never replicated).

    Kept so a printer that is off or out of paper is reported (kitchen status
    API) rather than only logged, and retried without hammering it.
    """

    station = models.CharField(max_length=32, unique=True)
    address = models.CharField(max_length=300, blank=True, default="")
    ok = models.BooleanField(default=True)
    detail = models.CharField(max_length=300, blank=True, default="")
    failures = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["station"]


class OrderServed(models.Model):
    """That an order was handed to its customer: a projection of ``order.served``.

    Kept here, keyed by the order's id without a foreign key, because the
    change may arrive from a sibling before the order itself does; the order's
    status is derived from it once both are present (kitchen.projections).
    """

    order_id = models.UUIDField(primary_key=True)
    store = models.CharField(max_length=16)
    served_at = models.DateTimeField()


class KitchenScreen(models.Model):
    """A kitchen screen connected to this node right now (local, never replicated).

    Kept in the database rather than in a process so that every daphne
    process of a node (and the order channels deciding whether the kitchen
    can take an order) sees the same screens. A row is refreshed on connect
    and on every ping and deleted on disconnect; a process that dies never
    deletes its rows, so a row not seen for SCREEN_TTL counts as gone.
    """

    channel_name = models.CharField(max_length=200, unique=True)
    # Blank: the expediter's view of every station.
    station = models.CharField(max_length=32, blank=True, default="")
    screen = models.CharField(max_length=64, blank=True, default="")
    connected_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["station", "last_seen"], name="screen_station_seen")]
