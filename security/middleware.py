"""Web hardening that applies to every response or every API write.

- SecurityHeadersMiddleware: a Content-Security-Policy with no inline
  scripts (pages pass data in json_script blocks, which are never executed),
  connect-src limited to this node and its sibling nodes (register failover),
  and a Permissions-Policy; API answers are never stored by a browser's
  cache (Cache-Control: no-store). X-Content-Type-Options, Referrer-Policy, HSTS and
  the secure-cookie flags come from Django's SecurityMiddleware and settings.
- CardNumberGuardMiddleware: a JSON body sent to the API that holds a card
  number is refused with a 422 before any view can record it.
- AdminLoginThrottleMiddleware: admin logins under the same database-backed
  limit as PINs, per username and per client address.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from security.origins import origin_of
from security.pan import pan_field
from security.throttle import Throttled, throttle_check

ADMIN_MAX_FAILURES = 10
ADMIN_WINDOW_S = 900


def content_security_policy() -> str:
    peers = [origin_of(url) for url in settings.POS_PEERS]
    sockets = [p.replace("http://", "ws://", 1).replace("https://", "wss://", 1) for p in peers]
    connect = " ".join(["'self'", *peers, *sockets])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # Django admin and a few widgets set style attributes; styles cannot run code.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            f"connect-src {connect}",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def docs_policy(base: str, html: str) -> str:
    """The API docs page (django-ninja's Swagger UI) loads its bundle from a CDN
    and starts it with one inline script. Allow exactly that script, by hash,
    and the CDN, on that page only: it renders no user input."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
        if "src=" not in attrs and "application/json" not in attrs
    ]
    cdn = "https://cdn.jsdelivr.net"
    policy = base.replace("script-src 'self'", " ".join(["script-src 'self'", cdn, *hashes]))
    policy = policy.replace("style-src 'self'", f"style-src 'self' {cdn}")
    return policy.replace("img-src 'self' data:", "img-src 'self' data: https://django-ninja.dev")


class SecurityHeadersMiddleware:
    DOCS = "/api/docs"

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        csp = self.csp
        if request.path == self.DOCS and response.status_code == 200 and not response.streaming:
            csp = docs_policy(csp, response.content.decode())
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=()")
        if request.path.startswith("/api/"):
            # Answers to a device's token (orders, menu, staff) stay out of the
            # browser's disk cache: a stolen tablet keeps only what the register
            # pages seal on purpose (static/pos/outbox.js).
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class CardNumberGuardMiddleware:
    # Replication carries changes that were already checked where they were
    # recorded; re-checking them would let one old change block a whole batch.
    EXEMPT = ("/api/sync/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in ("POST", "PUT", "PATCH")
            and request.path.startswith("/api/")
            and not request.path.startswith(self.EXEMPT)
            and request.content_type == "application/json"
        ):
            try:
                where = pan_field(json.loads(request.body))
            except (ValueError, UnicodeDecodeError, RequestDataTooBig):
                where = None  # too big or malformed: the API itself says what is wrong
            if where is not None:
                detail = _("%(field)s: looks like a card number; card numbers are never stored here") % {"field": where}
                return JsonResponse({"detail": detail}, status=422)
        return self.get_response(request)


class AdminLoginThrottleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == "/admin/login/":
            try:
                for key in admin_login_keys(request, request.POST.get("username", "")):
                    throttle_check(scope="admin", key=key, limit=ADMIN_MAX_FAILURES, window_s=ADMIN_WINDOW_S, what="passwords")
            except Throttled as exc:
                response = HttpResponse(str(exc), status=429, content_type="text/plain; charset=utf-8")
                response["Retry-After"] = str(exc.retry_after)
                return response
        return self.get_response(request)


def admin_login_keys(request: HttpRequest | None, username: str) -> list[str]:
    keys = [f"user:{username.lower()}"]
    if request is not None:
        keys.append(f"ip:{request.META.get('REMOTE_ADDR', '')}")
    return keys
