"""The store CA and node certificates (security/tls.py): what browsers need of
them, and the limits that keep a store CA from vouching for anything else."""

from __future__ import annotations

import ipaddress

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.core.management import CommandError, call_command

from security.origins import origin_of
from security.tls import NODE_DAYS, ca_make, node_issue


@pytest.fixture(scope="module")
def ca():
    return ca_make(store="S001", domain="s001.store.lan")


def test_a_node_certificate_carries_every_name_and_what_ios_and_chrome_require(ca):
    issued = node_issue(ca_key_pem=ca.key_pem, ca_cert_pem=ca.cert_pem, names=["pos1.s001.store.lan", "10.0.0.2"])
    node, issuer = x509.load_pem_x509_certificates(issued.cert_pem)
    alt = node.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert alt.get_values_for_type(x509.DNSName) == ["pos1.s001.store.lan"]
    assert alt.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("10.0.0.2")]
    assert ExtendedKeyUsageOID.SERVER_AUTH in node.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert (node.not_valid_after_utc - node.not_valid_before_utc).days <= NODE_DAYS
    assert issuer == x509.load_pem_x509_certificate(ca.cert_pem)
    node.verify_directly_issued_by(issuer)


@pytest.mark.parametrize("name", ["bank.example.com", "pos1.s002.store.lan", "8.8.8.8"])
def test_the_store_ca_certifies_only_its_domain_and_private_addresses(ca, name):
    with pytest.raises(ValueError):
        node_issue(ca_key_pem=ca.key_pem, ca_cert_pem=ca.cert_pem, names=[name])
    constraints = x509.load_pem_x509_certificate(ca.cert_pem).extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical  # browsers enforce it too, not only node_cert


def test_store_ca_never_replaces_the_ca_the_tablets_trust_unless_forced(tmp_path):
    call_command("store_ca", "--domain", "s001.store.lan", "--out", str(tmp_path))
    first = (tmp_path / "store-ca.pem").read_bytes()
    assert (tmp_path / "store-ca.key").stat().st_mode & 0o077 == 0
    with pytest.raises(CommandError, match="tablets trust"):
        call_command("store_ca", "--domain", "s001.store.lan", "--out", str(tmp_path))
    assert (tmp_path / "store-ca.pem").read_bytes() == first
    call_command("store_ca", "--domain", "s001.store.lan", "--out", str(tmp_path), "--force")
    assert (tmp_path / "store-ca.pem").read_bytes() != first


def test_a_sibling_on_the_https_default_port_is_the_origin_a_browser_sends():
    assert origin_of("https://POS2.s001.store.lan:443/") == "https://pos2.s001.store.lan"
    assert origin_of("http://10.0.0.2:80") == "http://10.0.0.2"
    assert origin_of("https://10.0.0.2:8443/x") == "https://10.0.0.2:8443"


def test_cors_grants_a_sibling_configured_with_its_default_port(register_client, settings):
    settings.POS_PEERS = ["https://pos2.s001.store.lan:443"]
    response = register_client.get("/api/menu", headers={"Origin": "https://pos2.s001.store.lan"})
    assert response["Access-Control-Allow-Origin"] == "https://pos2.s001.store.lan"
