"""Verify the hash chain of every origin's changes; exit 1 naming each broken link."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from registers.journal import journal_origins, journal_verify
from sync.models import Change


class Command(BaseCommand):
    help = "Check the tamper-evident journal (per-origin hash chain of changes); non-zero exit if broken."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--origin", help="only this origin's chain")

    def handle(self, *args, origin: str | None = None, **options) -> None:
        problems = journal_verify(origin=origin)
        for problem in problems:
            self.stderr.write(f"BROKEN {problem}")
        if problems:
            raise CommandError(f"journal check failed: {len(problems)} problem(s)")
        origins = [origin] if origin else journal_origins()
        count = Change.objects.filter(origin__in=origins).count()
        self.stdout.write(f"journal intact: {count} change(s) from {len(origins)} origin(s)")
