"""CORS between a store's own nodes, and nobody else.

A register page served by one node sends its sales to a sibling when its own
node is down (register failover), which is a cross-origin request. The grant
goes only to the origins of POS_PEERS and to the node itself; any other origin
gets no Access-Control-Allow-Origin, so a foreign page cannot use a tablet's
token against the store. Hand-written because the whole policy is one set of
origins read from POS_PEERS.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from security.origins import origin_of

ALLOWED_HEADERS = "Authorization, Content-Type, Accept"
ALLOWED_METHODS = "GET, POST, OPTIONS"


def allowed_origins(request: HttpRequest) -> set[str]:
    own = origin_of(request.build_absolute_uri("/"))
    return {own, *(origin_of(url) for url in settings.POS_PEERS)}


class StoreNodesCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = request.headers.get("Origin", "")
        if not request.path.startswith("/api/") or not origin:
            return self.get_response(request)
        granted = origin.lower() in allowed_origins(request)
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            # A preflight never reaches the API: answered here, granted or not.
            response = HttpResponse(status=204 if granted else 403)
        else:
            response = self.get_response(request)
        if granted:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Max-Age"] = "600"
        response["Vary"] = ", ".join(filter(None, [response.get("Vary", ""), "Origin"]))
        return response
