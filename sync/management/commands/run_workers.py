"""Run the background workers done by one process at a time (alerts, sales
rollups, webhooks, Web Push, offline-card alerts) in a process of their own,
until SIGTERM or SIGINT.

For HQ scaled out: its daphne workers, started with ``POS_WORKERS_ONCE=0``,
then only serve and take uploads, and this process's work (the rollups re-sum
whole store days) runs on another core instead of taking turns with them for
one process's GIL. Any number of these may run, on any machine: each round of
a worker is still done by one process at a time (runtime/workers.py).
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from runtime import workers
from runtime.health_checks import WORKERS_APPLICATION_NAME
from sync.restore import life_begin


class Command(BaseCommand):
    help = "Run the workers done by one process at a time (alerts, rollups, webhooks, Web Push) until stopped."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        database = connections[DEFAULT_DB_ALIAS]
        if database.vendor == "postgresql":
            # By this name the serving processes see that it runs (runtime.health_checks.workers_elsewhere_check).
            database.settings_dict.setdefault("OPTIONS", {})["application_name"] = WORKERS_APPLICATION_NAME
            connections.close_all()  # every connection from now on, this thread's and the workers', carries it
        # As posweb/asgi.py: this process's own origin before anything is recorded.
        life_begin()
        started = workers.start_all(local=False)
        if not started:
            raise CommandError("no worker here is done by one process at a time (POS_ROLE?)")
        self.stdout.write(f"running {', '.join(sorted(started))}; stop with SIGTERM", ending="\n")
        self.stdout.flush()
        while not stop.wait(1):
            pass
        workers.stop_all()
