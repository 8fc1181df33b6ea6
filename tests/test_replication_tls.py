"""A sibling served over TLS (daphne's ssl endpoint) with a self-signed
certificate that the other node trusts through POS_SYNC_CA_FILE."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import subprocess
import sys
import time
import urllib.request

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.nodes import ROOT, Node, free_port
from tests.test_replication_nodes import KEY, has_order, place, wait_for

pytestmark = pytest.mark.nodes


def self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "posweb test node")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


class TLSNode(Node):
    """A node started as the README says: daphne -e ssl:PORT:privateKey=...:certKey=..."""

    def __init__(self, *args, key_file, cert_file, **kw) -> None:
        super().__init__(*args, **kw)
        self.key_file, self.cert_file = key_file, cert_file
        self.context = ssl.create_default_context(cafile=str(cert_file))

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> "TLSNode":
        endpoint = f"ssl:{self.port}:interface=127.0.0.1:privateKey={self.key_file}:certKey={self.cert_file}"
        self.proc = subprocess.Popen([sys.executable, "-m", "daphne", "-e", endpoint, "posweb.asgi:application"],
                                     cwd=ROOT, env=self.env, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.get("/api/health", timeout=1)
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.log.read_text()[-3000:]) from None
                time.sleep(0.1)
        raise TimeoutError(self.log.read_text()[-3000:])

    def request(self, method, path, body=None, *, token=None, timeout=10):
        from tests.nodes import DEMO_TOKEN

        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode() if body is not None else None, method=method)
        req.add_header("Content-Type", "application/json")
        req.add_header("Authorization", f"Bearer {token or DEMO_TOKEN}")
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=self.context) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


def test_siblings_replicate_over_tls_with_a_configured_ca(tmp_path):
    key_file, cert_file = self_signed(tmp_path)
    p1, p2 = free_port(), free_port()
    secure = TLSNode(tmp_path / "n1", name="node1", port=p1, key_file=key_file, cert_file=cert_file,
                     POS_SYNC_KEY=KEY, POS_PEERS=f"http://127.0.0.1:{p2}")
    plain = Node(tmp_path / "n2", name="node2", port=p2, POS_SYNC_KEY=KEY, POS_PEERS=f"https://127.0.0.1:{p1}",
                 POS_SYNC_CA_FILE=str(cert_file))
    try:
        secure.setup().start()
        plain.setup().start()
        to_secure, to_plain = place(plain), place(secure)
        wait_for("the order on the TLS node", lambda: has_order(secure, to_secure))
        wait_for("the order from the TLS node", lambda: has_order(plain, to_plain))
        peer = plain.get("/api/health")["peers"][0]
        assert peer["url"].startswith("https://") and peer["state"] == "up"
    finally:
        secure.stop()
        plain.stop()
