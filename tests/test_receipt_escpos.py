"""Receipt and ticket bytes as a Japanese ESC/POS printer reads them (tests/escpos_decode.py,
an independent decoder that starts from a printer's power-on state)."""

from __future__ import annotations

import copy

import pytest
from django.utils import timezone

from kitchen.printers.base import Line, PrintJob, ticket_job
from kitchen.printers.escpos import EscposNetworkPrinter, job_bytes
from stores.printable import unprintable
from registers.receipt_escpos import receipt_escpos
from registers.receipts import receipt_for
from registers.selectors import order_get
from stores.models import Store
from tests.escpos_decode import JAPAN, KATAKANA, SHIFT_JIS, decode
from tests.escpos_fake import FakeEscposPrinter
from tests.money import MANAGER_PIN, forget_pin_failures, post  # noqa: F401  (autouse)
from tests.personas import order_body

pytestmark = pytest.mark.django_db
WIDTH = 42
LONG = "ｶﾗｱｹﾞ ﾃﾞﾗｯｸｽ ⑩ 特製ジャンボ唐揚げと季節の野菜の盛り合わせ 髙橋農園の卵😀"


@pytest.fixture
def sale(register_client):
    return post(register_client, "/api/orders", order_body()).json()


def receipt_of(sale, **kwargs):
    return receipt_for(order=order_get(order_id=sale["id"]), store=Store.objects.get(), **kwargs)


def with_long_name(receipt):
    receipt = copy.deepcopy(receipt)
    receipt["lines"][0]["name"] = LONG
    receipt["lines"][0]["modifiers"] = [LONG]
    return receipt


def test_initialisation_sets_every_table_and_size_it_relies_on(register_client, sale):
    paper = decode(register_client.get(f"/api/orders/{sale['id']}/receipt.escpos").content)
    state = paper.states_at_first_text
    assert state is not None
    assert (state.international, state.table, state.kanji, state.kanji_code) == (JAPAN, KATAKANA, True, SHIFT_JIS)
    assert {"ESC R", "ESC t", "FS &", "FS C", "ESC !", "FS !", "GS !"} <= paper.set_before_text
    title, *rest = paper.lines
    assert title.text == "領収書" and all(c.columns == 4 for c in title.chars), "the title is double size"
    assert all(c.columns == (2 if c.kanji else 1) for line in rest for c in line.chars), "then normal size, Kanji too"
    assert paper.cuts == 1


def test_the_yen_sign_and_half_width_kana_print_as_themselves(register_client, sale):
    paper = decode(receipt_escpos(with_long_name(receipt_of(sale))))
    assert "¥2,116" in paper.text and "¥1,566" in paper.text
    assert "\\" not in paper.text and "‾" not in paper.text
    assert "ｶﾗｱｹﾞ ﾃﾞﾗｯｸｽ" in paper.text.replace("\n", "")
    assert "※牛丼" in decode(receipt_escpos(receipt_of(sale))).text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_line_is_wider_than_the_paper(register_client, sale, lang):
    post(register_client, f"/api/orders/{sale['id']}/refunds",
         {"id": "5c7a7f1e-7a3f-4a55-9d3b-8f0f3a1c2b4d", "manager_pin": MANAGER_PIN, "reason": "cold"})
    receipts = [with_long_name(receipt_of(sale, lang=lang)), with_long_name(receipt_of(sale, copy=True, lang=lang))]
    refund = register_client.get(f"/api/orders/{sale['id']}/refunds/5c7a7f1e-7a3f-4a55-9d3b-8f0f3a1c2b4d/receipt?lang={lang}")
    receipts.append(with_long_name(refund.json()))
    for receipt in receipts:
        paper = decode(receipt_escpos(receipt, link="https://node.example/r/S001.x/"))
        widest = max(paper.lines, key=lambda line: line.columns)
        assert widest.columns <= WIDTH, widest.text
        # Every reduced-rate line (※ is two columns on paper) still ends with its whole amount.
        for line in paper.lines:
            if line.text.startswith("※牛丼"):
                assert line.text.endswith("¥1,316") and line.columns <= WIDTH


def test_a_ticket_resets_kanji_size_after_a_big_line_and_fits_the_paper():
    ticket = {"id": "t1", "number": 7, "dining": "take_out", "placed_at": "2026-11-29T12:00:00+09:00",
              "items": [{"qty": 2, "name_ja": LONG, "modifiers": [{"name_ja": "大盛"}]}]}
    paper = decode(job_bytes(ticket_job(ticket, station_name="グリル", lang="ja")))
    [number] = [line for line in paper.lines if line.text.startswith("No. 7")]
    assert all(c.columns == 4 for c in number.chars if c.kanji), "the ticket number is double size, Kanji included"
    [modifier] = [line for line in paper.lines if "大盛" in line.text]
    assert [c.columns for c in modifier.chars if c.kanji] == [2, 2], "Kanji back to normal size after a big line"
    assert max(line.columns for line in paper.lines) <= WIDTH
    assert "持ち帰り" in paper.text and " / " not in paper.text, "one language on the ticket"
    assert "画面で確認されなかったため印刷" in paper.text
    english = decode(job_bytes(ticket_job({**ticket, "items": [{"qty": 1, "name_ja": "牛丼", "name_en": "Beef bowl"}]},
                                          station_name="grill", lang="en"))).text
    assert "Take out" in english and "Beef bowl" in english and "牛丼" not in english


def test_the_network_printer_sends_the_same_state_setup():
    with FakeEscposPrinter() as fake:
        EscposNetworkPrinter(fake.host, fake.port).print_job(PrintJob("t", [Line("No. 7  店内", big=True), Line("1 x ｺｰﾗ ¥150")]))
    [job] = fake.printed()
    paper = decode(job)
    assert paper.states_at_first_text.international == JAPAN and paper.states_at_first_text.table == KATAKANA
    assert "1 x ｺｰﾗ ¥150" in paper.text


def test_characters_the_printer_lacks_are_mapped_or_marked_never_sent_as_vendor_codes():
    receipt_line = decode(job_bytes(PrintJob("t", [Line("①髙橋～😀\\")]))).text
    assert receipt_line.strip() == "(1)高橋〜〓＼"
    assert unprintable("ラーメン😀") == ["😀"] and unprintable("①髙橋") == []
    assert unprintable("a\x1b@b") == ["\x1b"], "a control character in a name would be a printer command"


def test_the_paper_receipt_carries_a_qr_code_of_its_signed_link(register_client, sale, monkeypatch):
    # The link carries its expiry to the second: both answers are made at one instant.
    from registers import ereceipt

    now = timezone.now()
    monkeypatch.setattr(ereceipt.timezone, "now", lambda: now)
    receipt = register_client.get(f"/api/orders/{sale['id']}/receipt").json()
    paper = decode(register_client.get(f"/api/orders/{sale['id']}/receipt.escpos").content)
    assert paper.qr_codes == [receipt["link"].encode()]
    page = register_client.get(receipt["link"].removeprefix("http://testserver"), HTTP_AUTHORIZATION="")
    assert page.status_code == 200 and "¥2,116" in page.content.decode()


def test_a_receipt_printed_on_a_network_printer_carries_the_qr_code_when_told_the_address(register_client, sale):
    from kitchen import printing

    with FakeEscposPrinter() as fake:
        printing.receipt_print(order_id=sale["id"], printer=EscposNetworkPrinter(fake.host, fake.port),
                               base_url="https://s001.example.jp/")
    [job] = fake.printed()
    [qr] = decode(job).qr_codes
    assert qr.startswith(b"https://s001.example.jp/r/S001.")
    assert register_client.get(qr.decode().removeprefix("https://s001.example.jp")).status_code == 200
