"""A TCP proxy on 127.0.0.1 whose link can be cut like a kitchen screen's Wi-Fi.

``cut()`` turns the link into a black hole: open connections stay open but
nothing passes either way, and new connections are accepted and then hang,
as a dead Wi-Fi behaves (no reset, no close). ``restore()`` makes new
connections work again; the ones opened during the cut stay dead, so the
client has to give up on them by itself. ``reset()`` closes the open
connections and lets new ones through.
"""

from __future__ import annotations

import select
import socket
import threading
import time


class CuttableProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.epoch = 0  # bumped by each cut: connections from an older epoch go dark
        self.cut_now = False
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "CuttableProxy":
        self._spawn(self._accept)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for s in [self.server, *self._sockets]:
            try:
                s.close()
            except OSError:
                pass
        for t in self._threads:
            t.join(5)

    def cut(self) -> None:
        self.cut_now = True
        self.epoch += 1

    def restore(self) -> None:
        self.cut_now = False

    def reset(self) -> None:
        """Close every open connection at once, as a sibling that drops them
        would; new connections pass as before."""
        sockets, self._sockets = self._sockets, []
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            self._sockets.append(client)
            if self.cut_now:
                continue  # accepted, never answered: a hung connect
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            self._sockets.append(upstream)
            self._spawn(self._pipe, client, upstream, self.epoch)

    def _pipe(self, a: socket.socket, b: socket.socket, epoch: int) -> None:
        peers = {a: b, b: a}
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([a, b], [], [], 0.2)
            except (OSError, ValueError):
                return
            if self.epoch != epoch:
                time.sleep(0.2)
                continue  # cut: leave the bytes unread, send nothing, close nothing
            for s in ready:
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    a.close()
                    b.close()
                    return
                peers[s].sendall(data)
