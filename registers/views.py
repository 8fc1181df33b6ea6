"""The register page, its service worker and its web app manifest.

register.js does the selling over the API; the service worker (served at the
root so its scope covers /register/ and /api/) keeps the page, its static files
and the menu on the tablet so the register opens and sells with no node.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles.finders import FileSystemFinder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from registers.views_money import hq_has_no_till
from stores import numbers
from stores.demo import DEMO_DEVICE, demo_token
from stores.models import Device, Store, token_digest
from stores.services import store_get_current

# Only the register's own files are precached: the admin's static files are
# large and never needed offline.
PRECACHE_PREFIX = "pos/"


def register_page(request: HttpRequest) -> HttpResponse:
    if settings.POS_ROLE == "hq":
        # HQ books no sales; nor does it hand out the demo register's token.
        return hq_has_no_till()
    store = store_get_current()
    return render(request, "registers/register.html", {"config": register_page_config(store), "store": store})


def register_page_config(store: Store) -> dict:
    """What the register's pages (the till, the waiter's tables) are served with."""
    config = {
        "store": store.code,
        "storeName": store.name,
        "node": settings.POS_NODE,
        "register": DEMO_DEVICE,
        "lane": numbers.lane_for_register(DEMO_DEVICE),
        "timeZone": store.time_zone,
        "cutover": store.day_cutover.strftime("%H:%M"),
        "peers": settings.POS_PEERS,
        "version": app_version(),
    }
    if settings.POS_DEMO and Device.objects.filter(token_hash=token_digest(demo_token()), revoked_at__isnull=True).exists():
        # Demo mode only: hand the demo device's token to the page so that a
        # fresh clone can sell at once. A real store pairs each tablet instead.
        config["token"] = demo_token()
    return config


@lru_cache(maxsize=1)
def _static_files() -> tuple[tuple[str, str], ...]:
    """(path, content digest) of every precached static file. Cached per
    process: a deploy restarts the node, which is exactly when it changes."""
    found = []
    for path, storage in FileSystemFinder().list([]):
        path = path.replace("\\", "/")
        if path.startswith(PRECACHE_PREFIX):
            with storage.open(path) as fh:
                found.append((path, hashlib.sha256(fh.read()).hexdigest()))
    return tuple(sorted(found))


def app_version() -> str:
    """One hash of every precached file and POS_RELEASE: the service worker's
    cache name. A new deploy changes it, which changes /sw.js, which makes the
    browser install the new worker."""
    digest = hashlib.sha256(settings.POS_RELEASE.encode())
    for path, content in _static_files():
        digest.update(f"{path}:{content}\n".encode())
    return digest.hexdigest()[:16]


def service_worker(request: HttpRequest) -> HttpResponse:
    precache = ["/register/", "/tables/", "/manifest.webmanifest", *(static(path) for path, _digest in _static_files())]
    context = {"version_json": json.dumps(app_version()), "precache_json": json.dumps(precache)}
    response = render(request, "registers/sw.js", context, content_type="text/javascript; charset=utf-8")
    # no-cache: the browser must ask every time whether a new deploy is out;
    # a cached sw.js would pin tablets to an old release for up to a day.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


def manifest(request: HttpRequest) -> JsonResponse:
    store = store_get_current()
    data = {
        "name": f"posweb {store.name}",
        "short_name": _("Register"),
        "start_url": "/register/",
        "scope": "/",
        "display": "standalone",
        "orientation": "landscape",
        "background_color": "#ffffff",
        "theme_color": "#b3261e",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {"src": static("pos/icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("pos/icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
