"""Receipts that pass a tax audit: a copy shows the issuer as sold, a refund receipt is a
qualified return invoice (適格返還請求書), a discount shows per rate, and the Z report adds up
from the receipts line by line."""

from __future__ import annotations

import uuid

import pytest

from registers.events import OrderPlaced
from registers.models import Order
from stores.models import Store
from sync.models import Change
from tests.escpos_decode import decode
from tests.money import MANAGER_PIN, forget_pin_failures, place, post  # noqa: F401  (autouse)
from tests.personas import order_body

pytestmark = pytest.mark.django_db

# Take-out: 10 draft beers at 550 (10 %) and 26 fries at 250 (8 %): ¥12,000.
TWELVE_THOUSAND = [{"sku": "BEER", "qty": 10}, {"sku": "FRIES", "qty": 26}]
MIXED = [{"sku": "GYUDON", "qty": 1, "modifiers": ["size_nami"]}, {"sku": "BEER", "qty": 1}]  # 468 @8 %, 550 @10 %


def escpos_text(client, url: str) -> str:
    paper = decode(client.get(url).content)
    assert max(line.columns for line in paper.lines) <= 42
    return paper.text


def refund(client, order_id: str, **body) -> str:
    refund_id = str(uuid.uuid4())
    response = post(client, f"/api/orders/{order_id}/refunds",
                    {"id": refund_id, "manager_pin": MANAGER_PIN, "reason": "wrong order", **body})
    assert response.status_code == 201, response.content
    return refund_id


def test_a_reprint_after_renaming_the_store_shows_the_original_issuer(register_client):
    sale = post(register_client, "/api/orders", order_body()).json()
    Store.objects.update(name="ぽすうぇぶ 新宿店", name_en="posweb Shinjuku", invoice_number="T7000012050002",
                         address="東京都新宿区1-1")
    copy = register_client.get(f"/api/orders/{sale['id']}/receipt?copy=true").json()
    assert (copy["store_name"], copy["invoice_number"], copy["copy"]) == ("ぽすうぇぶ 渋谷店", "T7123456789012", True)
    paper = escpos_text(register_client, f"/api/orders/{sale['id']}/receipt.escpos?copy=true")
    assert "ぽすうぇぶ 渋谷店" in paper and "登録番号 T7123456789012" in paper and "新宿" not in paper
    page = register_client.get(f"/register/receipt/{sale['id']}/?copy=1").content.decode()
    assert "ぽすうぇぶ 渋谷店" in page and "T7123456789012" in page and "新宿" not in page
    # A sale made after the change is issued by the store as it is now.
    later = post(register_client, "/api/orders", order_body()).json()
    now = register_client.get(f"/api/orders/{later['id']}/receipt").json()
    assert (now["store_name"], now["invoice_number"], now["store_address"]) == ("ぽすうぇぶ 新宿店", "T7000012050002", "東京都新宿区1-1")


def test_a_node_that_folds_the_sale_later_after_the_rename_prints_the_issuer_as_sold(register_client):
    """As HQ or a sibling does: the receipt is rebuilt from the replicated changes alone."""
    from registers.models import Refund
    from sync.projection import project

    sale = post(register_client, "/api/orders", order_body()).json()
    refund_id = refund(register_client, sale["id"])
    before = register_client.get(f"/api/orders/{sale['id']}/refunds/{refund_id}/receipt").json()
    changes = list(Change.objects.order_by("seq"))
    Store.objects.update(name="ぽすうぇぶ 新宿店", invoice_number="T7000012050002")
    Refund.objects.all().delete()
    Order.objects.all().delete()
    for change in changes:
        project(change)
    sale_copy = register_client.get(f"/api/orders/{sale['id']}/receipt?copy=true").json()
    assert (sale_copy["store_name"], sale_copy["invoice_number"]) == ("ぽすうぇぶ 渋谷店", "T7123456789012")
    again = register_client.get(f"/api/orders/{sale['id']}/refunds/{refund_id}/receipt").json()
    assert again == before


def test_the_issuer_travels_in_the_sale_and_an_old_sale_without_it_falls_back_to_the_store(register_client):
    sale = post(register_client, "/api/orders", order_body()).json()
    payload = Change.objects.get(kind=OrderPlaced.kind, payload__id=sale["id"]).payload
    assert payload["issuer"] == {"name": "ぽすうぇぶ 渋谷店", "name_en": "posweb Shibuya",
                                 "invoice_number": "T7123456789012", "address": ""}
    # A sale recorded before receipts kept their issuer: what the receipt always showed, the store now.
    Order.objects.filter(pk=sale["id"]).update(issuer=None)
    Store.objects.update(name="ぽすうぇぶ 新宿店")
    assert register_client.get(f"/api/orders/{sale['id']}/receipt").json()["store_name"] == "ぽすうぇぶ 新宿店"


def test_a_12000_yen_refund_mixing_rates_prints_a_qualified_return_invoice(register_client):
    sale = place(register_client, "take_out", TWELVE_THOUSAND, [{"method": "cash", "amount": 12000}])
    assert sale["total"] == 12000
    refund_id = refund(register_client, sale["id"])
    receipt = register_client.get(f"/api/orders/{sale['id']}/refunds/{refund_id}/receipt").json()
    assert receipt["total"] == 12000
    assert receipt["taxes"] == [{"rate": 10, "taxable": 5500, "tax": 500}, {"rate": 8, "taxable": 6500, "tax": 481}]
    assert receipt["refunded_at"][:10] and receipt["sold_at"][:10]
    paper = escpos_text(register_client, f"/api/orders/{sale['id']}/refunds/{refund_id}/receipt.escpos")
    for text in ("返金明細書", "ぽすうぇぶ 渋谷店", "登録番号 T7123456789012", "返金日", "お買上げ日",
                 "※フライドポテト", "生ビール", "返金合計", "-¥12,000", "10%対象 返金額", "-¥5,500",
                 "内消費税 (10%)", "-¥500", "8%対象 返金額", "-¥6,500", "内消費税 (8%)", "-¥481",
                 "※は軽減税率(8%)対象商品"):
        assert text in paper, text
    assert "生ビール" in paper and "※生ビール" not in paper, "only reduced-rate items carry ※"
    page = register_client.get(f"/register/receipt/{sale['id']}/?refund={refund_id}").content.decode()
    for text in ("返金明細書", "返金日", "お買上げ日", "¥6,500", "¥481", "¥5,500", "¥500"):
        assert text in page, text


def test_a_discounted_sale_prints_its_discount_per_rate_and_the_figures_add_up(register_client):
    order = place(register_client, "take_out", MIXED, [])
    response = post(register_client, f"/api/orders/{order['id']}/discount",
                    {"manager_pin": MANAGER_PIN, "reason": "regular", "amount": 100})
    assert response.status_code == 200, response.content
    receipt = register_client.get(f"/api/orders/{order['id']}/receipt").json()
    assert receipt["items_total"] == 1018 and receipt["total"] == 918
    assert sorted((d["rate"], d["amount"]) for d in receipt["discounts"]) == [(8, 45), (10, 55)]
    for rate in receipt["rates"]:
        assert rate["items"] - rate["discount"] == rate["taxable"]
    assert sum(rate["taxable"] for rate in receipt["rates"]) == receipt["total"]
    paper = escpos_text(register_client, f"/api/orders/{order['id']}/receipt.escpos")
    for text in ("小計", "¥1,018", "値引 (10%対象)", "-¥55", "値引 (8%対象)", "-¥45", "合計", "¥918",
                 "10%対象", "¥495", "8%対象", "¥423"):
        assert text in paper, text


def test_the_z_report_reconciles_with_the_receipts_line_by_line(register_client):
    plain = post(register_client, "/api/orders", order_body()).json()
    discounted = place(register_client, "take_out", MIXED, [])
    post(register_client, f"/api/orders/{discounted['id']}/discount", {"manager_pin": MANAGER_PIN, "reason": "x", "percent": 10})
    paid = post(register_client, f"/api/orders/{discounted['id']}/payments",
                {"id": str(uuid.uuid4()), "payments": [{"method": "card", "amount": 917}]})
    assert paid.status_code == 201, paid.content
    big = place(register_client, "take_out", TWELVE_THOUSAND, [{"method": "cash", "amount": 12000}])
    refund_id = refund(register_client, big["id"], lines=[{"position": 0, "qty": 3}, {"position": 1, "qty": 4}])
    sales = [register_client.get(f"/api/orders/{o['id']}/receipt").json() for o in (plain, discounted, big)]
    back = register_client.get(f"/api/orders/{big['id']}/refunds/{refund_id}/receipt").json()

    z = post(register_client, "/api/reports/z", {"manager_pin": MANAGER_PIN, "business_date": plain["business_date"]})
    assert z.status_code == 201, z.content
    report = z.json()["report"]

    def per_rate(receipts):
        out: dict[int, list[int]] = {}
        for receipt in receipts:
            for rate in receipt["taxes"]:
                got = out.setdefault(rate["rate"], [0, 0])
                got[0] += rate["taxable"]
                got[1] += rate["tax"]
        return out

    assert per_rate(sales) == {t["rate"]: [t["taxable"], t["tax"]] for t in report["taxes"]}
    assert per_rate([back]) == {t["rate"]: [t["taxable"], t["tax"]] for t in report["refunds"]["taxes"]}
    assert sum(r["total"] for r in sales) == report["total"] and back["total"] == report["refunds"]["amount"]
    assert sum(d["amount"] for r in sales for d in r["discounts"]) == report["discounts"]["amount"]
    for receipt in (*sales, back):  # each receipt adds up on its own, rate by rate
        assert all(rate["items"] - rate["discount"] == rate["taxable"] for rate in receipt["rates"])


def test_a_receipt_is_in_one_language_the_stores_or_english_for_a_device_that_chose_it(register_client):
    sale = post(register_client, "/api/orders", order_body()).json()
    japanese = escpos_text(register_client, f"/api/orders/{sale['id']}/receipt.escpos")
    assert "領収書" in japanese and "Receipt" not in japanese and "Beef bowl" not in japanese
    register_client.cookies["django_language"] = "en"  # the register's language switch, this device only
    english = escpos_text(register_client, f"/api/orders/{sale['id']}/receipt.escpos")
    assert "Receipt" in english and "Beef bowl" in english and "posweb Shibuya" in english
    assert "領収書" not in english and "牛丼" not in english
    page = register_client.get(f"/register/receipt/{sale['id']}/").content.decode()
    assert "Registration No. T7123456789012" in page and "登録番号" not in page and " / " not in page
    assert "領収書" in escpos_text(register_client, f"/api/orders/{sale['id']}/receipt.escpos?lang=ja")
