"""Store and HQ nodes as real processes: migrate, seed and serve with daphne on loopback.

Every wait is bounded in time; every process is killed when the test ends.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO_TOKEN = "test-register-token"


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

    def manage(self, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=self.root, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def setup(self) -> "Node":
        self.manage("migrate", "--noinput")
        self.manage("seed_demo")
        return self

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


def start_all(nodes: list[Node], *, timeout: float = 60) -> None:
    """Set every node up at once (migrate and seed are the slow part), then start each."""
    setups = [threading.Thread(target=node.setup) for node in nodes]
    for thread in setups:
        thread.start()
    for thread in setups:
        thread.join(300)
    for node in nodes:
        node.start(timeout=timeout)
