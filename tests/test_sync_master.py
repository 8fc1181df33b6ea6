"""Master data: published only at HQ, applied at stores last-writer-wins by HLC."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from menu.models import Category, MenuItem, Station
from stores.models import Store
from sync.clock import pack
from sync.master import NotHQ, master_publish, serialize, wire_label
from sync.models import Change, MasterVersion
from tests.replication_fixtures import RemoteOrigin, signed_post

HQ = "hq:hq1.abcd1234"


def upsert(hq: RemoteOrigin, instance, *, hlc: int | None = None, **fields):
    data = {**serialize(instance), **fields}
    key = getattr(instance, "sku", None) or instance.code
    return hq.change("master.upsert", {"model": wire_label(instance._meta.label), "key": key, "fields": data}, hlc=hlc, store="*")


def push(client, changes):
    response, _ = signed_post(client, "/api/sync/push", {"changes": changes, "vector": {}})
    assert response.status_code == 200, response.content
    return response.json()


def test_a_store_cannot_publish_master_data(demo):
    with pytest.raises(NotHQ):
        master_publish(instance=MenuItem.objects.get(sku="FRIES"))


@override_settings(POS_ROLE="hq")
def test_seed_demo_at_hq_publishes_the_whole_menu_without_the_sync_key(db):
    call_command("seed_demo", stdout=io.StringIO())
    published = Change.objects.filter(kind="master.upsert")
    assert published.filter(payload__model="registers.MenuItem").count() == MenuItem.objects.count()
    assert published.filter(payload__model="kitchen.Station").count() == Station.objects.count()
    assert all(c.store == "*" and c.origin.startswith("hq:") for c in published)
    store = published.get(payload__model="registers.Store")
    assert "sync_key" not in store.payload["fields"]


def menu(register_client) -> dict[str, dict]:
    return {i["sku"]: i for i in register_client.get("/api/menu").json()["items"]}


def test_a_price_from_hq_replaces_the_stores_price(client, register_client):
    hq = RemoteOrigin(HQ, store="*")
    push(client, [upsert(hq, MenuItem.objects.get(sku="FRIES"), price="280")])
    assert menu(register_client)["FRIES"]["price"] == 280


def test_an_older_write_arriving_late_does_not_undo_a_newer_one(client, demo):
    hq_old, hq_new = RemoteOrigin(HQ, store="*"), RemoteOrigin("hq:hq2.ffff0000", store="*")
    fries = MenuItem.objects.get(sku="FRIES")
    newer = upsert(hq_new, fries, price="300", hlc=pack(hq_new.wall_ms + 1000, 0))
    older = upsert(hq_old, fries, price="260", hlc=pack(hq_old.wall_ms, 0))
    push(client, [newer])
    push(client, [older])
    assert MenuItem.objects.get(sku="FRIES").price == 300
    assert MasterVersion.objects.get(model="registers.MenuItem", key="FRIES").origin == "hq:hq2.ffff0000"


def test_a_new_item_comes_with_its_category_and_station_by_code(client, demo):
    hq = RemoteOrigin(HQ, store="*")
    category = Category(code="noodles", name_ja="麺", name_en="Noodles", position=9)
    station = Station(code="noodle", name_ja="麺場", name_en="Noodle bar", position=9)
    item = MenuItem(sku="UDON", name_ja="うどん", name_en="Udon", category=category, price=390, tax_class="food", station=station)
    fields = {f.name: f.value_to_string(item) for f in MenuItem._meta.concrete_fields if not f.primary_key and not f.is_relation}
    changes = [
        upsert(hq, station),
        upsert(hq, category),
        hq.change("master.upsert", {"model": "registers.MenuItem", "key": "UDON",
                                    "fields": {**fields, "category": "noodles", "station": "noodle", "modifier_groups": ["bowl_size"]}},
                  store="*"),
    ]
    push(client, changes)
    udon = MenuItem.objects.get(sku="UDON")
    assert (udon.category.code, udon.station.code, udon.price) == ("noodles", "noodle", 390)
    assert [g.code for g in udon.modifier_groups.all()] == ["bowl_size"]


def test_a_withdrawn_item_leaves_the_menu(client, register_client):
    hq = RemoteOrigin(HQ, store="*")
    push(client, [hq.change("master.delete", {"model": "registers.MenuItem", "key": "BAG"}, store="*")])
    assert not MenuItem.objects.filter(sku="BAG").exists()
    assert "BAG" not in menu(register_client)


def test_store_settings_apply_only_at_that_store(client, demo):
    hq = RemoteOrigin(HQ, store="*")
    other = Store(code="S002", name="二号店", time_zone="Asia/Tokyo")
    push(client, [upsert(hq, Store.objects.get(code="S001"), name="新しい店名"), upsert(hq, other)])
    assert Store.objects.get(code="S001").name == "新しい店名"
    assert not Store.objects.filter(code="S002").exists()


@override_settings(POS_ROLE="hq")
def test_saving_a_menu_item_in_hq_admin_publishes_it(db, admin_client):
    call_command("seed_demo", stdout=io.StringIO())
    before = Change.objects.filter(kind="master.upsert").count()
    item = MenuItem.objects.get(sku="FRIES")
    response = admin_client.get(f"/admin/menu/menuitem/{item.pk}/change/")
    form = response.context["adminform"].form
    data = {name: (value if value is not None else "") for name, value in form.initial.items()}
    data.update({"price": 300, "modifier_groups": [], "station": item.station_id, "category": item.category_id, "_save": "Save"})
    data = {k: v for k, v in data.items() if v is not False}
    # The inlines (per-store prices, a set's components), empty.
    data.update({"store_items-TOTAL_FORMS": "0", "store_items-INITIAL_FORMS": "0", "components-TOTAL_FORMS": "0", "components-INITIAL_FORMS": "0"})
    response = admin_client.post(f"/admin/menu/menuitem/{item.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    latest = Change.objects.filter(kind="master.upsert").order_by("-seq").first()
    assert Change.objects.filter(kind="master.upsert").count() == before + 1
    assert latest.payload["key"] == "FRIES" and latest.payload["fields"]["price"] == "300"


def test_an_item_whose_category_comes_later_waits_for_it(client, demo):
    from sync.models import ParkedChange

    hq_a, hq_b = RemoteOrigin(HQ, store="*"), RemoteOrigin("hq:hq2.ffff0000", store="*")
    category = Category(code="noodles", name_ja="麺", name_en="Noodles", position=9)
    item = MenuItem(sku="UDON", name_ja="うどん", name_en="Udon", category=category, price=390, tax_class="food")
    fields = {f.name: f.value_to_string(item) for f in MenuItem._meta.concrete_fields if not f.primary_key and not f.is_relation}
    answer = push(client, [hq_a.change("master.upsert", {"model": "registers.MenuItem", "key": "UDON",
                                                         "fields": {**fields, "category": "noodles", "station": None}}, store="*")])
    assert answer["parked"] == 1 and not MenuItem.objects.filter(sku="UDON").exists()
    push(client, [upsert(hq_b, category)])
    assert MenuItem.objects.get(sku="UDON").category.code == "noodles"
    assert ParkedChange.objects.count() == 0
