"""Optional zero-configuration discovery of sibling nodes on the LAN (mDNS).

Off by default; ``POS_DISCOVERY=1`` turns it on, with ``POS_ADVERTISE_URL``
the base URL siblings should call this node on (daphne does not tell Django
its port). Each node announces ``_posweb._tcp.local.`` with its store, node
name and URL, and a proof: an HMAC of those with the store's key. A listener
adds a sibling only if it is of the same store and its proof checks out, so a
node with the wrong key is never even tried; every sync call is signed anyway
(sync/auth.py), so discovery cannot let anything in that the key would not.

The announce/accept rules are pure functions (tested without network); the
zeroconf service runs only when discovery is on.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

log = logging.getLogger(__name__)

SERVICE_TYPE = "_posweb._tcp.local."

_lock = threading.Lock()
_found: dict[str, str] = {}  # service name -> base URL
_zeroconf: Any = None


def _proof(key: str, store: str, node: str, url: str) -> str:
    return hmac.new(key.encode(), f"posweb-announce\n{store}\n{node}\n{url}".encode(), hashlib.sha256).hexdigest()


def announcement(*, store: str, node: str, url: str, key: str) -> dict[str, str]:
    """The TXT properties this node announces."""
    return {"store": store, "node": node, "url": url, "proof": _proof(key, store, node, url)}


def accepted_url(properties: dict[str, str], *, store: str, node: str, key: str) -> str | None:
    """A sibling's base URL if its announcement is of our store, not us, with a valid proof."""
    their_store, their_node = properties.get("store", ""), properties.get("node", "")
    url, proof = properties.get("url", ""), properties.get("proof", "")
    if their_store != store or their_node == node or not url.startswith(("http://", "https://")):
        return None
    if not hmac.compare_digest(_proof(key, their_store, their_node, url), proof):
        log.warning("ignored node %s announcing store %s: wrong key", their_node, their_store)
        return None
    return url.rstrip("/")


def discovered_urls() -> list[str]:
    with _lock:
        return sorted(set(_found.values()))


def _decode(raw: dict[bytes, bytes | None]) -> dict[str, str]:
    return {k.decode(errors="replace"): (v or b"").decode(errors="replace") for k, v in raw.items()}


def start(*, interfaces: Any = None) -> None:
    """Announce this node and listen for siblings (POS_DISCOVERY=1 only)."""
    global _zeroconf
    if not settings.POS_DISCOVERY or _zeroconf is not None:
        return
    # Imported here: mDNS is opt-in, and zeroconf is heavy to load for every node.
    from zeroconf import InterfaceChoice, ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

    url = settings.POS_ADVERTISE_URL
    zc = Zeroconf(interfaces=interfaces or InterfaceChoice.All)
    if url:
        parts = urlsplit(url)
        props = announcement(store=settings.POS_STORE, node=settings.POS_NODE, url=url, key=settings.POS_SYNC_KEY)
        info = ServiceInfo(
            SERVICE_TYPE, f"{settings.POS_NODE}.{SERVICE_TYPE}", port=parts.port or 80, properties=props,
            parsed_addresses=[parts.hostname or "127.0.0.1"],
        )
        zc.register_service(info)

    def changed(zeroconf, service_type, name, state_change) -> None:
        if state_change is ServiceStateChange.Removed:
            with _lock:
                _found.pop(name, None)
            return
        info = zeroconf.get_service_info(service_type, name, timeout=2000)
        if info is None:
            return
        found = accepted_url(_decode(info.properties), store=settings.POS_STORE, node=settings.POS_NODE, key=settings.POS_SYNC_KEY)
        if found:
            with _lock:
                _found[name] = found
            log.info("discovered sibling %s at %s", name, found)

    ServiceBrowser(zc, SERVICE_TYPE, handlers=[changed])
    _zeroconf = zc


def stop() -> None:
    global _zeroconf
    if _zeroconf is not None:
        _zeroconf.close()
        _zeroconf = None
    with _lock:
        _found.clear()
