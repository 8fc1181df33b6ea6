"""How long from POST /api/orders until the ticket card is on a kitchen screen, in real Chromium.

Starts a real node (daphne, SQLite; --redis for the Redis channel layer), opens
/kitchen/ in Debian's headless Chromium, places orders one after another and
records, in the page, when each ticket's card entered the DOM. The target is
200 ms on this machine. Prints p50, p90, p99 and max in milliseconds.

    .venv/bin/python bench/kitchen_latency.py [--orders 50] [--redis redis://127.0.0.1:6379/15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import chromium  # noqa: E402
from tests.nodes import Node  # noqa: E402
from tests.personas import CHROMIUM, order_body  # noqa: E402

WATCH = """() => {
  window.__seen = {};
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('[data-testid="ticket"]')) {
      window.__seen[el.dataset.orderId] ??= Date.now();
    }
  }).observe(document.querySelector('[data-testid="tickets"]'), { childList: true });
}"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--redis", default="", help="REDIS_URL for the node's channel layer")
    args = parser.parse_args()
    env = {"REDIS_URL": args.redis} if args.redis else {}
    with tempfile.TemporaryDirectory() as tmp:
        node = Node(Path(tmp) / "store", name="node1", **env).setup().start()
        try:
            latencies = measure(node, args.orders)
        finally:
            node.stop()
    print(f"kitchen ticket latency, POST to card on screen, {len(latencies)} orders, layer={'redis' if args.redis else 'memory'}")
    print(
        f"p50 {percentile(latencies, 50):.0f} ms  p90 {percentile(latencies, 90):.0f} ms  "
        f"p99 {percentile(latencies, 99):.0f} ms  max {max(latencies):.0f} ms  mean {statistics.mean(latencies):.0f} ms"
    )


def measure(node: Node, count: int) -> list[float]:
    latencies = []
    with chromium(CHROMIUM) as browser:
        page = browser.new_page()
        page.goto(f"{node.url}/kitchen/?station=grill")
        page.wait_for_selector('[data-testid="connection"][data-state="online"]', timeout=10_000)
        page.evaluate(WATCH)
        for i in range(count + 3):
            body = order_body()
            sent = time.time() * 1000
            status, _ = node.post("/api/orders", body)
            assert status == 201
            page.wait_for_function(f"window.__seen[{body['id']!r}]", timeout=10_000)
            if i >= 3:  # the first few warm up Django, SQLite and the page
                latencies.append(page.evaluate(f"window.__seen[{body['id']!r}]") - sent)
    return latencies


if __name__ == "__main__":
    main()
