"""HQ's signature on its changes: the proof that master data, and whatever HQ
records for one store, comes from HQ. No store holds the key that makes it,
so a store's sync key (or a whole compromised store node) cannot forge it.

- HQ holds an Ed25519 private key: POS_HQ_SIGNING_KEY (or ``_FILE``), else one
  generated into POS_DATA_DIR/hq_signing_key on first use and kept there.
- A store verifies with HQ's public key: POS_HQ_PUBLIC_KEY, else the key HQ
  named in its first answer over the store's authenticated HQ link, pinned in
  NodeState.hq_public_key and never replaced by a later answer.
- A signature covers the change's chain digest recomputed from its fields
  (sync.services.change_digest), so it binds id, origin, seq, store, kind,
  hlc, payload and the previous digest; it is not part of the digest, so HQ
  can sign the changes it recorded before it had a key.

Keys on the wire and in settings are base64 of the raw 32 bytes; a key file
may also hold PEM.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)

# Domain separation: a signature over a change can never be replayed as
# anything else HQ might one day sign with the same key.
_CONTEXT = b"posweb hq change v1\n"
KEY_FILE = "hq_signing_key"


class KeyMismatch(ValueError):
    """HQ named a public key other than the one this store trusts."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _raw_private(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ImproperlyConfigured("POS_HQ_SIGNING_KEY must be an Ed25519 key")
        return key
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured("POS_HQ_SIGNING_KEY must be base64 of 32 bytes or an Ed25519 PEM key") from None


def public_key_parse(text: str) -> Ed25519PublicKey:
    """HQ's public key from base64 of its 32 bytes; ValueError when it is not one."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise ValueError("an HQ public key is base64 of 32 bytes") from None


def private_key_generate() -> str:
    """A new private key as base64 (for POS_HQ_SIGNING_KEY)."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return _b64(raw)


@lru_cache(maxsize=1)
def _private_key() -> Ed25519PrivateKey:
    if settings.POS_ROLE != "hq":
        raise PermissionError("only HQ signs changes")
    if settings.POS_HQ_SIGNING_KEY:
        return _raw_private(settings.POS_HQ_SIGNING_KEY)
    path = Path(settings.POS_DATA_DIR) / KEY_FILE
    if not path.exists():
        _key_file_create(path)
    return _raw_private(path.read_text(encoding="utf-8"))


def _key_file_create(path: Path) -> None:
    # O_EXCL: two HQ processes starting together keep one key, not two.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(private_key_generate() + "\n")
    log.warning("made HQ's signing key %s: back it up; stores pin its public key", path)


def public_key_text() -> str:
    """HQ's own public key (base64), which it names to stores."""
    public = _private_key().public_key()
    return _b64(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def message(digest: str) -> bytes:
    """What HQ's signature of a change signs: its chain digest, recomputed
    from its fields by the caller (sync.services.change_digest)."""
    return _CONTEXT + digest.encode()


def sign(digest: str) -> str:
    """HQ's signature (base64) of the change whose digest is ``digest``. HQ only."""
    return _b64(_private_key().sign(message(digest)))


def verify(digest: str, signature: str, key: Ed25519PublicKey) -> bool:
    """Whether ``signature`` is HQ's (``key``) over the change whose recomputed digest is ``digest``."""
    try:
        key.verify(base64.b64decode(signature, validate=True), message(digest))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def trusted_key() -> Ed25519PublicKey | None:
    """The key this node checks HQ's signatures with: HQ's own at HQ, the
    configured or pinned one at a store; None while a store knows none yet."""
    if settings.POS_ROLE == "hq":
        return _private_key().public_key()
    text = settings.POS_HQ_PUBLIC_KEY or _pinned()
    return _parsed(text) if text else None


@lru_cache(maxsize=4)
def _parsed(text: str) -> Ed25519PublicKey:
    try:
        return public_key_parse(text)
    except ValueError as exc:
        raise ImproperlyConfigured(f"POS_HQ_PUBLIC_KEY: {exc}") from None


def _pinned() -> str:
    from sync.models import NodeState  # noqa: PLC0415 - keep this module importable before apps load

    return NodeState.objects.filter(pk=1).values_list("hq_public_key", flat=True).first() or ""


def pin(text: str) -> bool:
    """Trust ``text`` as HQ's public key if this store trusts none yet (the first
    authenticated answer of its HQ link). Returns True when it was pinned now;
    KeyMismatch when HQ names a key other than the trusted one."""
    from sync.models import NodeState  # noqa: PLC0415

    public_key_parse(text)
    trusted = settings.POS_HQ_PUBLIC_KEY or _pinned()
    if trusted:
        if trusted.strip() != text.strip():
            raise KeyMismatch("HQ names a signing key other than the one this store trusts")
        return False
    # The node row exists: the HQ link made it (sync.services.node_state_get) before it asked HQ.
    pinned = NodeState.objects.filter(pk=1, hq_public_key="").update(hq_public_key=text.strip())
    if pinned:
        log.warning("pinned HQ's public key %s", text.strip())
    return bool(pinned)
