"""The change log: every fact a node records or receives, immutable, keyed by (origin, seq)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Change(models.Model):
    """One immutable event. Projections (orders, tickets, totals) are computed from these.

    ``origin`` names the installation that recorded it and ``seq`` counts that
    origin's changes without gaps, so a version vector (origin -> highest seq)
    says exactly what a node has.
    """

    id = models.UUIDField(primary_key=True)
    origin = models.CharField(max_length=80)
    seq = models.BigIntegerField()
    store = models.CharField(max_length=16, db_index=True)
    kind = models.CharField(max_length=40)
    hlc = models.BigIntegerField()
    payload = models.JSONField()
    # Hash chain per origin: digest = sha256(previous digest of this origin +
    # this change's content). Made once at the origin and shipped with the
    # change, so any node (and HQ) can detect a deleted or altered change.
    prev_digest = models.CharField(max_length=64, default="")
    digest = models.CharField(max_length=64, default="")
    # HQ's Ed25519 signature (sync/signing.py) on a change from an HQ origin:
    # what proves it is HQ's. Kept and relayed as received; "" for store
    # changes, which their store's key and origin vouch for.
    signature = models.CharField(max_length=100, default="", blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["origin", "seq"], name="change_origin_seq")]
        indexes = [models.Index(fields=["kind"], name="change_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.origin}#{self.seq}"

    def as_wire(self) -> dict:
        wire = {
            "id": str(self.id),
            "origin": self.origin,
            "seq": self.seq,
            "store": self.store,
            "kind": self.kind,
            "hlc": self.hlc,
            "payload": self.payload,
            "prev_digest": self.prev_digest,
            "digest": self.digest,
        }
        if self.signature:
            wire["signature"] = self.signature
        return wire


class NodeState(models.Model):
    """This installation's identity and counters; a single row (pk=1).

    A fresh database gets a fresh origin, so a re-installed node never reuses
    sequence numbers its previous life already shipped.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    node = models.CharField(max_length=64)
    origin = models.CharField(max_length=80, unique=True)
    last_seq = models.BigIntegerField(default=0)
    last_hlc = models.BigIntegerField(default=0)
    last_digest = models.CharField(max_length=64, default="")
    # HQ's public key (base64) pinned from the HQ link's first answer, when
    # POS_HQ_PUBLIC_KEY is not set (sync/signing.py). Never replaced by HQ.
    hq_public_key = models.CharField(max_length=64, default="", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    @staticmethod
    def new_origin(node: str | None = None) -> str:
        """A fresh origin name for this installation: ``hq:<node>.<8 hex>`` at
        HQ, ``<store>:<node>.<8 hex>`` at a store node (POS_ROLE, POS_STORE).
        The store code in the name binds the origin to its store before any
        node has seen it (sync/merge.py origin_store); ``:`` is kept out of
        the node part, so names made before they carried a store (no ``:``)
        are told apart."""
        name = (node or settings.POS_NODE).replace(":", "-")[:40]
        suffix = f"{name}.{uuid.uuid4().hex[:8]}"
        return f"hq:{suffix}" if settings.POS_ROLE == "hq" else f"{settings.POS_STORE}:{suffix}"

    @staticmethod
    def origin_node(origin: str) -> str:
        """The node name in an origin made by ``new_origin`` (for people:
        conflicts, reports): ``S001:node1.3f2a9c1b``, ``hq:hq1.…``, HQ's
        per-store ``hq:S001:hq1.…`` and names from before origins carried a
        store (``node1.3f2a9c1b``) all give the node."""
        named = origin.rsplit(":", 1)[-1]
        return named.rsplit(".", 1)[0] if "." in named else named


class ScopedOrigin(models.Model):
    """At HQ, the origin HQ records one store's changes under (a device paired
    in HQ's admin): ``hq:<store>:<HQ's origin without "hq:">``. Kept apart
    from HQ's master data so that HQ ships a store's changes to that store
    alone, and each origin's seqs stay gap-free for every store that gets it.
    A retired row (HQ's origin rotated) still counts in HQ's vector."""

    origin = models.CharField(max_length=80, primary_key=True)
    store = models.CharField(max_length=16)
    last_seq = models.BigIntegerField(default=0)
    last_digest = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"{self.origin}@{self.last_seq}"


class VectorEntry(models.Model):
    """How far this node holds each *other* origin's changes, without gaps.

    The node's own origin is counted by NodeState.last_seq. Kept as a table
    (rather than MAX(seq) per origin) so applying a batch locks and advances
    one row per origin, and so that the advance commits in the same
    transaction as the changes it covers: the vector can never run ahead of
    the data.
    """

    origin = models.CharField(max_length=80, primary_key=True)
    # The store every change of this origin belongs to ("*" for HQ's master
    # data): it decides which links carry the origin (siblings, HQ upstream).
    store = models.CharField(max_length=16)
    seq = models.BigIntegerField(default=0)
    hlc = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.origin}@{self.seq}"


class ParkedChange(models.Model):
    """A received change whose projection waits for another change (e.g. a
    payment from node B that arrived before node A's order). It is already in
    the change log; it is projected, and this row deleted, once ``waits_for``
    is satisfied."""

    change = models.OneToOneField(Change, on_delete=models.CASCADE, primary_key=True, related_name="parked")
    waits_for = models.CharField(max_length=120, db_index=True)


class PeerState(models.Model):
    """What this node last learned from a peer (sibling or HQ), saved in the
    same transaction as the changes pulled from it."""

    url = models.CharField(max_length=300, primary_key=True)
    node = models.CharField(max_length=80, blank=True)
    vector = models.JSONField(default=dict)
    last_contact = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.url


class MasterVersion(models.Model):
    """Per master-data row (model, natural key): the (hlc, origin) of the HQ
    change that last wrote it, so last-writer-wins needs no column in the
    registers or kitchen tables."""

    model = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    hlc = models.BigIntegerField()
    origin = models.CharField(max_length=80)
    deleted = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "key"], name="master_version_model_key")]


class RetiredOrigin(models.Model):
    """An origin this node issued changes under and has stopped using (it
    takes a fresh one at every process start, and when a peer shows it was
    restored), with the seq it had reached then. A peer holding more of one
    of these than this node has is proof that its database went back."""

    origin = models.CharField(max_length=80, primary_key=True)
    seq = models.BigIntegerField()
    retired_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.origin}@{self.seq}"
