"""Receipts are qualified simplified invoices on screen, on a printable page and on an ESC/POS printer."""

from __future__ import annotations

import pytest

from stores.invoice import invoice_number_problem
from stores.models import Store
from registers.receipt_escpos import SETUP, receipt_escpos
from registers.receipts import receipt_for
from registers.selectors import order_get
from tests.money import post, forget_pin_failures  # noqa: F401  (autouse)
from tests.personas import HAND_RECEIPT, order_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(register_client):
    return post(register_client, "/api/orders", order_body()).json()


def test_the_receipt_has_what_a_qualified_simplified_invoice_needs(register_client, sale):
    receipt = register_client.get(f"/api/orders/{sale['id']}/receipt").json()
    assert receipt["store_name"] == "ぽすうぇぶ 渋谷店"
    assert receipt["invoice_number"] == "T7123456789012" and receipt["invoice_number_valid"]
    assert receipt["date_text"].startswith(sale["placed_at"][:4] + "年")
    assert [(l["name"], l["mark"]) for l in receipt["lines"]] == [("牛丼", "※"), ("生ビール", ""), ("フライドポテト", "※")]
    assert receipt["taxes"] == HAND_RECEIPT["taxes"]  # total and tax per rate, rounded once per rate
    assert receipt["total"] == HAND_RECEIPT["total"] and receipt["copy"] is False
    assert register_client.get(f"/api/orders/{sale['id']}/receipt?copy=true").json()["copy"] is True


def test_the_printable_page_shows_rates_marks_and_a_copy_mark_on_reprint(register_client, sale):
    client = register_client  # the page wants the device's token, as the API does
    page = client.get(f"/register/receipt/{sale['id']}/").content.decode()
    for text in ("ぽすうぇぶ 渋谷店", "登録番号 T7123456789012", "※", "8%対象", "¥1,566", "¥116", "10%対象", "¥550", "¥50",
                 "¥2,116", "¥1,316", "※は軽減税率(8%)対象商品"):
        assert text in page, text
    assert "再発行" not in page
    assert "（再発行・控え）" in client.get(f"/register/receipt/{sale['id']}/?copy=1").content.decode()
    assert client.get("/register/receipt/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_escpos_bytes_are_kanji_mode_shift_jis(register_client, sale):
    data = register_client.get(f"/api/orders/{sale['id']}/receipt.escpos?copy=true").content
    assert data.startswith(SETUP)
    assert "領収書".encode("cp932") in data and "（再発行・控え）".encode("cp932") in data
    assert "※牛丼".encode("cp932") in data
    assert "ぽすうぇぶ 渋谷店".encode("cp932") in data
    assert "登録番号 T7123456789012".encode("cp932") in data
    assert b"\\2,116" in data, "the yen sign is byte 0x5C in the printer's Japanese character set"
    assert data.endswith(b"\x1dV\x42\x00"), "the paper is cut at the end"


def test_the_receipt_reaches_a_network_printer(register_client, sale):
    from kitchen import printing
    from kitchen.printers.escpos import EscposNetworkPrinter
    from tests.escpos_fake import FakeEscposPrinter

    with FakeEscposPrinter() as fake:
        printing.receipt_print(order_id=sale["id"], printer=EscposNetworkPrinter(fake.host, fake.port))
    [job] = fake.printed()
    assert receipt_escpos(receipt_for(order=order_get(order_id=sale["id"]), store=Store.objects.get())) in job

def test_an_offline_card_payment_is_flagged_on_the_receipt(register_client):
    body = order_body(payments=[{"method": "card", "amount": 2116, "offline": True}])
    sale = post(register_client, "/api/orders", body).json()
    receipt = register_client.get(f"/api/orders/{sale['id']}/receipt").json()
    assert receipt["payments"][0]["offline"] is True and receipt["payments"][0]["settle_by"]
    assert "オフライン決済".encode("cp932") in register_client.get(f"/api/orders/{sale['id']}/receipt.escpos").content


@pytest.mark.parametrize("number, ok", [
    ("T7000012050002", True),   # the National Tax Agency's own corporate number
    ("T7123456789012", True),
    ("T1000012050002", False),  # wrong check digit
    ("7000012050002", False),   # no T
    ("T700001205000", False),   # 12 digits
])
def test_registration_numbers_are_checked(number, ok):
    assert (invoice_number_problem(number) is None) is ok


def test_a_store_with_a_wrong_registration_number_does_not_validate():
    from django.core.exceptions import ValidationError

    store = Store(code="S9", name="x", invoice_number="T1000012050002")
    with pytest.raises(ValidationError, match="check digit"):
        store.full_clean()


def test_the_first_receipt_handed_out_is_the_original_and_every_later_one_a_copy(register_client, sale):
    from sync.models import Change

    first = post(register_client, f"/api/orders/{sale['id']}/receipt/print", {}).json()
    second = post(register_client, f"/api/orders/{sale['id']}/receipt/print", {}).json()
    assert (first["copy"], first["print_number"]) == (False, 1)
    assert (second["copy"], second["print_number"]) == (True, 2)
    assert [c.payload["copy"] for c in Change.objects.filter(kind="receipt.printed").order_by("seq")] == [False, True]
    assert post(register_client, "/api/orders/00000000-0000-0000-0000-000000000000/receipt/print", {}).status_code == 404
