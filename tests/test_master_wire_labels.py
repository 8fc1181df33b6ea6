"""Master data keeps the wire labels it had before stores/ and menu/ split out of
registers (and Station out of kitchen): the previous release reads what HQ
publishes now, and either label received applies to the model where it lives."""

from __future__ import annotations

import pytest
from django.db.models import Model
from django.test import override_settings

from menu.models import MenuItem, Station
from stores.models import Store
from sync.master import master_publish, wire_label
from sync.models import MasterVersion
from tests.replication_fixtures import RemoteOrigin, signed_post

HQ = "hq:hq1.abcd1234"


def push(client, changes) -> None:
    response, _ = signed_post(client, "/api/sync/push", {"changes": changes, "vector": {}})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("label", ["registers.MenuItem", "menu.MenuItem"])
def test_an_item_change_under_the_old_or_the_new_label_applies_to_the_menu_item(client, demo, label):
    hq = RemoteOrigin(HQ, store="*")
    push(client, [hq.change("master.upsert", {"model": label, "key": "FRIES", "fields": {"price": "310"}}, store="*")])
    assert MenuItem.objects.get(sku="FRIES").price == 310
    # One version per row whatever label named it, so the two labels cannot race each other.
    assert MasterVersion.objects.filter(key="FRIES").values_list("model", flat=True).get() == "registers.MenuItem"


@override_settings(POS_ROLE="hq")
def test_a_publish_carries_the_label_the_previous_release_knows(demo):
    rows: list[Model] = [MenuItem.objects.get(sku="FRIES"), Station.objects.get(code="grill"), Store.objects.get(code="S001")]
    published = {type(row).__name__: master_publish(instance=row).payload["model"] for row in rows}
    assert published == {"MenuItem": "registers.MenuItem", "Station": "kitchen.Station", "Store": "registers.Store"}


def test_wire_labels_map_both_ways():
    assert wire_label("menu.StoreItem") == wire_label("registers.StoreItem") == "registers.StoreItem"
    assert wire_label("sync.Change") == "sync.Change"
