"""The plain ``bin/demo`` (the README's first command) keeps to this machine
unless asked: it listens on 127.0.0.1, and says how to choose the port and host."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

from tests.nodes import ROOT, free_port

pytestmark = pytest.mark.nodes


def lan_address() -> str | None:
    """This machine's address on its default route, when it has one (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_bin_demo_listens_on_loopback_only_and_says_how_to_change_it(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POS_", "DJANGO_")) and k not in ("HOST", "DATABASE_URL")}
    env.update(PORT=str(port), POS_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.Popen([str(ROOT / "bin" / "demo")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True).start()
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "".join(lines)[-3000:]
                time.sleep(0.5)
        output = "".join(lines)
        assert f"starting on 127.0.0.1:{port}" in output
        assert "PORT=8001 bin/demo" in output and "HOST=0.0.0.0 bin/demo" in output
        address = lan_address()
        if address:
            with socket.socket() as s:
                s.settimeout(2)
                assert s.connect_ex((address, port)) != 0, f"bin/demo answers on {address}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
