"""Issue (or revoke) an HQ analyst's read-only API token: every store's orders and reports, no writes."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from stores.services import AnalystTokenRefused, analyst_token_issue, analyst_token_revoke


class Command(BaseCommand):
    help = (
        "At HQ: print a new read-only analyst token for NAME (shown once; only its digest is kept). "
        "--revoke revokes NAME's token instead (also possible in admin)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")
        parser.add_argument("--revoke", action="store_true", help="revoke NAME's live token")

    def handle(self, *args, name: str, revoke: bool, **options) -> None:
        if revoke:
            if not analyst_token_revoke(name=name):
                raise CommandError(f"analyst {name!r} has no live token")
            self.stdout.write(f"revoked the analyst token of {name}")
            return
        try:
            _row, token = analyst_token_issue(name=name)
        except AnalystTokenRefused as exc:
            raise CommandError(str(exc)) from None
        # The token alone on stdout's last line, so a script can take it; it is never shown again.
        self.stderr.write(f"analyst token for {name} (read-only, every store; keep it, it is shown once):")
        self.stdout.write(token)
