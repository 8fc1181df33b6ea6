"""The sibling link's push over its socket, in process: batches go two at a
time in flight, as large as the sibling's greeting says a frame may be; a
socket that breaks mid-window leaves the rest (and what it had in flight) to
HTTP, and a peer that holds a batch back stops the sending."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.conf import settings

from sync import auth, frames, merge, peers
from sync.peers import Link
from sync.replication import vector
from sync.transport import SocketDown
from tests.personas import order_body

pytestmark = pytest.mark.django_db


class Sibling:
    """What the peer holds, taking whatever arrives in seq order (as changes_apply does)."""

    def __init__(self) -> None:
        self.held: dict[str, int] = {}
        self.received: list[tuple[str, int]] = []
        self.hold_back = False

    def take(self, body: dict[str, Any]) -> dict[str, Any]:
        for change in body["changes"]:
            self.received.append((change["origin"], change["seq"]))
            if not self.hold_back and change["seq"] == self.held.get(change["origin"], 0) + 1:
                self.held[change["origin"]] = change["seq"]
        answer: dict[str, Any] = {"vector": dict(self.held), "node": "node2"}
        if self.hold_back:
            answer["held_back"] = {"S001:x": "a gap"}
        return answer


class FakeSocket:
    """A PeerSocket the sibling answers in order; ``break_after`` answers it breaks."""

    def __init__(self, sibling: Sibling, break_after: int | None = None, frame_bytes: int | None = None) -> None:
        self.sibling, self.break_after = sibling, break_after
        self.open, self.pending, self.answered, self.most_in_flight = True, [], 0, 0
        self.frame_bytes = frame_bytes  # None: a sibling of a release whose greeting says nothing of it
        self.sizes: list[tuple[int, int]] = []  # each push's (changes, body bytes)

    @property
    def in_flight(self) -> int:
        return len(self.pending)

    def send(self, body: dict[str, Any]) -> None:
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        self.sizes.append((len(body["changes"]), len(raw.encode())))
        self.pending.append(json.loads(raw))
        self.most_in_flight = max(self.most_in_flight, len(self.pending))

    def receive(self) -> dict[str, Any]:
        if self.break_after is not None and self.answered >= self.break_after:
            self.close(hard=True)
            raise SocketDown("connection reset")
        self.answered += 1
        return self.sibling.take(self.pending.pop(0))

    def close(self, *, hard: bool = False) -> None:
        self.open, self.pending = False, []


def sibling_link(sibling: Sibling, sock: FakeSocket) -> Link:
    link = Link(f"http://sibling.invalid:9/{uuid.uuid4().hex[:6]}", kind="sibling",
                push_stores={settings.POS_STORE, merge.ALL_STORES}, pull_stores={settings.POS_STORE, merge.ALL_STORES}, timeout=1)
    link.status.vector = {}
    link.socket = sock  # type: ignore[assignment]

    def http(path: str, raw: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
        answer = json.dumps(sibling.take(json.loads(raw))).encode()
        return 200, answer, auth.sign_response(key=settings.POS_SYNC_KEY, request_signature=headers[auth.H_SIGNATURE], body=answer)

    link.client._send = http  # type: ignore[method-assign]
    return link


@pytest.fixture
def backlog(register_client, monkeypatch) -> dict[str, int]:
    monkeypatch.setattr(peers, "BATCH", 2)  # a backlog of several batches from a few orders
    monkeypatch.setattr(peers, "SIBLING_BATCH", 3)
    for _ in range(4):
        response = register_client.post("/api/orders", data=order_body(), content_type="application/json")
        assert response.status_code == 201
    ours = vector({settings.POS_STORE, merge.ALL_STORES})
    assert sum(ours.values()) > 3 * peers.BATCH
    return ours


def test_a_backlog_goes_over_the_socket_two_batches_in_flight(backlog):
    sibling = Sibling()
    sock = FakeSocket(sibling)
    link = sibling_link(sibling, sock)
    while link.turn(pull_due=False):
        pass
    assert sibling.held == backlog
    assert sock.most_in_flight == peers.SOCKET_WINDOW == 2
    assert link.status.pushes_http == 0 and link.status.pushes_socket == sock.answered
    assert len(sibling.received) == len(set(sibling.received)), "a change was sent twice over a healthy socket"


def test_a_socket_broken_mid_window_leaves_the_rest_and_what_was_in_flight_to_http(backlog):
    sibling = Sibling()
    sock = FakeSocket(sibling, break_after=1)
    link = sibling_link(sibling, sock)
    link.turn(pull_due=False)
    assert sibling.held == backlog, "what the broken socket had in flight was not sent again"
    assert link.status.pushes_socket == 1 and link.status.pushes_http >= 1
    assert link.status.state == "up"
    assert link.status.as_dict()["push"] == {"socket": "closed", "over_socket": 1, "over_http": link.status.pushes_http}


def test_a_batch_held_back_stops_the_sending_until_the_next_turn(backlog):
    sibling = Sibling()
    sibling.hold_back = True
    sock = FakeSocket(sibling)
    link = sibling_link(sibling, sock)
    assert link.turn(pull_due=False) is False
    # The window's two batches went, and nothing after the first answer said "held back".
    assert len(sibling.received) <= 2 * peers.BATCH
    sibling.hold_back = False
    while link.turn(pull_due=False):
        pass
    assert sibling.held == backlog


def test_a_sibling_that_announces_its_frame_size_gets_larger_batches_fitted_to_it(backlog, monkeypatch):
    """A catch-up's batch costs the receiver about 14 ms of queries whatever
    its size: over the socket a batch is as large as the sibling's frames
    take (its greeting), not HTTP's body limit."""
    sibling = Sibling()
    sock = FakeSocket(sibling, frame_bytes=10**6)
    link = sibling_link(sibling, sock)
    while link.turn(pull_due=False):
        pass
    assert sibling.held == backlog
    assert max(n for n, _ in sock.sizes) == peers.SIBLING_BATCH

    # Frames of room for about two changes: a push carries what fits in 3/4
    # of one (the rest is room for the vector), at least one change.
    change_bytes = max(size / n for n, size in sock.sizes)
    small = Sibling()
    tight = FakeSocket(small, frame_bytes=int(2.2 * change_bytes))
    link = sibling_link(small, tight)
    while link.turn(pull_due=False):
        pass
    assert small.held == backlog
    assert {n for n, _ in tight.sizes} == {1} and all(size <= tight.frame_bytes for _, size in tight.sizes)


def test_a_sibling_of_an_older_release_gets_batches_fitted_to_the_http_limit(backlog, monkeypatch):
    monkeypatch.setattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", 4 * 1024)
    sibling = Sibling()
    sock = FakeSocket(sibling)  # its greeting said nothing of frames
    link = sibling_link(sibling, sock)
    while link.turn(pull_due=False):
        pass
    assert sibling.held == backlog
    assert max(n for n, _ in sock.sizes) <= peers.BATCH
    assert all(n == 1 or size <= 3 * 1024 for n, size in sock.sizes)


@pytest.mark.parametrize(("announced", "kept"), [
    (None, None),  # an older release's greeting: the HTTP limit holds
    (512 * 1024, 512 * 1024),
    (10**12, frames.FRAME_BODY_BYTES),  # never more than this release's own frames
    (True, None), (-5, None), ("1048576", None),
])
def test_the_frame_size_a_sender_uses_is_the_greetings_within_its_own(monkeypatch, announced, kept):
    from sync import transport

    class Greeter:
        def __init__(self, headers: dict[str, str]) -> None:
            self.headers = headers

        def recv(self, timeout: float) -> bytes:
            body = {"node": "node2"} if announced is None else {"node": "node2", "frame_bytes": announced}
            raw = json.dumps(body).encode()
            key = settings.POS_SYNC_KEY
            return frames.answer_encode(200, raw, auth.sign_response(key=key, request_signature=self.headers[auth.H_SIGNATURE], body=raw))

    monkeypatch.setattr(transport, "connect", lambda url, additional_headers, **kwargs: Greeter(additional_headers))
    client = transport.PeerClient("http://sibling.invalid:9", key=settings.POS_SYNC_KEY, store=settings.POS_STORE, node="node1")
    sock = transport.PeerSocket(client)
    sock.connect()
    assert sock.open and sock.frame_bytes == kept
