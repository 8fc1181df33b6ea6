"""HTTPS on a store LAN, as a store runs it: a store CA made with
``manage.py store_ca``, node certificates with ``manage.py node_cert``, daphne's
ssl endpoint, and a tablet browser that trusts the store CA through its own
certificate store (an NSS database, as Chromium on Linux keeps one; no
``--ignore-certificate-errors``). The nodes are reached by LAN host names, not
localhost (Chromium's host resolver maps them to 127.0.0.1), so the page is a
secure context only because the certificate is trusted: the service worker
installs, and the register keeps selling through the sibling's https origin
with its own node dead, across a reload."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.nodes import ROOT, free_port
from tests.personas import CHROMIUM_ARGS, ci
from tests.test_browser_offline import ARRIVE_MS, open_register, sell
from tests.test_replication_tls import TLSNode

pytestmark = [pytest.mark.browser, pytest.mark.nodes]

DOMAIN = "s001.store.test"


def manage(*args: str, cwd: Path = ROOT) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POS_", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="posweb.settings", POS_WORKERS="0", POS_DATA_DIR=str(cwd / "var-tls"))
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def certutil() -> str:
    path = shutil.which("certutil")
    if not path:
        if ci():
            pytest.fail("certutil (libnss3-tools) is missing and CI=true")
        pytest.skip("certutil (libnss3-tools) is not installed")
    return path


def store_certificates(tmp_path: Path) -> dict[str, Path]:
    """The store CA and one certificate per node, made by the operator's commands."""
    tls = tmp_path / "tls"
    manage("store_ca", "--domain", DOMAIN, "--store", "S001", "--out", str(tls / "ca"), cwd=tmp_path)
    for node in ("pos1", "pos2"):
        endpoint = manage("node_cert", f"{node}.{DOMAIN}", "127.0.0.1", "--ca", str(tls / "ca"), "--out", str(tls / node), cwd=tmp_path)
        assert endpoint.startswith("daphne -e ssl:443:privateKey=")
        assert (tls / node / "node.key").stat().st_mode & 0o077 == 0  # the key is the owner's only
    return {"ca": tls / "ca", "pos1": tls / "pos1", "pos2": tls / "pos2"}


def trusting_home(tmp_path: Path, certutil: str, ca_pem: Path) -> Path:
    """A HOME whose NSS database (Chromium's certificate store on Linux) trusts the store CA."""
    home = tmp_path / "home"
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run([certutil, "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True, timeout=30)
    subprocess.run([certutil, "-d", f"sql:{nssdb}", "-A", "-t", "C,,", "-n", "posweb store S001 CA", "-i", str(ca_pem)],
                   check=True, timeout=30)
    return home


@contextmanager
def tablet(chromium_path: str, home: Path, profile: Path, hosts: list[str]):
    from playwright.sync_api import sync_playwright

    rules = ",".join(f"MAP {host} 127.0.0.1" for host in hosts)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=chromium_path, headless=True,
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules={rules}"], env={**os.environ, "HOME": str(home)},
        )
        try:
            yield context
        finally:
            context.close()


def test_a_tablet_trusting_the_store_ca_installs_the_register_and_fails_over_between_https_nodes(
        tmp_path, chromium_path, certutil):
    certs = store_certificates(tmp_path)
    p1, p2 = free_port(), free_port()
    url1, url2 = f"https://pos1.{DOMAIN}:{p1}", f"https://pos2.{DOMAIN}:{p2}"

    def node(name: str, port: int, peer: str) -> TLSNode:
        folder = certs[name]
        return TLSNode(tmp_path / name, name=name, port=port, key_file=folder / "node.key", cert_file=folder / "node.pem",
                       POS_PEERS=peer, POS_TLS="1", POS_SYNC_CA_FILE=str(certs["ca"] / "store-ca.pem"),
                       POS_ALLOWED_HOSTS=f"{name}.{DOMAIN},127.0.0.1")

    pos1, pos2 = node("pos1", p1, url2), node("pos2", p2, url1)
    home = trusting_home(tmp_path, certutil, certs["ca"] / "store-ca.pem")
    try:
        pos1.setup().start()
        pos2.setup().start()
        with tablet(chromium_path, home, tmp_path / "profile", [f"pos1.{DOMAIN}", f"pos2.{DOMAIN}"]) as context:
            page = context.new_page()
            open_register(page, url1)  # waits until the service worker controls the page
            assert page.evaluate("window.isSecureContext") is True
            assert page.evaluate("location.origin") == url1
            page.screenshot(path=str(tmp_path / "register-https.png"))
            sell(page)
            expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
            assert len(pos1.get("/api/orders")["items"]) == 1

            pos1.kill9()
            sell(page, "BUTADON")
            expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
            connection = page.get_by_test_id("connection")
            expect(connection).to_have_attribute("data-node", url2)

            # Its own node still dead: the page comes from the service worker's
            # cache over https and sells through the sibling.
            page.reload()
            page.wait_for_selector("body[data-ready=true]")
            sell(page, "BUTADON")
            expect(page.get_by_test_id("outbox-count")).to_have_text("0", timeout=ARRIVE_MS)
            expect(connection).to_have_attribute("data-node", url2)
            page.screenshot(path=str(tmp_path / "register-failed-over.png"))
        assert len([o for o in pos2.get("/api/orders")["items"] if o["total"] == 448]) == 2
    finally:
        pos1.stop()
        pos2.stop()


def test_a_browser_without_the_store_ca_refuses_the_node(tmp_path, chromium_path, certutil):
    """The trust above comes from the certificate store, not from a lax browser."""
    certs = store_certificates(tmp_path)
    port = free_port()
    pos1 = TLSNode(tmp_path / "pos1", name="pos1", port=port, key_file=certs["pos1"] / "node.key",
                   cert_file=certs["pos1"] / "node.pem")
    home = tmp_path / "empty-home"
    home.mkdir()
    try:
        pos1.setup().start()
        with tablet(chromium_path, home, tmp_path / "profile", [f"pos1.{DOMAIN}"]) as context:
            page = context.new_page()
            with pytest.raises(Exception, match="ERR_CERT_AUTHORITY_INVALID"):
                page.goto(f"https://pos1.{DOMAIN}:{port}/register/")
    finally:
        pos1.stop()
