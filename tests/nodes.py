"""Store and HQ nodes as real processes: migrate, seed and serve with daphne on loopback.

Every wait is bounded in time; every process is killed when the test ends.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO_TOKEN = "test-register-token"

# Variables that name a node or its neighbours: migrate and seed_demo write the
# same database whatever they say, so nodes that differ only in these share a
# template. Anything else (store, role, demo mode, keys, another release's
# root) makes a template of its own.
_TEMPLATE_IGNORES = ("POS_NODE", "POS_DATA_DIR", "POS_PEERS", "POS_HQ_URL")
_templates: dict[tuple, tuple[Path, str | None]] = {}
_template_locks: dict[tuple, threading.Lock] = {}
_templates_lock = threading.Lock()
_templates_dir: Path | None = None
_template_databases: list[tuple[str, str]] = []
_template_numbers = itertools.count()


def _template_lock(key: tuple) -> threading.Lock:
    with _templates_lock:
        return _template_locks.setdefault(key, threading.Lock())


def _template_folder() -> Path:
    """A new folder under this process's templates' folder (removed by templates_drop)."""
    global _templates_dir
    with _templates_lock:
        if _templates_dir is None:
            _templates_dir = Path(tempfile.mkdtemp(prefix="posweb-node-templates-"))
            atexit.register(templates_drop)
        return Path(tempfile.mkdtemp(dir=_templates_dir))


_handed_out: set[int] = set()


def free_port() -> int:
    """A loopback port for a test server, below the kernel's ephemeral range.

    A port from bind(0) is an ephemeral one: any outgoing connection (a
    register's HTTP client, a sync push, PostgreSQL) may take it as its local
    port before the server binds it, or while a killed node is down, and the
    node then fails to listen ("Address already in use"). Ports under 32768
    are never handed to outgoing connections; a port is handed out once per
    test process, so two servers of one test never get the same one. Each
    pytest-xdist worker draws from its own slice of the range, so two test
    processes never hand out the same port either."""
    low, high = _port_slice()
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(low, high)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free loopback port in {low}..{high - 1}")


def _port_slice() -> tuple[int, int]:
    """This test process's ports: 20000..31999, cut in eight for xdist workers gw0..gw7."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return 20000, 32000
    index = int(worker[2:]) % 8
    return 20000 + index * 1500, 20000 + (index + 1) * 1500


class Node:
    """One posweb node. ``env`` adds to or overrides the contract variables."""

    def __init__(
        self, data_dir: Path, *, name: str = "node1", port: int | None = None, root: Path = ROOT, **env: str
    ) -> None:
        """``root`` is the source tree the node runs (another release's, for upgrade tests)."""
        self.root = Path(root)
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.port = port or free_port()
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("POS_", "DJANGO_")) and k not in ("DATABASE_URL", "REDIS_URL")
        }
        self.env.update(
            POS_NODE=name,
            POS_DATA_DIR=str(self.data_dir),
            POS_DEMO_TOKEN=DEMO_TOKEN,
            DJANGO_SETTINGS_MODULE="posweb.settings",
            PYTHONUNBUFFERED="1",
        )
        self.env.update(env)
        self.proc: subprocess.Popen | None = None
        self.log = self.data_dir / f"{name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_file(self) -> Path:
        """The store node's SQLite database (posweb/settings.py names it by role)."""
        return self.data_dir / "posweb-store.sqlite3"

    def manage(self, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=self.root, env=env or self.env, capture_output=True, text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def spawn(self, *args: str) -> subprocess.Popen:
        """``manage.py args`` left running with the node's settings, written to its log (stop it with ``terminate``)."""
        with open(self.log, "ab") as log:
            return subprocess.Popen([sys.executable, "manage.py", *args], cwd=self.root, env=self.env,
                                    stdout=log, stderr=subprocess.STDOUT)

    def setup(self, timeout: float = 120) -> "Node":
        """Migrate and seed the demo store, as ``manage.py migrate`` and ``seed_demo`` would.

        Those two commands take seconds of CPU per node, and a node test starts
        many nodes: a node with an empty data folder, on its own SQLite file or
        on an empty database of the local PostgreSQL server, gets a copy of a
        data folder (and database) this test process migrated and seeded once
        with the same settings. The copy is what the commands would have
        written: migrate and seed_demo write nothing that names the node, and
        every node process takes an origin of its own when it starts, so copies
        never share a sequence number. Any other node runs the commands
        (POS_TEST_NODE_TEMPLATES=0: every node does)."""
        postgres = self._postgres_target()
        if not self._template_fits(postgres):
            self.manage("migrate", "--noinput", timeout=timeout)
            self.manage("seed_demo", timeout=timeout)
            return self
        folder = self._template(timeout, postgres)
        for entry in folder.iterdir():
            if entry.is_dir():
                shutil.copytree(entry, self.data_dir / entry.name, dirs_exist_ok=True)
            else:
                shutil.copy2(entry, self.data_dir / entry.name)
        return self

    def _postgres_target(self) -> str | None:
        """DATABASE_URL when it names a database of the PostgreSQL server on this machine."""
        url = self.env.get("DATABASE_URL")
        if not url:
            return None
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("postgres", "postgresql") or parts.hostname not in ("127.0.0.1", "localhost"):
            return None
        if parts.query or not parts.path.strip("/") or "/" in parts.path.strip("/"):
            return None
        return url

    def _template_fits(self, postgres: str | None) -> bool:
        if os.environ.get("POS_TEST_NODE_TEMPLATES", "1") == "0":
            return False
        if "DATABASE_URL" in self.env and not (postgres and _postgres_empty(postgres)):
            return False
        return not any(entry.name != self.log.name for entry in self.data_dir.iterdir())

    def _template(self, timeout: float, postgres: str | None) -> Path:
        ignored = (*_TEMPLATE_IGNORES, "DATABASE_URL")
        # Not pytest's own variables either: PYTEST_CURRENT_TEST names the test
        # that happens to be running, and made every module build its own.
        key = (str(self.root), bool(postgres), tuple(sorted(
            (k, v) for k, v in self.env.items() if k not in ignored and not k.startswith("PYTEST_")
        )))
        lock = _template_lock(key)
        # One build per key; nodes of another key build theirs at the same time.
        # The lock is held while a clone is made too: PostgreSQL copies a
        # template database only while nothing else uses it.
        with lock:
            if key not in _templates:
                # Seeded on a copy of the migrated database that every key of
                # this source tree, database engine and role shares: no
                # migration reads the settings, seed_demo does (store, role, keys).
                migrated, migrated_database = self._migrated(timeout, postgres)
                folder = _template_folder()
                shutil.copytree(migrated, folder, dirs_exist_ok=True)
                env = {**self.env, "POS_DATA_DIR": str(folder)}
                database = None
                if postgres and migrated_database:
                    database = _postgres_template(postgres, f"posweb_tpl_{os.getpid()}_{next(_template_numbers)}")
                    with _template_lock(("migrated", migrated_database)):
                        _postgres_clone(migrated_database, database)
                    env["DATABASE_URL"] = database
                self.manage("seed_demo", timeout=timeout, env=env)
                _templates[key] = (folder, database)
            folder, database = _templates[key]
            if postgres and database:
                _postgres_clone(database, postgres)
            return folder

    def _migrated(self, timeout: float, postgres: str | None) -> tuple[Path, str | None]:
        """A data folder (and database) that ``migrate`` alone wrote, once per
        source tree, database engine and role (which names the SQLite file)."""
        key = ("migrated", str(self.root), bool(postgres), self.env.get("POS_ROLE", "store"))
        with _template_lock(key):
            if key not in _templates:
                folder = _template_folder()
                env = {**self.env, "POS_DATA_DIR": str(folder)}
                database = None
                if postgres:
                    database = _postgres_template(postgres, f"posweb_mig_{os.getpid()}_{next(_template_numbers)}")
                    env["DATABASE_URL"] = database
                self.manage("migrate", "--noinput", timeout=timeout, env=env)
                _templates[key] = (folder, database)
            return _templates[key]

    def start(self, timeout: float = 30) -> "Node":
        log = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "posweb.asgi:application"],
            cwd=self.root,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-3000:]}")
            try:
                health = self.get("/api/health", timeout=1)
            except OSError:
                time.sleep(0.1)
                continue
            # Another test process's server on our port would answer too: make sure it is us.
            if health.get("node") != self.name or self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: port {self.port} answered as {health.get('node')!r}: {self.log.read_text()[-3000:]}")
            return self
        raise TimeoutError(f"{self.name} did not answer within {timeout}s: {self.log.read_text()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def kill9(self) -> None:
        self.stop(signal.SIGKILL)

    def request(self, method: str, path: str, body: Any = None, *, token: str | None = DEMO_TOKEN, timeout: float = 10) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def get(self, path: str, **kw: Any) -> Any:
        status, body = self.request("GET", path, **kw)
        if status >= 400:
            raise RuntimeError(f"GET {path}: {status} {body}")
        return body

    def post(self, path: str, body: Any, **kw: Any) -> tuple[int, Any]:
        return self.request("POST", path, body, **kw)

    def pair(self, name: str, kind: str = "kitchen") -> str:
        """A new device paired on this node, as a manager and a tablet would: its token."""
        code = self.manage("pairing_code", name, "--kind", kind).strip().splitlines()[-1]
        status, paired = self.post("/api/devices/pair", {"code": code}, token=None)
        if status != 201:
            raise RuntimeError(f"pairing {name} on {self.name}: {status} {paired}")
        return paired["token"]


def _postgres_admin(url: str) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))


def _postgres_empty(url: str) -> bool:
    """Whether the database holds no table yet (a test's fresh one, not one a node already used)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            row = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    except psycopg.Error:
        return False
    return bool(row) and row[0] == 0


def _postgres_template(url: str, name: str) -> str:
    """A new database beside ``url``'s for a template, dropped when this test process ends."""
    import psycopg

    admin = _postgres_admin(url)
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    _template_databases.append((admin, name))
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path=f"/{name}"))


def templates_drop() -> None:
    """Remove this process's templates (tests/conftest.py at the session's end; atexit
    otherwise: an xdist worker may leave without running atexit)."""
    global _templates_dir
    with _templates_lock:
        while _template_databases:
            _postgres_drop(*_template_databases.pop())
        if _templates_dir is not None:
            shutil.rmtree(_templates_dir, ignore_errors=True)
            _templates_dir = None
        _templates.clear()


def _postgres_drop(admin: str, name: str) -> None:
    import psycopg

    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error:
        pass  # the server is gone already: nothing of ours is left to drop


def _postgres_clone(template: str, url: str) -> None:
    """Replace the empty database ``url`` names with a copy of ``template``."""
    import psycopg

    name = urllib.parse.urlsplit(url).path.strip("/")
    source = urllib.parse.urlsplit(template).path.strip("/")
    with psycopg.connect(_postgres_admin(url), autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')


def start_all(nodes: list[Node], *, timeout: float = 60) -> None:
    """Set every node up at once (migrate and seed are the slow part), then start each."""
    setups = [threading.Thread(target=node.setup) for node in nodes]
    for thread in setups:
        thread.start()
    for thread in setups:
        thread.join(300)
    for node in nodes:
        node.start(timeout=timeout)
