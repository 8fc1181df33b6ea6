"""Money is 64-bit everywhere, and one limit (sync.events.MAX_YEN) is checked where money enters.

An order past 2^31 yen is stored (bin/test runs these on PostgreSQL too, where
a 32-bit column would raise DataError); one past MAX_YEN is refused at the
store with a 422 naming the limit, so nothing a store accepts is refused at HQ.
Changing the columns rebuilt tables on SQLite: the menu-version triggers on
them must still be there.
"""

from __future__ import annotations

import datetime as dt
import importlib
import uuid

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor

from menu.models import Category, MenuItem, MenuVersion, Modifier, ModifierGroup, StoreItem
from registers import tender
from registers.models import DrawerEvent, Order, OrderAdjustment, OrderLine, Payment, Refund
from stores.models import Store
from sync.events import MAX_YEN, EventInvalid, event_parse
from tests.money import MANAGER_PIN, post
from tests.replication_fixtures import RemoteOrigin, placed, signed_post

PAST_32_BIT = 2**31 + 12_345
LIMIT_TEXT = f"{MAX_YEN:,} yen"
# Integer columns that hold a count, a position, a rate or an id, never yen.
NOT_MONEY = {
    "hq.NodeContact.backlog", "hq.Alert.sent", "integrations.WebhookDelivery.attempts",
    "integrations.WebhookDelivery.last_status_code", "integrations.PushSubscription.attempts",
    "kitchen.Ticket.number", "kitchen.PrinterState.failures", "menu.Station.position", "menu.Station.printer_port",
    "menu.Category.position", "menu.ModifierGroup.min_choices", "menu.ModifierGroup.max_choices",
    "menu.ModifierGroup.position", "menu.Modifier.position", "menu.MenuItem.position", "menu.MenuVersion.id",
    "registers.Order.number", "registers.OrderLine.position", "registers.OrderLine.qty", "registers.OrderLine.tax_rate",
    "registers.Payment.position", "registers.Shift.staff_id", "registers.ZReport.number",
    "registers.OrderAdjustment.position", "stores.Store.offline_card_settle_hours", "stores.TicketCounter.lane",
    "stores.TicketCounter.count", "sync.NodeState.id",
    # Counts, numbers and positions of the table floor, ticket renumbering and the tablets' outboxes.
    "registers.Check.guests", "registers.Check.number", "registers.OrderRenumber.number",
    "registers.OrderRenumber.was",
    "registers.RegisterOutbox.waiting", "stores.RegisterCounter.count", "stores.Table.position", "stores.Table.seats",
    "menu.MenuWindow.position", "menu.SetComponent.position", "menu.SetComponent.qty",
    # A meal's course number (courses with hold and fire).
    "registers.OrderLine.course", "kitchen.Ticket.course",
}
PROJECT_APPS = ("hq", "integrations", "kitchen", "menu", "registers", "security", "stores", "sync")


def test_every_integer_column_of_the_project_is_64_bit_unless_it_is_a_count():
    narrow = {
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for field in model._meta.concrete_fields
        if isinstance(field, models.IntegerField)
        and not isinstance(field, (models.BigIntegerField, models.PositiveBigIntegerField, models.AutoField))
    }
    assert narrow <= NOT_MONEY, f"yen needs a 64-bit column (or list a count in NOT_MONEY): {sorted(narrow - NOT_MONEY)}"


@pytest.mark.django_db
def test_amounts_past_2_31_yen_are_stored_in_every_money_column():
    Store.objects.create(code="S9", name="大", offline_card_limit=PAST_32_BIT, offline_card_store_limit=PAST_32_BIT)
    category = Category.objects.create(code="big", name_ja="大", name_en="Big")
    item = MenuItem.objects.create(sku="BIG", name_ja="大", name_en="Big", category=category, price=PAST_32_BIT)
    StoreItem.objects.create(store="S9", item=item, price=PAST_32_BIT)
    group = ModifierGroup.objects.create(code="g", name_ja="g", name_en="g")
    Modifier.objects.create(group=group, code="m", name_ja="m", name_en="m", price_delta=-PAST_32_BIT)
    now = dt.datetime.now(dt.UTC)
    order = Order.objects.create(
        id=uuid.uuid4(), store="S9", number=1, business_date=now.date(), register="r", dining="eat_in",
        total=PAST_32_BIT, paid=PAST_32_BIT, change_given=PAST_32_BIT, request_hash="h", origin="o", placed_at=now,
    )
    OrderLine.objects.create(order=order, position=0, sku="BIG", name_ja="大", name_en="Big", qty=1,
                             unit_price=PAST_32_BIT, amount=PAST_32_BIT, tax_class="food", tax_rate=10)
    Payment.objects.create(id=uuid.uuid4(), order=order, position=0, method="cash", amount=PAST_32_BIT,
                           tendered=PAST_32_BIT, change=PAST_32_BIT, recorded_at=now)
    Refund.objects.create(id=uuid.uuid4(), order_id=order.id, store="S9", business_date=now.date(), method="cash",
                          amount=PAST_32_BIT, staff="m", reason="r", at=now)
    DrawerEvent.objects.create(id=uuid.uuid4(), store="S9", business_date=now.date(), register="r", kind="count",
                               amount=PAST_32_BIT, staff="m", at=now, hlc=1)
    OrderAdjustment.objects.create(id=uuid.uuid4(), order_id=order.id, store="S9", kind="discount",
                                   value=PAST_32_BIT, staff="m", reason="r", at=now, hlc=1, origin="o")
    assert Order.objects.filter(total=PAST_32_BIT, paid=PAST_32_BIT, change_given=PAST_32_BIT).count() == 1
    for model, column in [(OrderLine, "unit_price"), (OrderLine, "amount"), (Payment, "tendered"),
                          (Payment, "change"), (Refund, "amount"), (DrawerEvent, "amount"), (OrderAdjustment, "value"),
                          (MenuItem, "price"), (StoreItem, "price"), (Store, "offline_card_store_limit")]:
        assert model.objects.filter(**{column: PAST_32_BIT}).count() == 1, (model, column)
    assert Modifier.objects.get(code="m").price_delta == -PAST_32_BIT


# --- Limits where money enters -------------------------------------------------


def price(sku: str, yen: int) -> None:
    MenuItem.objects.filter(sku=sku).update(price=yen)


def order(client, lines: list[tuple[str, int]]):
    body = {"id": str(uuid.uuid4()), "register": "register-1", "dining": "eat_in",
            "lines": [{"sku": sku, "qty": qty} for sku, qty in lines], "payments": []}
    return post(client, "/api/orders", body)


def test_an_order_past_2_31_yen_is_placed_and_kept_to_the_yen(register_client):
    price("FRIES", 30_000_000)
    response = order(register_client, [("FRIES", 99)] * 3)
    assert response.status_code == 201, response.content
    assert response.json()["total"] == 3 * 99 * 30_000_000 == Order.objects.get(pk=response.json()["id"]).total


def test_an_order_at_the_limit_is_placed_and_one_yen_past_it_is_refused_naming_the_limit(register_client):
    price("FRIES", MAX_YEN // 2)
    assert order(register_client, [("FRIES", 2)]).status_code == 201
    price("BEER", 1)
    response = order(register_client, [("FRIES", 2), ("BEER", 1)])
    assert response.status_code == 422 and LIMIT_TEXT in response.json()["detail"], response.content
    assert "total" in response.json()["detail"]


def test_a_line_past_the_limit_is_refused_naming_the_limit(register_client):
    price("FRIES", MAX_YEN // 50)
    response = order(register_client, [("FRIES", 99)])
    assert response.status_code == 422 and "lines[0]" in response.json()["detail"]
    assert LIMIT_TEXT in response.json()["detail"]


def test_a_price_override_that_would_take_the_total_past_the_limit_is_refused(register_client):
    price("BEER", (MAX_YEN - 99 * 1_000_000) // 99 + 1)
    placed_order = order(register_client, [("BEER", 99), ("FRIES", 99)])
    assert placed_order.status_code == 201, placed_order.content
    response = post(register_client, f"/api/orders/{placed_order.json()['id']}/price-override",
                    {"manager_pin": MANAGER_PIN, "reason": "special", "position": 1, "unit_price": 1_000_000})
    assert response.status_code == 422 and LIMIT_TEXT in response.json()["detail"], response.content
    assert Order.objects.get(pk=placed_order.json()["id"]).total == placed_order.json()["total"]


def test_a_tender_past_the_limit_is_refused():
    with pytest.raises(tender.TenderError, match=LIMIT_TEXT):
        tender.settle(1000, [tender.Tender("cash", MAX_YEN + 1)])


@pytest.mark.django_db
def test_hq_cannot_save_a_menu_price_past_the_limit():
    category = Category.objects.create(code="big", name_ja="大", name_en="Big")
    with pytest.raises(ValidationError) as refused:
        MenuItem(sku="BIG", name_ja="大", name_en="Big", category=category, price=MAX_YEN + 1).full_clean()
    assert "price" in refused.value.message_dict
    group = ModifierGroup.objects.create(code="g", name_ja="g", name_en="g")
    with pytest.raises(ValidationError) as refused:
        Modifier(group=group, code="m", name_ja="m", name_en="m", price_delta=-MAX_YEN - 1).full_clean()
    assert "price_delta" in refused.value.message_dict


def test_the_event_contract_refuses_yen_past_the_limit():
    payload = placed(uuid.uuid4(), number=1, price=MAX_YEN)
    assert event_parse("order.placed", payload).total == MAX_YEN  # type: ignore[attr-defined]
    with pytest.raises(EventInvalid, match=r"total: .*1000000000000"):
        event_parse("order.placed", placed(uuid.uuid4(), number=1, price=MAX_YEN + 1))


def test_a_peer_sending_yen_past_the_limit_gets_a_422_that_says_so(client, demo):
    peer = RemoteOrigin("node-a.1")
    wire = peer.change("order.placed", placed(uuid.uuid4(), number=1001, price=MAX_YEN + 1))
    response, _ = signed_post(client, "/api/sync/push", {"changes": [wire], "vector": {}})
    assert response.status_code == 422
    assert "order.placed: total" in response.json()["detail"] and "1000000000000" in response.json()["detail"]
    assert not Order.objects.exists()


# --- The menu-version triggers survive the migrations that rebuilt their tables ---

WATCHED = importlib.import_module("registers.migrations.0005_menu_version").TABLES
BEFORE_64_BIT = [("menu", "0001_initial"), ("stores", "0001_initial"), ("registers", "0006_moved_to_stores_and_menu")]


def triggers_on(table: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        return {row[0] for row in cursor.fetchall()}


def assert_every_watched_table_has_its_triggers() -> None:
    expected = 1 if connection.vendor == "postgresql" else 3  # one per statement kind on SQLite
    missing = {table: triggers_on(table) for table in WATCHED if len(triggers_on(table)) != expected}
    assert not missing, f"menu-version triggers missing: {missing}"


def version() -> int:
    return MenuVersion.objects.values_list("version", flat=True).get(pk=1)


def assert_price_changes_move_the_version() -> None:
    MenuVersion.objects.get_or_create(pk=1)
    category = Category.objects.create(code=f"c{uuid.uuid4().hex[:8]}", name_ja="c", name_en="c")
    item = MenuItem.objects.create(sku=f"I{uuid.uuid4().hex[:8]}", name_ja="i", name_en="i", category=category, price=100)
    group = ModifierGroup.objects.create(code=f"g{uuid.uuid4().hex[:8]}", name_ja="g", name_en="g")
    modifier = Modifier.objects.create(group=group, code=f"m{uuid.uuid4().hex[:8]}", name_ja="m", name_en="m")
    store = Store.objects.create(code=f"S{uuid.uuid4().hex[:6]}", name="s")
    row = StoreItem.objects.create(store=store.code, item=item, price=100)
    for queryset, change in [
        (MenuItem.objects.filter(pk=item.pk), {"price": 200}),
        (Modifier.objects.filter(pk=modifier.pk), {"price_delta": 30}),
        (StoreItem.objects.filter(pk=row.pk), {"price": 150}),
        (Store.objects.filter(pk=store.pk), {"offline_card_limit": 20_000}),
    ]:
        before = version()
        queryset.update(**change)
        assert version() != before, f"{queryset.model.__name__} {change} left the menu version at {before}"


@pytest.mark.django_db
def test_after_migrating_every_watched_table_keeps_its_triggers_and_a_price_change_moves_the_version():
    assert_every_watched_table_has_its_triggers()
    assert_price_changes_move_the_version()


@pytest.mark.django_db(transaction=True)
def test_the_money_migrations_undone_and_done_again_keep_the_triggers():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_64_BIT)
    assert_every_watched_table_has_its_triggers()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert_every_watched_table_has_its_triggers()
    assert_price_changes_move_the_version()
