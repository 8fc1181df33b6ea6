"""Web Push (RFC 8030/8291/8292): aes128gcm-encrypted messages signed with VAPID.

The keys come from the environment (``POS_VAPID_PRIVATE_KEY`` as base64url DER or
raw, or ``POS_VAPID_PRIVATE_KEY_FILE``; ``POS_VAPID_PUBLIC_KEY``) or from ``POS_DATA_DIR/vapid/`` where
``manage.py vapid_keys`` writes them.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from runtime.notify.base import DeliveryFailed, Notification, TargetGone, Transport

SUBJECT = "mailto:pos-alerts@example.invalid"


@dataclass(frozen=True)
class VapidKeys:
    private_key: str  # what pywebpush accepts: a PEM file path or a base64url DER key
    public_key: str  # base64url uncompressed point: the browser's applicationServerKey


def key_dir() -> Path:
    return Path(settings.POS_DATA_DIR) / "vapid"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def vapid_keys_generate(*, force: bool = False) -> VapidKeys:
    """Make a P-256 key pair under POS_DATA_DIR (kept if it exists unless ``force``)."""
    # Imported here: key generation is a one-off command; cryptography is heavy to load.
    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid02

    folder = key_dir()
    private = folder / "private_key.pem"
    if private.exists() and not force:
        return _stored_keys()
    folder.mkdir(parents=True, exist_ok=True)
    vapid = Vapid02()
    vapid.generate_keys()
    pem = vapid.private_pem()
    private.write_bytes(pem)
    os.chmod(private, 0o600)
    point = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    (folder / "public_key.txt").write_text(_b64url(point))
    return _stored_keys()


def _stored_keys() -> VapidKeys:
    keys = vapid_keys()
    if keys is None:  # the files just written (or kept) cannot be read back
        raise RuntimeError(f"no readable VAPID keys under {key_dir()}")
    return keys


def vapid_keys() -> VapidKeys | None:
    """The configured keys, or None when there are none yet (push is then off)."""
    env_private, env_public = settings.POS_VAPID_PRIVATE_KEY, settings.POS_VAPID_PUBLIC_KEY
    if env_private and env_public:
        return VapidKeys(env_private, env_public)
    folder = key_dir()
    if (folder / "private_key.pem").exists() and (folder / "public_key.txt").exists():
        return VapidKeys(str(folder / "private_key.pem"), (folder / "public_key.txt").read_text().strip())
    return None


class WebPush(Transport):
    """``target`` is a browser PushSubscription's JSON: endpoint and keys (p256dh, auth)."""

    name = "webpush"

    def __init__(self, keys: VapidKeys | None = None, *, timeout: float = 10) -> None:
        self.keys = keys or vapid_keys()
        self.timeout = timeout

    def send(self, target: dict[str, Any], notification: Notification) -> None:
        # Imported here: pywebpush loads cryptography and requests, needed only when a push goes out.
        from pywebpush import WebPushException, webpush

        if self.keys is None:
            raise DeliveryFailed("no VAPID keys: run manage.py vapid_keys or set POS_VAPID_PRIVATE_KEY/POS_VAPID_PUBLIC_KEY")
        try:
            webpush(
                subscription_info=target,
                data=notification.as_json(),
                vapid_private_key=self.keys.private_key,
                vapid_claims={"sub": SUBJECT},
                ttl=notification.ttl,
                headers={"Urgency": notification.urgency},
                content_encoding="aes128gcm",
                timeout=self.timeout,
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):
                raise TargetGone(f"subscription gone ({status})") from exc
            raise DeliveryFailed(str(exc)) from exc
        except OSError as exc:  # requests' ConnectionError is an OSError
            raise DeliveryFailed(str(exc)) from exc
        except (ValueError, TypeError) as exc:
            # Keys that do not decode or are not a P-256 point: no later try can work.
            raise TargetGone(f"subscription keys are unusable: {exc}") from exc
