"""How long from a kitchen screen's bump until the order's number is "now serving" on the status board.

Starts a real node (daphne, SQLite), opens /board/ in Debian's headless
Chromium, and for each order: places it, waits until the board lists it as
preparing, then bumps every ticket of it over a real kitchen-screen
WebSocket and records, in the page, when the number entered the ready list
(page clock and bench clock are the same machine's wall clock). The issue's
target is within a second. Prints p50, p90, max in milliseconds.

    .venv/bin/python bench/status_board_latency.py [--orders 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.sync.client import connect  # noqa: E402

from tests.browser import chromium  # noqa: E402
from tests.nodes import DEMO_TOKEN, Node  # noqa: E402
from tests.personas import CHROMIUM, order_body  # noqa: E402

WATCH = """() => {
  window.__ready = {};
  const list = document.querySelector('[data-testid="board-ready"]');
  new MutationObserver(() => {
    for (const el of list.querySelectorAll('li')) window.__ready[el.dataset.number] ??= Date.now();
  }).observe(list, { childList: true });
}"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        node = Node(Path(tmp) / "store", name="node1").setup().start()
        try:
            run(node, args.orders)
        finally:
            node.stop()


def run(node: Node, count: int) -> None:
    latencies = []
    with chromium(CHROMIUM) as browser, connect(f"ws://127.0.0.1:{node.port}/ws/kitchen/", open_timeout=10,
                                                        additional_headers={"Authorization": f"Bearer {DEMO_TOKEN}"}) as screen:
        screen.recv(timeout=10)  # hello
        board = browser.new_page()
        board.goto(f"{node.url}/board/")
        board.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)
        board.evaluate(WATCH)
        for _ in range(count):
            status, order = node.post("/api/orders", order_body(id=str(uuid.uuid4())))
            assert status == 201, order
            number = str(order["number"])
            board.wait_for_selector(f'[data-testid="board-preparing"] li[data-number="{number}"]', timeout=10_000)
            tickets = {t["id"] for t in (json.loads(m)["ticket"] for m in drain(screen)) if t["order"] == order["id"]}
            started = time.time() * 1000
            for ticket in tickets:
                screen.send(json.dumps({"type": "bump", "ticket": ticket}))
            board.wait_for_selector(f'[data-testid="board-ready"] li[data-number="{number}"]', timeout=10_000)
            latencies.append(board.evaluate(f"window.__ready['{number}']") - started)
    print(f"status board: bump -> number on the board, {count} orders, ms")
    print(f"  p50 {percentile(latencies, 50):.0f}  p90 {percentile(latencies, 90):.0f}  max {max(latencies):.0f}  mean {statistics.mean(latencies):.0f}")


def drain(screen) -> list[str]:
    """Ticket messages the screen has received so far (waits briefly for the new order's)."""
    messages = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            raw = screen.recv(timeout=0.3)
        except TimeoutError:
            if messages:
                break
            continue
        if json.loads(raw).get("type") == "ticket" and json.loads(raw).get("event") == "new":
            messages.append(raw)
    return messages


if __name__ == "__main__":
    main()
