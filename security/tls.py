"""A store's own certificate authority and its nodes' certificates (store LAN HTTPS).

Service workers, Web Locks and persistent storage exist only in a secure
context, so a register on a LAN address needs https with a certificate the
tablet trusts. Each store gets its own CA (made once, its key kept offline or
on one node), and each node a server certificate it signs.

The CA is name-constrained: it can vouch only for host names under the store's
domain and for private (RFC 1918 / loopback) addresses. A tablet that trusts it
therefore trusts nothing else with it: a stolen store CA key cannot be used to
impersonate a bank or HQ to that tablet.

Node certificates follow what iOS and Chrome require of a locally trusted
server certificate: subjectAltName with every name, extendedKeyUsage
serverAuth, at most 825 days, ECDSA P-256.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
NODE_DAYS = 825  # Apple's limit for TLS server certificates, also under a private CA
PRIVATE_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Issued:
    key_pem: bytes
    cert_pem: bytes


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _check_domain(domain: str) -> str:
    domain = domain.strip().lower().strip(".")
    if not domain or " " in domain or "*" in domain:
        raise ValueError(f"not a DNS domain: {domain!r}")
    return domain


def ca_make(*, store: str, domain: str, days: int = CA_DAYS) -> Issued:
    """A new CA for ``store``, allowed to certify ``domain`` (and names under it)
    and private addresses only."""
    domain = _check_domain(domain)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "posweb"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"posweb store {store} CA"),
    ])
    permitted: list[x509.GeneralName] = [x509.DNSName(domain)]
    permitted += [x509.IPAddress(ipaddress.ip_network(net)) for net in PRIVATE_NETWORKS]
    now = _now()
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(_key_pem(key), cert.public_bytes(serialization.Encoding.PEM))


def names_parse(names: list[str]) -> tuple[list[str], list[IPAddress]]:
    """Split a node's names into DNS names and IP addresses."""
    dns: list[str] = []
    ips: list[IPAddress] = []
    for raw in names:
        try:
            ips.append(ipaddress.ip_address(raw))
        except ValueError:
            dns.append(_check_domain(raw))
    if not dns and not ips:
        raise ValueError("a node certificate needs at least one host name or address")
    return dns, ips


def node_issue(*, ca_key_pem: bytes, ca_cert_pem: bytes, names: list[str], days: int = NODE_DAYS) -> Issued:
    """A server certificate for a node reached as ``names`` (host names and
    addresses), signed by the store CA. Refuses a name the CA may not vouch for,
    since every browser would refuse the certificate."""
    if days > NODE_DAYS:
        raise ValueError(f"a node certificate is valid at most {NODE_DAYS} days")
    ca_key = serialization.load_pem_private_key(ca_key_pem, password=None)
    ca_cert = x509.load_pem_x509_certificate(ca_cert_pem)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ValueError("the store CA key is not an EC key made by store_ca")
    dns, ips = names_parse(names)
    _check_permitted(ca_cert, dns, ips)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, (dns or [str(ips[0])])[0])])
    alt: list[x509.GeneralName] = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ip) for ip in ips]
    now = _now()
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    # The chain (node, then CA) so that a client missing the CA still sees the issuer.
    return Issued(_key_pem(key), cert.public_bytes(serialization.Encoding.PEM) + ca_cert_pem)


def _check_permitted(ca_cert: x509.Certificate, dns: list[str], ips: list[IPAddress]) -> None:
    try:
        constraints = ca_cert.extensions.get_extension_for_class(x509.NameConstraints).value
    except x509.ExtensionNotFound:
        return
    subtrees = constraints.permitted_subtrees or []
    domains = [g.value.lower() for g in subtrees if isinstance(g, x509.DNSName)]
    networks = [g.value for g in subtrees if isinstance(g, x509.IPAddress)
                and isinstance(g.value, ipaddress.IPv4Network | ipaddress.IPv6Network)]
    for name in dns:
        if not any(name == d or name.endswith("." + d) for d in domains):
            raise ValueError(f"{name} is outside the store CA's domain ({', '.join(domains)})")
    for ip in ips:
        if not any(ip in net for net in networks):
            raise ValueError(f"{ip} is not a private address the store CA may certify")


def write_private(path: Path, data: bytes) -> None:
    """Write a key readable by its owner only (created so, never widened)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(data)


def der_of(cert_pem: bytes) -> bytes:
    """The CA certificate in DER, the form Android's "install a certificate" expects as .crt."""
    return x509.load_pem_x509_certificate(cert_pem).public_bytes(serialization.Encoding.DER)
