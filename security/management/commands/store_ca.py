"""Make a store's certificate authority for HTTPS on its LAN:
``python manage.py store_ca --domain s001.store.lan --out /etc/posweb/tls``.

Writes ``store-ca.key`` (owner-only; keep it off the tablets, ideally off the
nodes once their certificates are made), ``store-ca.pem`` (give it to the
nodes as ``POS_SYNC_CA_FILE``) and ``store-ca.crt`` (DER, to install on the
tablets). Never overwrites an existing CA unless ``--force``: every tablet
trusts the old one.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from security.tls import CA_DAYS, ca_make, der_of, write_private


class Command(BaseCommand):
    help = "Make the store's own CA (for node certificates on the store LAN)."

    def add_arguments(self, parser):
        parser.add_argument("--domain", required=True, help="the store's LAN domain, e.g. s001.store.lan; nodes are named under it")
        parser.add_argument("--out", required=True, help="folder for store-ca.key, store-ca.pem and store-ca.crt")
        parser.add_argument("--store", default=None, help="store code in the CA's name (default POS_STORE)")
        parser.add_argument("--days", type=int, default=CA_DAYS)
        parser.add_argument("--force", action="store_true", help="replace an existing CA (every tablet must trust the new one)")

    def handle(self, *args, **options):
        out = Path(options["out"])
        key_path = out / "store-ca.key"
        if key_path.exists() and not options["force"]:
            raise CommandError(f"{key_path} exists: the tablets trust that CA (use --force to replace it)")
        try:
            issued = ca_make(store=options["store"] or settings.POS_STORE, domain=options["domain"], days=options["days"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        write_private(key_path, issued.key_pem)
        (out / "store-ca.pem").write_bytes(issued.cert_pem)
        (out / "store-ca.crt").write_bytes(der_of(issued.cert_pem))
        self.stdout.write(f"store CA: {out / 'store-ca.pem'} (nodes: POS_SYNC_CA_FILE), "
                          f"{out / 'store-ca.crt'} (install on the tablets), key {key_path}")
