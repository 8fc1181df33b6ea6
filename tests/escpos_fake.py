"""A fake ESC/POS network printer on 127.0.0.1: captures what it is sent, answers the paper sensor."""

from __future__ import annotations

import socket
import threading

PAPER_STATUS = b"\x10\x04\x04"
PAPER_OK = b"\x12"
PAPER_OUT = b"\x72"


class FakeEscposPrinter:
    """Accepts connections like a printer on port 9100; ``jobs`` holds each connection's bytes."""

    def __init__(self, *, paper: bytes = PAPER_OK) -> None:
        self.paper = paper
        self.jobs: list[bytes] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.host, self.port = self.server.getsockname()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> "FakeEscposPrinter":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self.server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            with conn:
                self.jobs.append(self._receive(conn))

    def _receive(self, conn: socket.socket) -> bytes:
        conn.settimeout(5)
        data = b""
        answered = False
        while True:
            try:
                chunk = conn.recv(4096)
            except (TimeoutError, ConnectionError):
                break
            if not chunk:
                break
            data += chunk
            if not answered and PAPER_STATUS in data:
                conn.sendall(self.paper)
                answered = True
        return data

    def printed(self) -> list[bytes]:
        """Jobs that got past the paper check (more than the status query)."""
        return [job for job in self.jobs if job.replace(PAPER_STATUS, b"")]
