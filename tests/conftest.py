"""Shared fixtures for the whole suite (settings come from posweb/settings_test.py)."""

from __future__ import annotations

import io
import os
import socket

import pytest

from hypothesis import settings as hypothesis_settings

from tests.personas import CHROMIUM, ci

# Property tests check results, not speed (speed is bin/bench's): on a shared,
# loaded machine Hypothesis's 200 ms deadline per example fails good code.
hypothesis_settings.register_profile("posweb", deadline=None)
hypothesis_settings.load_profile("posweb")


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


@pytest.fixture(autouse=True)
def life_note(tmp_path, monkeypatch):
    """Each test its own note beside the database (runtime/lifemark.py): the
    suite shares one POS_DATA_DIR, and a note left by one test would make the
    next test's database look restored (and its ticket numbers jump). The
    health reasons live in this process's memory too: one test's fork or
    refusal would otherwise be pushed as an alert in the next test; so do
    the lanes found full of live orders (registers/renumber.py) and, at HQ,
    the store nodes whose contact was written lately (hq/services.py)."""
    from hq import services as hq_services
    from registers import renumber
    from runtime import health, lifemark
    from sync import restore

    monkeypatch.setattr(lifemark, "_path", lambda: tmp_path / lifemark.FILE)
    lifemark.forget()
    health.reasons_reset()
    renumber.lanes_forget()
    hq_services.touches_forget()
    yield tmp_path / lifemark.FILE
    lifemark.forget()
    restore.forget()
    health.reasons_reset()
    renumber.lanes_forget()


@pytest.fixture
def demo(db):
    """The demo store as seed_demo makes it."""
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def register_client(demo):
    """A Django test client that is the demo register device."""
    from django.test import Client

    from stores.demo import demo_token

    return Client(headers={"Authorization": f"Bearer {demo_token()}"})


@pytest.fixture
def redis_url() -> str:
    """A real Redis for channel-layer tests; never skipped under CI=true."""
    url = os.environ.get("POS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw"):
        # One database per xdist worker: two tests' groups of the same name
        # (a store's kitchen) must not hear each other.
        base, _, index = url.rpartition("/")
        url = f"{base}/{(int(index or 0) - int(worker[2:])) % 16}"
    if not port_open("127.0.0.1", 6379):
        if ci():
            pytest.fail("Redis is not running on 127.0.0.1:6379 and CI=true")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        if ci():
            pytest.fail(f"{CHROMIUM} is missing and CI=true")
        pytest.skip(f"{CHROMIUM} is not installed")
    return CHROMIUM


# --- Scheduling over pytest-xdist workers (bin/test: -n N --dist loadfile) ---
#
# xdist hands out whole files, by default the files with the most tests first:
# the node and browser files (a few tests, minutes each) then start last and
# one worker ends the run alone on them. Heaviest first instead (longest
# processing time first): an estimate per test, since the controller sees only
# test ids. Measured outliers get their own figure (seconds, loaded CI).
SECONDS_PER_TEST = {"nodes": 30.0, "browser": 20.0}
SECONDS_OTHER = 0.5
SECONDS_PER_FILE = {"test_demo_chain.py": 360.0, "test_browser_store_https.py": 240.0}


def pytest_configure(config):
    if getattr(config.option, "dist", "no") in ("loadfile", "loadscope"):
        config.option.loadscopereorder = False  # keep the order collection gives (below)


def pytest_sessionfinish(session):
    from tests.nodes import templates_drop

    templates_drop()


def test_seconds(item) -> float:
    marks = {mark.name for mark in item.iter_markers()}
    return max((s for name, s in SECONDS_PER_TEST.items() if name in marks), default=SECONDS_OTHER)


def pytest_collection_modifyitems(config, items):
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return  # one process: the order does not change how long it takes
    weight: dict[str, float] = {}
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        weight[path] = weight.get(path, 0.0) + test_seconds(item)
    for path in weight:
        weight[path] = max(weight[path], SECONDS_PER_FILE.get(path.rsplit("/", 1)[-1], 0.0))
    items.sort(key=lambda item: -weight[item.nodeid.split("::", 1)[0]])  # stable: a file keeps its own order
