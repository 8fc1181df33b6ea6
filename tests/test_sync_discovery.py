"""Zero-configuration discovery: a sibling is found only if it is of our store and
proves the store's key; the mDNS exchange itself runs on the loopback interface."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from sync import discovery

KEY = "store-key"


def test_a_sibling_of_the_same_store_with_the_key_is_accepted():
    props = discovery.announcement(store="S001", node="node2", url="http://10.0.0.2:8000/", key=KEY)
    assert discovery.accepted_url(props, store="S001", node="node1", key=KEY) == "http://10.0.0.2:8000"


@pytest.mark.parametrize(
    "change",
    [{"store": "S002"}, {"node": "node1"}, {"url": "http://10.0.0.9:8000"}, {"proof": "0" * 64}, {"url": "ftp://x"}],
)
def test_it_ignores_other_stores_itself_and_forged_announcements(change):
    props = {**discovery.announcement(store="S001", node="node2", url="http://10.0.0.2:8000", key=KEY), **change}
    assert discovery.accepted_url(props, store="S001", node="node1", key=KEY) is None


def test_a_node_with_the_wrong_key_is_not_accepted():
    props = discovery.announcement(store="S001", node="node2", url="http://10.0.0.2:8000", key="wrong")
    assert discovery.accepted_url(props, store="S001", node="node1", key=KEY) is None


def test_discovery_is_off_by_default(settings):
    assert settings.POS_DISCOVERY is False
    discovery.start()
    assert discovery._zeroconf is None and discovery.discovered_urls() == []


@override_settings(POS_DISCOVERY=True, POS_SYNC_KEY=KEY, POS_STORE="S001", POS_NODE="node1", POS_ADVERTISE_URL="http://127.0.0.1:8001")
def test_siblings_find_each_other_over_mdns_on_loopback():
    from zeroconf import ServiceInfo, Zeroconf

    other = Zeroconf(interfaces=["127.0.0.1"])
    try:
        for node, key, port in (("node2", KEY, 8002), ("intruder", "wrong", 8003)):
            url = f"http://127.0.0.1:{port}"
            other.register_service(ServiceInfo(
                discovery.SERVICE_TYPE, f"{node}.{discovery.SERVICE_TYPE}", port=port, parsed_addresses=["127.0.0.1"],
                properties=discovery.announcement(store="S001", node=node, url=url, key=key)))
        discovery.start(interfaces=["127.0.0.1"])
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not discovery.discovered_urls():
            time.sleep(0.1)
        assert discovery.discovered_urls() == ["http://127.0.0.1:8002"]
    finally:
        discovery.stop()
        other.close()
