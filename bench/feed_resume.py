"""How soon a kitchen screen is live again after its node is kill -9'd and restarted.

A real node; a screen client that reconnects every 50 ms while the node is down
and resumes from its cursor. Per round: kill -9, restart; "restart" is from
starting the process until it answers HTTP; "resume" is from then until the
screen, resumed from its cursor, has the ticket of the first order placed
after the restart (so it is caught up, not just connected; the POST is in it).

    .venv/bin/python -m bench.feed_resume [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from websockets.sync.client import connect

from tests.nodes import DEMO_TOKEN, Node
from tests.personas import order_body


def resume_once(node: Node, cursor: int, epoch: str, missed_order: str) -> tuple[float, int]:
    """Reconnect until resumed and the missed order's ticket is here; returns (when, new cursor)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with connect(f"ws://127.0.0.1:{node.port}/ws/kitchen/", open_timeout=1, additional_headers={"Authorization": f"Bearer {DEMO_TOKEN}"}) as ws:
                json.loads(ws.recv(timeout=5))  # hello
                ws.send(json.dumps({"type": "resume", "after": cursor, "epoch": epoch}))
                for _ in range(100):
                    message = json.loads(ws.recv(timeout=5))
                    if message["type"] == "reset":
                        raise AssertionError("the feed did not resume: reset")
                    if message["type"] == "ticket":
                        cursor = message["seq"]
                        if message["ticket"]["order"] == missed_order:
                            return time.perf_counter(), cursor
        except (OSError, TimeoutError):
            time.sleep(0.05)
    raise TimeoutError("the screen did not resume within 60 s")


def run(rounds: int) -> dict:
    restart_ms, resume_ms = [], []
    with tempfile.TemporaryDirectory(prefix="posweb-bench-") as tmp:
        node = Node(Path(tmp) / "store", name="node1", POS_KITCHEN_ACK_TIMEOUT="3600", LOG_LEVEL="WARNING").setup().start()
        try:
            with connect(f"ws://127.0.0.1:{node.port}/ws/kitchen/", open_timeout=10, additional_headers={"Authorization": f"Bearer {DEMO_TOKEN}"}) as ws:
                hello = json.loads(ws.recv(timeout=10))
            cursor, epoch = hello["seq"], hello["epoch"]
            for _ in range(rounds):
                node.kill9()
                t0 = time.perf_counter()
                node.start()
                up = time.perf_counter()
                missed = order_body()
                assert node.post("/api/orders", missed)[0] == 201  # the first sale after the restart
                resumed, cursor = resume_once(node, cursor, epoch, missed["id"])
                restart_ms.append((up - t0) * 1000)
                resume_ms.append((resumed - up) * 1000)
        finally:
            node.stop()
    return {"rounds": rounds, "restart_p50": statistics.median(restart_ms), "resume_p50": statistics.median(resume_ms),
            "resume_max": max(resume_ms)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    print(json.dumps(run(parser.parse_args().rounds)))


if __name__ == "__main__":
    main()
