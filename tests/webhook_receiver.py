"""A webhook receiver on 127.0.0.1 that checks each delivery's signature, as an integrator would."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from integrations import signing


class Receiver:
    """Records every POST (verified or not); answers ``fail_next`` requests with 500 first."""

    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.received: list[dict] = []
        self.fail_next = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = signing.verify(
                    secret=receiver.secret, body=body, header=self.headers.get("X-Posweb-Signature", ""), now=int(time.time())
                )
                failing = receiver.fail_next > 0
                receiver.fail_next -= 1 if failing else 0
                code = 500 if failing or not ok else 204
                receiver.received.append(
                    {"verified": ok, "code": code, "body": json.loads(body), "delivery": self.headers.get("X-Posweb-Delivery")}
                )
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/posweb"

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def statuses(self) -> list[str]:
        """Statuses the receiver took (signature good, answered 2xx), in arrival order."""
        return [r["body"]["status"] for r in self.received if r["verified"] and r["code"] < 300]
