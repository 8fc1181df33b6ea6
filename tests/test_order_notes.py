"""Kitchen notes (アレルギー, 少なめ) per line and per order: carried in order.placed,
refused when hostile, shown on the kitchen ticket and printed large on paper."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from kitchen import printing
from kitchen.models import Ticket
from kitchen.selectors import ticket_as_dict
from menu.models import Station
from registers.events import LineSold, OrderPlaced
from sync.events import EventInvalid, event_parse
from sync.models import Change
from tests.escpos_fake import FakeEscposPrinter
from tests.personas import order_body

pytestmark = pytest.mark.django_db


def post(client, body):
    return client.post("/api/orders", data=json.dumps(body), content_type="application/json")


def noted_body(**overrides):
    body = order_body(note="卵アレルギー")
    body["lines"][0]["note"] = "ご飯少なめ"
    body.update(overrides)
    return body


def test_notes_reach_the_order_its_change_and_the_stations_ticket(register_client):
    response = post(register_client, noted_body())
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["note"] == "卵アレルギー"
    assert [line["note"] for line in order["lines"]] == ["ご飯少なめ", "", ""]
    change = Change.objects.get(kind="order.placed")
    assert change.payload["note"] == "卵アレルギー"
    assert change.payload["lines"][0]["note"] == "ご飯少なめ"
    assert "note" not in change.payload["lines"][1]  # a line without one dumps as lines always have
    grill = ticket_as_dict(Ticket.objects.get(order_id=order["id"], station="grill"))
    assert grill["note"] == "卵アレルギー"
    assert grill["items"][0]["note"] == "ご飯少なめ"


def test_an_order_without_notes_dumps_and_hashes_as_before(register_client):
    body = order_body()
    first = post(register_client, body)
    assert first.status_code == 201
    payload = Change.objects.get(kind="order.placed").payload
    assert "note" not in payload and all("note" not in line for line in payload["lines"])
    # The same body with empty notes is the same request (a replay, not a conflict).
    again = {**body, "note": "", "lines": [{**line, "note": ""} for line in body["lines"]]}
    assert post(register_client, again).status_code == 200


def test_old_payloads_without_notes_still_parse():
    payload = OrderPlaced(
        id=uuid.uuid4(), number=1, business_date=timezone.localdate(), register_name="r", dining="eat_in",
        placed_at=timezone.now(), request_hash="x", total=100, taxes=[],
        lines=[LineSold(position=0, sku="A", name_ja="a", name_en="a", qty=1, unit_price=100, modifiers=[],
                        amount=100, tax_class="food", tax_rate=10, station="")],
    ).payload()
    assert "note" not in payload and "note" not in payload["lines"][0]
    event = event_parse("order.placed", payload)
    assert isinstance(event, OrderPlaced) and event.note is None and event.lines[0].note is None


@pytest.mark.parametrize(
    "note, why",
    [
        ("あ" * 61, "at most 60"),
        ("卵\nアレルギー", "control"),
        ("卵\u202eアレルギー", "control"),  # a bidi override hides what the note says
        ("\u200b", "blank"),
        ("   ", None),  # all blank: no note at all
    ],
)
def test_a_hostile_note_is_refused_with_where_and_why(register_client, note, why):
    body = order_body()
    body["lines"][1]["note"] = note
    response = post(register_client, body)
    if why is None:
        assert response.status_code == 201
        assert response.json()["lines"][1]["note"] == ""
        return
    assert response.status_code == 422, response.content
    assert "lines[1].note" in response.json()["detail"]
    assert why in response.json()["detail"] or why == "blank"
    assert not Change.objects.filter(kind="order.placed").exists()


def test_a_peer_cannot_slip_a_hostile_note_past_the_contract():
    payload = OrderPlaced(
        id=uuid.uuid4(), number=1, business_date=timezone.localdate(), register_name="r", dining="eat_in",
        placed_at=timezone.now(), request_hash="x", total=100, taxes=[], lines=[],
    ).payload()
    for bad in ("x" * 61, "a\x1b[2Jb", " padded", ""):
        with pytest.raises(EventInvalid, match="note"):
            event_parse("order.placed", {**payload, "note": bad})


def test_the_printed_ticket_shows_both_notes_large(register_client):
    with FakeEscposPrinter() as printer:
        Station.objects.filter(code="grill").update(printer_host=printer.host, printer_port=printer.port)
        assert post(register_client, noted_body()).status_code == 201
        later = timezone.now() + dt.timedelta(seconds=30)
        assert printing.print_fallback_tick(now=later) == 1
    [job] = printer.printed()
    text = job.decode("cp932", errors="ignore")
    double = b"\x1d!\x11"  # GS ! 0x11: double width and height
    for note in ("卵アレルギー", "ご飯少なめ"):
        at = job.index(note.encode("cp932"))
        assert job.rfind(double, 0, at) > job.rfind(b"\x1d!\x00", 0, at), f"{note} is not printed large"
        assert note in text
    assert text.index("卵アレルギー") < text.index("牛丼")  # the order's note before its items
