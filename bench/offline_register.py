"""How fast the offline register queues sales and drains its outbox.

Starts a real node, opens the register in headless Chromium, kills the node,
rings up N sales offline, restarts the node and times the drain. Prints
figures; asserts nothing about speed.

    .venv/bin/python bench/offline_register.py [N]
"""

from __future__ import annotations

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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
