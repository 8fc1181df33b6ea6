"""Set up a new store node: store code, node name, keys, first manager.

Asks for what it is not given (``--no-input`` for scripts: then every
required value must be a flag, and the PIN comes from ``--manager-pin-file``
or standard input). It writes, under the node's data directory:

- ``secret_key`` and ``sync_key`` (mode 0600; the sync key is made unless
  given: the same key goes to the store's other nodes and to HQ's
  ``add_store``);
- ``node.env``: the node's environment (``POS_DEMO=0``, secrets by ``*_FILE``),
  for systemd's ``EnvironmentFile=`` or ``set -a; . node.env``;

then migrates the node's database and makes the first manager there, under
that environment (a child process, so this command's own settings never
leak into the node's). The first manager opens the store until HQ's first
staff record for it arrives; from then on HQ's people count (stores.selectors).
"""

from __future__ import annotations

import getpass
import os
import secrets
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from stores import pins
from stores.models import Staff, code_validator
from stores.selectors import INIT_CODE_PREFIX


class Command(BaseCommand):
    help = "Walk through setting up a new store node (store code, node name, keys, first manager)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", help="store code, as registered at HQ (add_store CODE)")
        parser.add_argument("--node", help="this node's name, unique in the chain")
        parser.add_argument("--data-dir", help="where the node keeps its database and keys")
        parser.add_argument("--hq-url", default=None, help="HQ's base URL (empty: no HQ link yet)")
        parser.add_argument("--hq-public-key", default=None, help="HQ's public key (base64), to pin it from the start")
        parser.add_argument("--peers", default=None, help="comma-separated base URLs of the store's other nodes")
        parser.add_argument("--sync-key-file", default=None, help="use this store's existing sync key (a sibling's)")
        parser.add_argument("--manager-name", help="the first manager's name")
        parser.add_argument("--manager-pin-file", help="file holding the first manager's PIN (else asked, or stdin)")
        parser.add_argument("--no-input", action="store_true", help="never ask: every value from flags")
        parser.add_argument("--first-manager", action="store_true", help="internal: make the manager in this node")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["first_manager"]:
            self._first_manager(name=opts["manager_name"] or "", pin=sys.stdin.readline().strip())
            return
        self.interactive = not opts["no_input"]
        store = self._ask(opts["store"], "Store code (as at HQ)", validate=_store_code)
        node = self._ask(opts["node"], "Node name", default=f"{store.lower()}-node1", validate=_node_name)
        data_dir = Path(self._ask(opts["data_dir"], "Data directory", default=str(Path("var") / node))).resolve()
        hq_url = self._ask(opts["hq_url"], "HQ URL (empty for none)", default="", required=False)
        hq_key = self._ask(opts["hq_public_key"], "HQ public key (empty: pinned at first contact)", default="", required=False)
        peers = self._ask(opts["peers"], "Sibling node URLs, comma-separated (empty for none)", default="", required=False)
        manager = self._ask(opts["manager_name"], "First manager's name", validate=_manager_name)
        pin = self._pin(opts["manager_pin_file"])
        data_dir.mkdir(parents=True, exist_ok=True)
        secret_file = _secret_write(data_dir / "secret_key", secrets.token_urlsafe(50), keep=True)
        sync_file = self._sync_key(data_dir, opts["sync_key_file"])
        env = {
            "POS_ROLE": "store", "POS_STORE": store, "POS_NODE": node, "POS_DATA_DIR": str(data_dir), "POS_DEMO": "0",
            "SECRET_KEY_FILE": str(secret_file), "POS_SYNC_KEY_FILE": str(sync_file),
            "POS_HQ_URL": hq_url, "POS_PEERS": peers, "POS_HQ_PUBLIC_KEY": hq_key,
        }
        env_file = data_dir / "node.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items() if v), encoding="utf-8")
        self._in_node(env, ["migrate", "--noinput"])
        self._in_node(env, ["store_init", "--first-manager", "--manager-name", manager], stdin=pin + "\n")
        self.stdout.write(self.style.SUCCESS(f"store node {node} of {store} is ready in {data_dir}"))
        self.stdout.write(f"  environment: {env_file}  (systemd EnvironmentFile=, or: set -a; . {env_file}; set +a)")
        self.stdout.write(f"  at HQ:       manage.py add_store {store} --key \"$(cat {sync_file})\"")
        self.stdout.write(f"  other nodes: store_init --store {store} --sync-key-file {sync_file} ...")
        self.stdout.write(f"  first manager {manager} can open the register; add the store's people at HQ")

    def _ask(self, value: str | None, prompt: str, *, default: str | None = None, required: bool = True,
             validate: Any = None) -> str:
        while True:
            if value is None and self.interactive:
                shown = f" [{default}]" if default else ""
                value = input(f"{prompt}{shown}: ").strip() or (default or "")
            elif value is None:
                value = default
            if value is None or (required and not value):
                if not self.interactive:
                    raise CommandError(f"{prompt}: needed (a flag, with --no-input)")
                value = None
                continue
            try:
                if validate is not None:
                    validate(value)
                return value
            except CommandError as exc:
                if not self.interactive:
                    raise
                self.stderr.write(str(exc))
                value = None

    def _pin(self, pin_file: str | None) -> str:
        if pin_file:
            pin = Path(pin_file).read_text(encoding="utf-8").strip()
        elif self.interactive:
            pin = getpass.getpass("First manager's PIN (4-8 digits, not shown): ").strip()
            if getpass.getpass("The PIN again: ").strip() != pin:
                raise CommandError("the two PINs differ")
        else:
            pin = sys.stdin.readline().strip()
        try:
            return pins.pin_valid(pin)
        except pins.BadPin as exc:
            raise CommandError(f"first manager's PIN: {exc}") from None

    def _sync_key(self, data_dir: Path, given: str | None) -> Path:
        if given:
            key = Path(given).read_text(encoding="utf-8").strip()
            if len(key) < 8:
                raise CommandError("the sync key must be at least 8 characters")
            return _secret_write(data_dir / "sync_key", key, keep=False)
        return _secret_write(data_dir / "sync_key", secrets.token_urlsafe(32), keep=True)

    def _in_node(self, env: dict[str, str], args: list[str], stdin: str | None = None) -> None:
        child_env = {k: v for k, v in os.environ.items() if not k.startswith(("POS_", "SECRET_KEY", "DATABASE_URL"))}
        child_env.update({k: v for k, v in env.items() if v})
        child_env["DJANGO_SETTINGS_MODULE"] = "posweb.settings"
        manage = Path(settings.BASE_DIR) / "manage.py"
        done = subprocess.run([sys.executable, str(manage), *args], env=child_env, input=stdin, text=True,
                              capture_output=True, timeout=600, check=False)
        if done.returncode != 0:
            raise CommandError(f"manage.py {args[0]} failed in the new node: {done.stderr.strip()[-2000:]}")

    @transaction.atomic
    def _first_manager(self, *, name: str, pin: str) -> None:
        store = settings.POS_STORE
        pin_hash = pins.pin_make(pin)
        row = Staff.objects.filter(store=store, code__startswith=INIT_CODE_PREFIX).first()
        if row is None:
            row = Staff(store=store, code=f"{INIT_CODE_PREFIX}{uuid.uuid4().hex[:16]}")
        row.name, row.role, row.active, row.pin_hash = name, "manager", True, pin_hash
        row.save()
        self.stdout.write(f"first manager {name} ({row.code})")


def _secret_write(path: Path, value: str, *, keep: bool) -> Path:
    """Write a secret file readable by its owner only; ``keep``: an existing one stays (running again keeps keys)."""
    if keep and path.exists():
        return path
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    return path


def _store_code(value: str) -> None:
    try:
        code_validator(value)
    except ValidationError:
        raise CommandError(f"store code {value!r} may contain only letters, digits, - and _") from None
    if len(value) > 16:
        raise CommandError("a store code has at most 16 characters")


def _node_name(value: str) -> None:
    if len(value) > 64 or not all(c.isalnum() or c in "-_." for c in value):
        raise CommandError(f"node name {value!r}: letters, digits, - _ . only, at most 64")


def _manager_name(value: str) -> None:
    if len(value) > 64:
        raise CommandError("a name has at most 64 characters")
