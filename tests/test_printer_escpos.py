"""Kitchen printers: a ticket no screen acknowledged in time is printed once, in Shift_JIS,
on a fake ESC/POS printer over TCP; a printer that is off or out of paper is retried and reported."""

from __future__ import annotations

import datetime as dt
import socket
import uuid

import pytest
from django.utils import timezone

from kitchen import printing, services as kitchen_services
from kitchen.models import PrinterState, Ticket
from menu.models import Station
from kitchen.printers.base import Line, PrinterError, PrintJob
from kitchen.printers.escpos import EscposNetworkPrinter
from registers import services, tender
from sync.models import Change
from tests.escpos_fake import PAPER_OUT, FakeEscposPrinter

pytestmark = [pytest.mark.django_db]

KANJI_MODE = b"\x1c&\x1cC\x01"


def place(*lines):
    order, _ = services.order_place(
        order_id=uuid.uuid4(),
        register="register-1",
        dining="take_out",
        lines=[services.LineRequest(*line) for line in lines],
        payments=[tender.Tender("cash", 10000)],
        request_hash=uuid.uuid4().hex,
    )
    return order


def later(seconds=11):
    return timezone.now() + dt.timedelta(seconds=seconds)


def wire_grill(printer):
    Station.objects.filter(code="grill").update(printer_host=printer.host, printer_port=printer.port)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_it_prints_an_unacknowledged_ticket_once_in_shift_jis(demo):
    with FakeEscposPrinter() as printer:
        wire_grill(printer)
        order = place(("GYUDON", 2, ["size_oomori", "top_egg"]), ("COLA", 1, ["drink_m"]))

        assert printing.print_fallback_tick(now=later()) == 1
        assert printing.print_fallback_tick(now=later(20)) == 0

    [job] = printer.printed()
    assert KANJI_MODE in job
    text = job.decode("shift_jis", errors="ignore")
    assert f"No. {order.number}" in text and "持ち帰り" in text
    assert "2 x 牛丼" in text and "大盛" in text and "生卵" in text
    assert "コーラ" not in text  # drinks has no printer; its ticket is not this printer's
    ticket = Ticket.objects.get(order=order, station="grill")
    assert ticket.printed_at is not None
    assert Change.objects.filter(kind="ticket.printed", payload__ticket=str(ticket.id)).count() == 1


def test_a_ticket_a_screen_acknowledged_is_not_printed(demo):
    with FakeEscposPrinter() as printer:
        wire_grill(printer)
        order = place(("GYUDON", 1, ["size_nami"]))
        kitchen_services.ticket_ack(ticket_id=Ticket.objects.get(order=order).id, screen="grill-1")
        assert printing.print_fallback_tick(now=later()) == 0
    assert printer.printed() == []


def test_it_waits_for_the_acknowledgement_timeout(demo, settings):
    settings.POS_KITCHEN_ACK_TIMEOUT = 10
    with FakeEscposPrinter() as printer:
        wire_grill(printer)
        place(("GYUDON", 1, ["size_nami"]))
        assert printing.print_fallback_tick(now=later(5)) == 0
        assert printing.print_fallback_tick(now=later(11)) == 1


def test_a_printer_that_is_off_is_reported_retried_and_never_blocks_an_order(demo, register_client):
    Station.objects.filter(code="grill").update(printer_host="127.0.0.1", printer_port=closed_port())
    order = place(("GYUDON", 1, ["size_nami"]))
    assert order.status == "placed"

    assert printing.print_fallback_tick(now=later()) == 0
    status = register_client.get("/api/kitchen/status").json()
    [grill] = status["printers"]
    assert grill["state"] == "error" and "off or unreachable" in grill["detail"]
    assert status["open_unacknowledged"] == 1
    # Still owed: the next tick after the back-off tries again and, once the printer is on, prints it.
    with FakeEscposPrinter() as printer:
        wire_grill(printer)
        assert printing.print_fallback_tick(now=later(12)) == 1
    assert len(printer.printed()) == 1
    assert register_client.get("/api/kitchen/status").json()["printers"][0]["state"] == "ok"


def test_a_printer_out_of_paper_prints_nothing_and_says_so(demo):
    with FakeEscposPrinter(paper=PAPER_OUT) as printer:
        wire_grill(printer)
        order = place(("GYUDON", 1, ["size_nami"]))
        assert printing.print_fallback_tick(now=later()) == 0
    assert printer.printed() == []
    assert PrinterState.objects.get(station="grill").detail.endswith("out of paper")
    assert Ticket.objects.get(order=order).printed_at is None


def test_the_printer_writes_japanese_in_kanji_mode():
    with FakeEscposPrinter() as fake:
        EscposNetworkPrinter(fake.host, fake.port).print_job(PrintJob("t", [Line("No. 7  店内", big=True), Line("1 x 唐揚げ")]))
    [job] = fake.printed()
    assert job.index(KANJI_MODE) < job.index("唐揚げ".encode("shift_jis"))
    assert b"\x1d!\x11" in job  # large type for the ticket number
    assert job.rstrip().endswith(b"\x1dV\x00")  # and a cut


def test_an_unreachable_printer_raises_a_printer_error():
    with pytest.raises(PrinterError):
        EscposNetworkPrinter("127.0.0.1", closed_port(), timeout=1).print_job(PrintJob("t", [Line("x")]))


def test_a_receipt_prints_items_taxes_and_change_in_shift_jis(register_client):
    from tests.personas import HAND_RECEIPT, order_body

    response = register_client.post("/api/orders", order_body(), content_type="application/json")
    assert response.status_code == 201
    with FakeEscposPrinter() as fake:
        printing.receipt_print(order_id=response.json()["id"], printer=EscposNetworkPrinter(fake.host, fake.port))
    [job] = fake.printed()
    text = job.decode("shift_jis", errors="ignore")
    for expected in ("※牛丼", "生ビール", f"{HAND_RECEIPT['total']:,}", "1,566", "116", "3,000", f"{HAND_RECEIPT['change']}"):
        assert expected in text, expected


def test_a_ticket_another_process_is_printing_is_left_to_it(demo):
    with FakeEscposPrinter() as printer:
        wire_grill(printer)
        order = place(("GYUDON", 1, ["size_nami"]))
        Ticket.objects.filter(order=order).update(print_claimed_at=later())
        assert printing.print_fallback_tick(now=later()) == 0
        # A claim a minute old is from a process that died mid-print: take it over.
        assert printing.print_fallback_tick(now=later(75)) == 1
    assert len(printer.printed()) == 1


def test_an_order_replayed_late_gets_the_full_timeout_from_its_arrival(demo):
    with FakeEscposPrinter() as printer:
        wire_grill(printer)
        order = place(("GYUDON", 1, ["size_nami"]))
        # Rung up two hours ago on a register that was offline; it reached the kitchen just now.
        Ticket.objects.filter(order=order).update(placed_at=timezone.now() - dt.timedelta(hours=2))
        assert printing.print_fallback_tick(now=later(2)) == 0  # screens still have time to show it
        assert printing.print_fallback_tick(now=later(11)) == 1


def test_ready_made_escpos_bytes_go_out_unchanged_after_the_paper_check():
    data = b"\x1b@\x1c&\x1cC\x01" + "領収書".encode("shift_jis") + b"\n\x1dV\x00"
    with FakeEscposPrinter() as fake:
        EscposNetworkPrinter(fake.host, fake.port).print_bytes(data)
    [job] = fake.printed()
    assert job == b"\x10\x04\x04" + data
    with FakeEscposPrinter(paper=PAPER_OUT) as empty, pytest.raises(PrinterError, match="out of paper"):
        EscposNetworkPrinter(empty.host, empty.port).print_bytes(data)
    assert empty.printed() == []
