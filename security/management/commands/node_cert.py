"""Issue a node's HTTPS certificate from the store CA:
``python manage.py node_cert pos1.s001.store.lan 10.0.0.2 --ca /etc/posweb/tls --out /etc/posweb/tls/pos1``.

Writes ``node.key`` (owner-only) and ``node.pem`` (the certificate, then the
CA), and prints the daphne endpoint that serves them.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from security.tls import NODE_DAYS, node_issue, write_private


class Command(BaseCommand):
    help = "Issue a store node's server certificate, signed by the store CA (see store_ca)."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="+", help="every host name and LAN address the tablets and siblings use")
        parser.add_argument("--ca", required=True, help="the folder store_ca wrote")
        parser.add_argument("--out", required=True, help="folder for node.key and node.pem")
        parser.add_argument("--port", type=int, default=443, help="port in the printed daphne endpoint")
        parser.add_argument("--days", type=int, default=NODE_DAYS)

    def handle(self, *args, **options):
        ca, out = Path(options["ca"]), Path(options["out"])
        try:
            issued = node_issue(ca_key_pem=(ca / "store-ca.key").read_bytes(), ca_cert_pem=(ca / "store-ca.pem").read_bytes(),
                                names=options["names"], days=options["days"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        write_private(out / "node.key", issued.key_pem)
        (out / "node.pem").write_bytes(issued.cert_pem)
        key, cert = (out / "node.key").resolve(), (out / "node.pem").resolve()
        self.stdout.write(f"daphne -e ssl:{options['port']}:privateKey={key}:certKey={cert} posweb.asgi:application")
