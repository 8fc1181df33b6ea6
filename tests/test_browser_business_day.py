"""In real headless Chromium: the register shows the business day it sells into,
and after a Z close of today says loudly that sales go to the next business day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import chromium
from tests.nodes import Node

pytestmark = [pytest.mark.browser, pytest.mark.nodes]

SHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


@pytest.fixture
def node(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    yield node
    node.stop()


def _jp(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.mark.parametrize("width,height", [(1280, 800), (360, 740)])
def test_the_register_shows_its_business_day_and_warns_after_the_z(node, chromium_path, width, height):
    today = node.get("/api/business-day")
    with chromium(chromium_path) as browser:
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"{node.url}/register/")
        page.get_by_test_id("pin-input").fill("1234")
        page.get_by_test_id("pin-submit").click()
        day = page.get_by_test_id("business-day")
        expect(day).to_have_text(f"営業日 {_jp(today['business_date'])}")
        expect(day).to_have_attribute("data-after-close", "false")

        status, z = node.post("/api/reports/z", {"manager_pin": "9999"})
        assert status == 201, z
        following = (dt.date.fromisoformat(today["business_date"]) + dt.timedelta(days=1)).isoformat()
        page.reload()
        expect(day).to_have_attribute("data-after-close", "true", timeout=15_000)
        expect(day).to_have_text(f"Z締め後 (Z No. 1) — 翌営業日の売上 {_jp(following)}")
        expect(day).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"business-day-after-z-{width}.png"))
        box, bar = day.bounding_box(), page.locator("header.bar").bounding_box()
        assert box is not None and bar is not None
        assert bar["x"] <= box["x"] and box["x"] + box["width"] <= bar["x"] + bar["width"], "the warning stays in the bar"
        assert box["width"] >= min(200, width - 40) and box["height"] <= 80, "readable: not squeezed into a column"

        page.context.add_cookies([{"name": "django_language", "value": "en", "url": node.url}])
        page.reload()
        expect(day).to_have_text(f"After Z close (Z No. 1) — selling into {following}", timeout=15_000)
        page.screenshot(path=str(SHOTS / f"business-day-after-z-{width}-en.png"))
