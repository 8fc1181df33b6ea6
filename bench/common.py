"""Shared helpers for the benchmarks: percentiles, keep-alive order posting, the result rows."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any

from tests.nodes import DEMO_TOKEN


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; ``values`` must not be empty."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@dataclass
class Figure:
    """One line of the table: what was measured, its value, the target and how it compares."""

    name: str
    value: float
    unit: str
    target: float | None = None
    below: bool = True  # the target is an upper bound (latency) or a lower bound (throughput)
    floor: float | None = None  # the bare-websockets figure of the same kind, for the ratio

    @property
    def met(self) -> str:
        if self.target is None:
            return ""
        ok = self.value < self.target if self.below else self.value > self.target
        return "met" if ok else "MISSED"

    def row(self) -> list[str]:
        target = "" if self.target is None else f"{'<' if self.below else '>'} {self.target:g} {self.unit}"
        ratio = f"{self.value / self.floor:.1f}x" if self.floor else ""
        value = f"{int(self.value):,}" if float(self.value).is_integer() and not self.unit else f"{self.value:,.1f}"
        return [self.name, f"{value} {self.unit}".strip(), target.strip(), self.met, ratio]


def table(figures: list[Figure]) -> str:
    header = ["figure", "measured", "target", "", "x floor"]
    rows = [header] + [f.row() for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)


class Poster:
    """One register's keep-alive HTTP connection to a node."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def post(self, path: str, body: dict[str, Any]) -> int:
        for attempt in range(2):  # a keep-alive connection the server closed is reopened once
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                self.conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json",
                                                                   "Authorization": f"Bearer {DEMO_TOKEN}"})
                response = self.conn.getresponse()
                response.read()
                return response.status
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")
