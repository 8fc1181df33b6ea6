"""How fast the offline register queues sales and drains its outbox.

Starts a real node, opens the register in headless Chromium, kills the node,
rings up N sales offline, restarts the node and times the drain. Prints
figures; asserts nothing about speed.

``dead_server(n, reloads)`` (used by ``python -m bench``) measures, with the
node dead the whole time: tap-to-queued, from the pay button's click event to
the outbox count showing the sale, both timed in the page
(``performance.now()``); and reload-to-interactive, from ``page.reload()``
until the register says it is ready (``body[data-ready]``: menu drawn from
the service worker's cache), timed from Python.

    .venv/bin/python -m bench.offline_register [N]
    .venv/bin/python -m bench.offline_register --dead-server [SALES [RELOADS]]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import expect  # noqa: E402

from tests.nodes import Node  # noqa: E402
from tests.personas import CHROMIUM  # noqa: E402
from tests.test_browser_offline import open_register, sell, tablet  # noqa: E402


def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="posweb-bench-") as tmp:
        node = Node(Path(tmp) / "store", name="node1").setup().start()
        try:
            with tablet(CHROMIUM, Path(tmp) / "profile") as context:
                page = context.new_page()
                open_register(page, node.url)
                node.kill9()
                started = time.perf_counter()
                for count in range(1, n + 1):
                    sell(page)
                    expect(page.get_by_test_id("outbox-count")).to_have_text(str(count))
                queued = time.perf_counter() - started
                restarted = time.perf_counter()
                node.start()
                up = time.perf_counter() - restarted
                expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=120_000)
                drained = time.perf_counter() - restarted
            arrived = node.get("/api/orders?limit=500")["count"]
        finally:
            node.stop()
    print(f"offline sales rung up and queued: {n} in {queued:.2f} s ({queued / n * 1000:.0f} ms per sale, clicks included)")
    print(f"node restart to answering: {up:.2f} s")
    print(f"node restart to outbox empty: {drained:.2f} s ({max(drained - up, 0) / n * 1000:.0f} ms per sale after the node answered)")
    print(f"orders on the node: {arrived} (expected {n})")


WATCH_TAPS = """() => {
  window.__taps = []; window.__queued = {};
  document.addEventListener('click', (e) => {
    if (e.target.closest('[data-testid="pay-cash"]')) window.__taps.push(performance.now());
  }, true);
  new MutationObserver(() => {
    const text = document.querySelector('[data-testid="outbox-count"]').textContent;
    window.__queued[text] ??= performance.now();
  }).observe(document.body, { childList: true, characterData: true, subtree: true });
}"""


def dead_server(n: int, reloads: int) -> dict:
    """Tap-to-queued and reload-to-interactive in ms with the node dead."""
    from bench.common import percentile

    with tempfile.TemporaryDirectory(prefix="posweb-bench-") as tmp:
        node = Node(Path(tmp) / "store", name="node1").setup().start()
        try:
            with tablet(CHROMIUM, Path(tmp) / "profile") as context:
                page = context.new_page()
                open_register(page, node.url)
                node.kill9()
                page.evaluate(WATCH_TAPS)
                for count in range(1, n + 1):
                    sell(page)
                    expect(page.get_by_test_id("outbox-count")).to_have_text(str(count))
                taps, queued = page.evaluate("[window.__taps, window.__queued]")
                tap_ms = [queued[str(i + 1)] - taps[i] for i in range(n)]
                reload_ms = []
                for _ in range(reloads):
                    t = time.perf_counter()
                    page.reload()
                    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
                    reload_ms.append((time.perf_counter() - t) * 1000)
                expect(page.get_by_test_id("outbox-count")).to_have_text(str(n))  # nothing lost by reloading
        finally:
            node.stop()
    return {"sales": n, "tap_p50": statistics.median(tap_ms), "tap_p99": percentile(tap_ms, 99),
            "tap_ms": tap_ms, "reloads": reloads, "reload_p50": statistics.median(reload_ms),
            "reload_max": max(reload_ms)}


def print_dead_server(n: int, reloads: int) -> None:
    result = dead_server(n, reloads)
    # Every sample, not only the percentiles: with 30 sales p99 is the slowest one.
    print(f"tap-to-queued ({n} sales): p50 {result['tap_p50']:.1f} ms, p99 {result['tap_p99']:.1f} ms")
    print("  samples (ms, in order): " + " ".join(f"{ms:.0f}" for ms in result["tap_ms"]))
    print(f"reload-to-interactive ({reloads} reloads): p50 {result['reload_p50']:.0f} ms, worst {result['reload_max']:.0f} ms")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--dead-server"]:
        print_dead_server(int(args[1]) if len(args) > 1 else 30, int(args[2]) if len(args) > 2 else 5)
    else:
        main(int(args[0]) if args else 50)
