"""The sync management commands."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from sync import peers
from sync.models import Change


def test_a_store_cannot_publish_master_data_from_the_command_line(demo):
    with pytest.raises(CommandError, match="HQ"):
        call_command("sync_publish_master", stdout=io.StringIO())


@override_settings(POS_ROLE="hq")
def test_hq_publishes_all_master_data_again(db):
    call_command("seed_demo", stdout=io.StringIO())
    before = Change.objects.filter(kind="master.upsert").count()
    out = io.StringIO()
    call_command("sync_publish_master", stdout=out)
    assert Change.objects.filter(kind="master.upsert").count() == 2 * before
    assert f"published {before}" in out.getvalue()


@override_settings(POS_PEERS=["http://127.0.0.1:9"])
def test_sync_now_reports_an_unreachable_sibling(demo):
    out = io.StringIO()
    try:
        call_command("sync_now", stdout=out)
    finally:
        peers._links.clear()
        peers._status.clear()
    health = json.loads(out.getvalue())
    assert health["peers"][0]["state"] == "down"
