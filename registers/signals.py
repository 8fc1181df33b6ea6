"""Signals other apps listen to, so that registers never imports them (they sit above it)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after commit on the node where a manager marked an item sold out (not
# where the mark replicates to), with ``store``, ``sku`` and ``name``: hq
# pushes the managers' alert, once.
item_sold_out = Signal()
