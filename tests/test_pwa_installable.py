"""Chromium itself judges the register installable: manifest, icons and service worker pass its checks."""

from __future__ import annotations

import pytest

from tests.nodes import Node
from tests.test_browser_offline import open_register, tablet

pytestmark = [pytest.mark.browser, pytest.mark.nodes]


@pytest.fixture
def node(tmp_path):
    node = Node(tmp_path / "store", name="node1").setup().start()
    yield node
    node.stop()


def test_chromium_finds_the_register_installable(node, chromium_path, tmp_path):
    # A profile on disk: Chromium never offers to install from an incognito one.
    with tablet(chromium_path, tmp_path / "profile") as context:
        page = context.new_page()
        open_register(page, node.url)
        cdp = page.context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.webmanifest")
        assert not manifest["errors"], manifest["errors"]
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
