"""Staff rows and PINs from before staff were HQ's master data keep working after the upgrade."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from stores.pins import legacy_digest

BEFORE = [("stores", "0006_register_counter")]


def migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_old_pin_digests_still_open_the_register_after_the_upgrade_and_the_demos_keep_demo_codes(settings):
    migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    OldStaff = old.get_model("stores", "Staff")
    OldStaff.objects.create(store="S001", name="Aki", role="manager", pin_digest=legacy_digest("S001", "2468"))
    OldStaff.objects.create(store="S001", name="山田 花子", role="cashier", pin_digest=legacy_digest("S001", "1234"))
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from stores.models import Staff
    from stores.selectors import staff_with_pin

    aki = staff_with_pin(store="S001", pin="2468")
    assert aki is not None and aki.name == "Aki" and aki.role == "manager" and len(aki.code) == 32
    assert aki.pin_hash.startswith("pin_hmac_pbkdf2_sha256$") and legacy_digest("S001", "2468") not in aki.pin_hash
    assert staff_with_pin(store="S001", pin="2469") is None
    assert Staff.objects.get(name="山田 花子").code == "demo-cashier"
    settings.POS_DEMO = False
    assert staff_with_pin(store="S001", pin="1234") is None and staff_with_pin(store="S001", pin="2468") is not None
