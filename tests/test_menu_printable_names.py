"""A menu name the receipt and kitchen printers cannot print is refused when HQ saves it in admin,
with a message that says which characters; one they print in a common form is taken."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from menu.models import MenuItem
from registers.receipt_escpos import document
from tests.escpos_decode import decode

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq_admin(db, settings, admin_client):
    call_command("seed_demo", stdout=io.StringIO())
    settings.POS_ROLE = "hq"
    return admin_client


def save(client, item: MenuItem, **names):
    form = {"sku": item.sku, "name_ja": item.name_ja, "name_en": item.name_en, "category": item.category_id,
            "price": str(item.price), "tax_class": item.tax_class, "station": item.station_id or "",
            "available": "on", "takeout_ok": "on", "position": str(item.position), "_save": "1",
            # the per-store prices inline, empty
            "store_items-TOTAL_FORMS": "0", "store_items-INITIAL_FORMS": "0",
            "components-TOTAL_FORMS": "0", "components-INITIAL_FORMS": "0", **names}  # and the set components inline
    return client.post(f"/admin/menu/menuitem/{item.pk}/change/", form, HTTP_ACCEPT_LANGUAGE="ja")


def test_a_name_with_an_emoji_is_refused_with_a_clear_error(hq_admin):
    fries = MenuItem.objects.get(sku="FRIES")
    response = save(hq_admin, fries, name_ja="ポテト😀")
    assert response.status_code == 200  # the form again, with the error
    page = response.content.decode()
    assert "プリンターでは 😀 を印刷できません" in page
    assert MenuItem.objects.get(sku="FRIES").name_ja == "フライドポテト"


def test_a_name_with_a_vendor_character_is_taken_and_printed_in_its_common_form(hq_admin):
    fries = MenuItem.objects.get(sku="FRIES")
    response = save(hq_admin, fries, name_ja="髙橋さんのポテト①")
    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = MenuItem.objects.get(sku="FRIES").name_ja
    assert decode(document([("text", saved)])).text == "高橋さんのポテト(1)"


def test_a_store_name_or_address_the_printers_cannot_print_is_refused(hq_admin):
    from django.core.exceptions import ValidationError

    from stores.models import Store

    store = Store.objects.get()
    store.address = "東京都渋谷区①-2 ㈱ビル"
    store.full_clean()  # vendor characters with a common form are taken
    store.name = "ぽすうぇぶ🍜"
    with pytest.raises(ValidationError) as refused:
        store.full_clean()
    assert "name" in refused.value.message_dict and "🍜" in refused.value.message_dict["name"][0]
