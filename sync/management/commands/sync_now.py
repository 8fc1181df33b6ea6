"""Run one replication turn now (push and pull with every sibling, then the HQ
link) and print the node's health: for checking a store's wiring from a shell
without waiting for the workers, or with POS_WORKERS=0."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from sync import peers, selectors


class Command(BaseCommand):
    help = "Replicate with the siblings and HQ once, then print /api/health."

    def handle(self, *args, **options) -> None:
        for link_url in peers.sibling_urls():
            peers._link(link_url, "sibling").turn(pull_due=True)
        peers.hq_turn()
        self.stdout.write(json.dumps(selectors.health_as_dict(), ensure_ascii=False, indent=2, default=str))
