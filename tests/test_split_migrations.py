"""stores/ and menu/ took their models from registers (and Station from kitchen)
in migration state only: a database made before the split keeps its tables and
rows, its admin permissions and its menu-version triggers.

The old schema is named with the old app labels on purpose (split-codemod: skip)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_SPLIT = [("registers", "0005_menu_version"), ("kitchen", "0005_kitchen_screen_presence")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()


def old_schema_with_rows() -> dict[str, int]:
    """Back to the last migrations before the split, and rows written through the models as they were then."""
    migrate([("stores", None)])  # also unapplies menu and the registers/kitchen migrations that need it
    graph = MigrationExecutor(connection).loader.graph
    others = [node for node in graph.leaf_nodes() if node[0] not in ("stores", "menu", "registers", "kitchen")]
    old = MigrationExecutor(connection).loader.project_state(BEFORE_SPLIT + others).apps
    station = old.get_model("kitchen", "Station").objects.create(code="grill", name_ja="グリル", name_en="Grill")
    category = old.get_model("registers", "Category").objects.create(code="mains", name_ja="主菜", name_en="Mains")
    item = old.get_model("registers", "MenuItem").objects.create(
        sku="STEAK", name_ja="ステーキ", name_en="Steak", category=category, price=1500, station=station
    )
    old.get_model("registers", "Store").objects.create(code="S001", name="本店")
    old.get_model("registers", "Staff").objects.create(store="S001", name="Aki", role="manager", pin_digest="d" * 64)
    content_type = old.get_model("contenttypes", "ContentType").objects.get_or_create(app_label="registers", model="menuitem")[0]
    permission = old.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="change_menuitem", defaults={"name": "Can change menu item"}
    )[0]
    return {"item": item.pk, "content_type": content_type.pk, "permission": permission.pk}


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_split_upgrades_in_place():
    before = old_schema_with_rows()
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from menu.models import MenuItem
    from stores.models import Staff, Store

    steak = MenuItem.objects.select_related("category", "station").get(sku="STEAK")
    assert steak.station is not None and steak.station.code == "grill"
    assert (steak.pk, steak.category.code, steak.price) == (before["item"], "mains", 1500)
    assert Store.objects.get(code="S001").name == "本店"
    assert Staff.objects.get(store="S001").role == "manager"
    content_type = ContentType.objects.get_for_model(MenuItem)
    assert (content_type.pk, content_type.app_label) == (before["content_type"], "menu")
    assert Permission.objects.get(pk=before["permission"]).content_type_id == content_type.pk
    assert not ContentType.objects.filter(app_label="registers", model__in=["menuitem", "store", "staff"]).exists()


def test_the_menu_version_triggers_still_see_the_moved_tables(db):
    from menu.models import Category, MenuItem, MenuVersion

    def version() -> int | None:
        return MenuVersion.objects.filter(pk=1).values_list("version", flat=True).first()

    MenuVersion.objects.get_or_create(pk=1)
    category = Category.objects.create(code="mains", name_ja="主菜", name_en="Mains")
    MenuItem.objects.create(sku="STEAK", name_ja="ステーキ", name_en="Steak", category=category, price=1500)
    first = version()
    MenuItem.objects.filter(sku="STEAK").update(price=1600)
    assert version() != first


def test_a_fresh_database_has_the_models_under_their_new_apps(db):
    from menu.models import MenuItem, Station
    from stores.models import Store

    labels = {ContentType.objects.get_for_model(m).app_label for m in (MenuItem, Station)}
    assert labels == {"menu"} and ContentType.objects.get_for_model(Store).app_label == "stores"
    assert (MenuItem._meta.db_table, Station._meta.db_table, Store._meta.db_table) == (
        "registers_menuitem", "kitchen_station", "registers_store"
    )
