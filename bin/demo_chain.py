"""A demo chain in one command (``bin/demo --chain``): HQ, two sibling nodes of
store S001 and one node of store S002, wired together, on this machine.

HQ runs on PostgreSQL when it can reach one (``HQ_DATABASE_URL``, else the
database ``posweb_demo_chain`` on 127.0.0.1:5432 as user postgres, made if
missing), otherwise on SQLite. HQ signs master data with a key made here once;
the stores are given its public key, and each store its own sync key, which HQ
knows (``add_store``). Everything lives under ``DEMO_DIR`` (default
``var/chain``) and is reused on the next start. Ports: ``PORT`` (HQ, default
8000) and the next three; ``HOST`` (default 127.0.0.1) is where they listen.

Prints every URL and login, then serves until Ctrl-C (or SIGTERM), which stops
every process it started.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEMO_DB = "posweb_demo_chain"
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432"
START_TIMEOUT_S = 120


@dataclass
class ChainNode:
    name: str
    port: int
    env: dict[str, str]
    data_dir: Path
    proc: subprocess.Popen | None = field(default=None, repr=False)

    def url(self, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}"

    def manage(self, *args: str) -> str:
        result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"{self.name}: manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout


def keys_load(path: Path) -> dict[str, str]:
    """The chain's keys, made on the first start and kept (owner-only) for the next."""
    if path.exists():
        return json.loads(path.read_text())
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    keys = {
        "hq_signing_key": base64.b64encode(raw).decode(),
        "hq_public_key": base64.b64encode(public).decode(),
        "S001": "demo-S001-" + secrets.token_urlsafe(18),
        "S002": "demo-S002-" + secrets.token_urlsafe(18),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(keys, indent=1))
    return keys


def hq_database() -> tuple[str | None, str]:
    """HQ's DATABASE_URL (None: SQLite) and a phrase saying which it is."""
    url = os.environ.get("HQ_DATABASE_URL")
    if url:
        return url, "PostgreSQL (HQ_DATABASE_URL)"
    try:
        import psycopg

        with psycopg.connect(f"{LOCAL_POSTGRES}/postgres", autocommit=True, connect_timeout=3) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DEMO_DB]).fetchone():
                conn.execute(f'CREATE DATABASE "{DEMO_DB}"')
    except Exception as error:  # no server, no such role, no password: the demo still runs
        return None, f"SQLite (no PostgreSQL at {LOCAL_POSTGRES}: {str(error).strip().splitlines()[0][:80]})"
    return f"{LOCAL_POSTGRES}/{DEMO_DB}", f"PostgreSQL ({DEMO_DB} on 127.0.0.1:5432)"


def chain_nodes(base: Path, port: int, keys: dict[str, str], database_url: str | None) -> list[ChainNode]:
    inherited = {k: v for k, v in os.environ.items()
                 if not k.startswith(("POS_", "DJANGO_")) and k not in ("DATABASE_URL", "REDIS_URL", "PORT", "HOST")}
    inherited.update(POS_DEMO="1", PYTHONUNBUFFERED="1", DJANGO_SETTINGS_MODULE="posweb.settings")
    hq_url = f"http://127.0.0.1:{port}"
    s001 = [f"http://127.0.0.1:{port + 1}", f"http://127.0.0.1:{port + 2}"]

    def node(name: str, offset: int, **env: str) -> ChainNode:
        data_dir = base / name
        data_dir.mkdir(parents=True, exist_ok=True)
        return ChainNode(name, port + offset, {**inherited, "POS_NODE": name, "POS_DATA_DIR": str(data_dir), **env}, data_dir)

    store = {"POS_HQ_URL": hq_url, "POS_HQ_PUBLIC_KEY": keys["hq_public_key"]}
    hq_env = {"POS_ROLE": "hq", "POS_STORE": "S001", "POS_SYNC_KEY": keys["S001"], "POS_HQ_SIGNING_KEY": keys["hq_signing_key"]}
    if database_url:
        hq_env["DATABASE_URL"] = database_url
    return [
        node("hq1", 0, **hq_env),
        node("s001-a", 1, POS_STORE="S001", POS_SYNC_KEY=keys["S001"], POS_PEERS=s001[1], **store),
        node("s001-b", 2, POS_STORE="S001", POS_SYNC_KEY=keys["S001"], POS_PEERS=s001[0], **store),
        node("s002-a", 3, POS_STORE="S002", POS_SYNC_KEY=keys["S002"], **store),
    ]


def setup(node: ChainNode, keys: dict[str, str], logins: dict[str, str], errors: list[str]) -> None:
    try:
        node.manage("migrate", "--noinput")
        node.manage("seed_demo")
        node.manage("collectstatic", "--noinput")
        if node.env.get("POS_ROLE") == "hq":
            hq_setup(node, keys, logins)
    except SystemExit as error:  # from manage(): reported by main once every thread is done
        errors.append(str(error))


def hq_setup(node: ChainNode, keys: dict[str, str], logins: dict[str, str]) -> None:
    node.manage("add_store", "S002", "--key", keys["S002"], "--name", "Demo store 2")
    found = re.search(r"admin login: (\S+) / (.+)", node.manage("demo_admin"))
    logins["admin"] = f"{found[1]} / {found[2].strip()}" if found else "(see manage.py demo_admin)"


def port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def start(node: ChainNode, host: str) -> None:
    log = open(node.data_dir / f"{node.name}.log", "ab")
    node.proc = subprocess.Popen([PYTHON, "-m", "daphne", "-b", host, "-p", str(node.port), "posweb.asgi:application"],
                                 cwd=ROOT, env=node.env, stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(node: ChainNode) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if node.proc is None or node.proc.poll() is not None:
            raise SystemExit(f"{node.name} exited; see {node.data_dir / (node.name + '.log')}")
        try:
            with urllib.request.urlopen(f"{node.url()}/api/health", timeout=2) as response:
                if json.loads(response.read()).get("node") == node.name:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{node.name} did not answer on port {node.port} within {START_TIMEOUT_S}s")


def stop_all(nodes: list[ChainNode]) -> None:
    for node in nodes:
        if node.proc and node.proc.poll() is None:
            node.proc.terminate()
    for node in nodes:
        if node.proc:
            try:
                node.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                node.proc.kill()


def banner(nodes: list[ChainNode], host: str, logins: dict[str, str], database: str) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    hq, a, b, c = nodes
    return "\n".join([
        "",
        "posweb chain demo is running:",
        f"  HQ (database: {database})",
        f"    admin      {hq.url(shown)}/admin/          login {logins.get('admin', '?')}",
        f"    menu       {hq.url(shown)}/admin/menu/menuitem/   (edit a price here)",
        f"    dashboard  {hq.url(shown)}/hq/",
        "  store S001, two sibling nodes",
        f"    register   {a.url(shown)}/register/   (node {a.name})",
        f"    register   {b.url(shown)}/register/   (node {b.name})",
        f"    kitchen    {a.url(shown)}/kitchen/",
        "  store S002",
        f"    register   {c.url(shown)}/register/   (node {c.name})",
        f"    kitchen    {c.url(shown)}/kitchen/",
        "  PINs at every store: cashier 1234, manager 9999",
        "",
        "Change a price in HQ's admin: both stores' registers show it within seconds.",
        f"Logs and data: {nodes[0].data_dir.parent}/ ; Ctrl-C stops the whole chain.",
        "chain demo ready",
        "",
    ])


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    base = Path(os.environ.get("DEMO_DIR", ROOT / "var" / "chain")).resolve()
    busy = [p for p in range(port, port + 4) if not port_free(host, p)]
    if busy:
        print(f"port(s) {', '.join(map(str, busy))} are in use: choose others with PORT=9000 bin/demo --chain", file=sys.stderr)
        return 2
    keys = keys_load(base / "keys.json")
    database_url, database = hq_database()
    nodes = chain_nodes(base, port, keys, database_url)
    print(f"setting up HQ on {database} and three store nodes under {base} ...", flush=True)
    logins: dict[str, str] = {}
    errors: list[str] = []
    threads = [threading.Thread(target=setup, args=(node, keys, logins, errors)) for node in nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        for node in nodes:
            start(node, host)
        for node in nodes:
            wait_healthy(node)
        print(banner(nodes, host, logins, database), flush=True)
        while all(node.proc and node.proc.poll() is None for node in nodes):
            time.sleep(1)
        gone = [node.name for node in nodes if node.proc and node.proc.poll() is not None]
        print(f"{', '.join(gone)} stopped; stopping the chain", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop_all(nodes)


if __name__ == "__main__":
    sys.exit(main())
