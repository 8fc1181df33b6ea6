"""Store health at HQ shows each store node's live kitchen screens per station
(issue 6): the node sends them with its HQ pulls, HQ keeps them on NodeContact
and shows them on /hq/ and in GET /api/hq/stores, flagging a station with no
screen on any of the store's nodes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from hq.models import NodeContact
from kitchen.models import KitchenScreen
from menu.models import Station
from stores.models import Store
from sync.peers import Link
from tests.replication_fixtures import KEY, signed_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq(settings, demo):
    settings.POS_ROLE = "hq"
    settings.POS_STORE_SILENT_AFTER = 300
    Store.objects.filter(code="S001").update(sync_key=KEY)


def stations() -> list[str]:
    return sorted(Station.objects.values_list("code", flat=True))


def test_hq_stores_the_screens_a_node_reports_and_shows_them_with_a_station_without_screen(hq, client, admin_client):
    codes = stations()
    assert len(codes) >= 2
    first, rest = codes[0], codes[1:]
    kitchen = {"screens": {first: 2, **{c: 0 for c in rest}}, "printers": {c: "none" for c in codes}}
    response, _ = signed_post(client, "/api/sync/pull", {"vector": {}, "held": {}, "kitchen": kitchen}, node="node1")
    assert response.status_code == 200
    assert NodeContact.objects.get(store="S001", node="node1").kitchen == kitchen

    # A second node shows the second station: only the others are without a screen.
    other = {"screens": {first: 0, rest[0]: 1, **{c: 0 for c in rest[1:]}}, "printers": {rest[0]: "error"}}
    signed_post(client, "/api/sync/pull", {"vector": {}, "held": {}, "kitchen": other}, node="node2")
    # A push (no kitchen report) keeps the last report.
    signed_post(client, "/api/sync/push", {"changes": [], "vector": {}}, node="node1")
    assert NodeContact.objects.get(store="S001", node="node1").kitchen == kitchen

    api = admin_client.get("/api/hq/stores")
    assert api.status_code == 200
    store = next(s for s in api.json()["items"] if s["store"] == "S001")
    nodes = {n["node"]: n for n in store["nodes"]}
    assert nodes["node1"]["kitchen_screens"] == kitchen["screens"]
    assert nodes["node2"]["kitchen_screens"] == other["screens"]
    assert nodes["node2"]["printers"] == {rest[0]: "error"}
    assert store["kitchen_screens"][first] == 2 and store["kitchen_screens"][rest[0]] == 1
    assert store["stations_without_screen"] == rest[1:]

    page = admin_client.get("/hq/").content.decode()
    assert f'data-station="{first}" data-screens="2"' in page
    assert f'data-station="{rest[0]}" data-screens="1"' in page
    flag = re.search(r'data-testid="station-no-screen">([^<]*)<', page)
    if rest[1:]:
        assert flag and all(c in flag.group(1) for c in rest[1:]) and first not in flag.group(1).split(":")[-1]
    else:
        assert flag is None


def test_a_malformed_kitchen_report_is_ignored_but_the_contact_counts(hq, client):
    signed_post(client, "/api/sync/pull", {"vector": {}, "held": {}, "kitchen": {"screens": {"grill": "lots"}}},
                node="node1")
    contact = NodeContact.objects.get(store="S001", node="node1")
    assert contact.kitchen is None and contact.last_contact is not None


def test_the_dashboard_flags_a_station_no_node_has_a_screen_for(hq, admin_client):
    codes = stations()
    NodeContact.objects.create(store="S001", node="node1", last_contact=timezone.now(),
                               kitchen={"screens": {c: 0 for c in codes}, "printers": {}})
    page = admin_client.get("/hq/").content.decode()
    flag = re.search(r'data-testid="station-no-screen">([^<]*)<', page)
    assert flag and all(c in flag.group(1) for c in codes)


class FakeHQ:
    def __init__(self):
        self.calls = []

    def call(self, path, body):
        self.calls.append((path, body))
        return {"changes": [], "vector": {}, "node": "hq"}


def test_the_store_nodes_pull_to_hq_carries_its_live_screen_counts(settings, demo):
    settings.POS_ROLE = "store"
    codes = stations()
    first, second = codes[0], codes[1]
    now = timezone.now()
    KitchenScreen.objects.create(channel_name="c1", station=first, last_seen=now)
    KitchenScreen.objects.create(channel_name="c2", station=first, last_seen=now - dt.timedelta(seconds=3))
    KitchenScreen.objects.create(channel_name="c3", station=second, last_seen=now - dt.timedelta(seconds=60))  # stale
    link = Link("http://hq.invalid:9/kitchen-test", kind="hq", push_stores={settings.POS_STORE}, pull_stores={"*"},
                timeout=1)
    link.client = FakeHQ()
    link.pull()
    path, body = link.client.calls[-1]
    assert path == "/sync/pull" and "held" in body
    screens = body["kitchen"]["screens"]
    assert set(screens) == set(codes)
    assert screens[first] == 2
    assert screens[second] == 0  # its only screen went quiet: gone
    assert all(screens[c] == 0 for c in codes[2:])
    assert set(body["kitchen"]["printers"]) == set(codes)

    # An expediter screen shows every station.
    KitchenScreen.objects.create(channel_name="c4", station="", last_seen=timezone.now())
    link.pull()
    screens = link.client.calls[-1][1]["kitchen"]["screens"]
    assert screens[first] == 3 and all(screens[c] == 1 for c in codes[1:])


def test_a_sibling_pull_sends_no_kitchen_report(settings, demo):
    link = Link("http://sibling.invalid:9/kitchen-test", kind="sibling", push_stores={"S001"}, pull_stores={"S001"},
                timeout=1)
    link.client = FakeHQ()
    link.pull()
    assert "kitchen" not in link.client.calls[-1][1]
