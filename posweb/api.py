"""The one NinjaAPI of a node: each app adds its router; errors always come back as JSON 4xx."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from hq.api import router as hq_router
from integrations.api import router as integrations_router
from kitchen.api import router as kitchen_router
from registers.api import router as registers_router
from registers.api_checks import router as checks_router
from registers.api_menu import router as menu_router
from registers.api_money import router as money_router
from security.api import router as security_router
from security.selectors import DEVICE_REVOKED, bearer_token, device_is_revoked
from sync.api import router as sync_router
from sync.api import sync_router as replication_router

# Answers any operation can give before its own code runs (the handlers below
# and ninja's body parsing); documented on every operation so the schema lists
# every status a client can get (checked by schemathesis, tests/test_fuzz_api.py).
COMMON_ERRORS = {
    400: "the body is not valid JSON",
    413: "request body is too large",
    422: "a parameter or field is missing or invalid; detail says which",
}
ERROR_BODY = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}


class PosNinjaAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                extra = dict(COMMON_ERRORS)
                if operation.get("security"):
                    extra[401] = "a valid device token is required (Authorization: Bearer TOKEN)"
                    # stores/auth.py: at HQ a device naming another store, or any write (HQ books no sales).
                    extra[403] = "not for this caller: another store's data, or a sale or money write at HQ"
                for code, text in extra.items():
                    if code not in responses and str(code) not in responses:
                        responses[code] = {"description": text, "content": {"application/json": {"schema": ERROR_BODY}}}
        return schema


api = PosNinjaAPI(
    title="posweb",
    version="1",
    description="Store node API: menu, orders, health. Devices send Authorization: Bearer TOKEN.",
    urls_namespace="api",
)
api.add_router("/", sync_router)
api.add_router("/", registers_router)
api.add_router("/", money_router)
api.add_router("/", checks_router)
api.add_router("/", kitchen_router)
api.add_router("/", replication_router)
api.add_router("/integrations", integrations_router)
api.add_router("/", hq_router)
api.add_router("/", menu_router)
api.add_router("/", security_router)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig):
    return api.create_response(request, {"detail": "request body is too large"}, status=413)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError):
    return api.create_response(request, {"detail": _describe(exc.errors)}, status=422)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError):
    if device_is_revoked(bearer_token(request)):
        # The register and kitchen pages wipe what they keep on this code (static/pos/revoked.js).
        return api.create_response(request, {"detail": "this device has been revoked", "code": DEVICE_REVOKED}, status=401)
    return api.create_response(
        request, {"detail": "a valid device token is required (Authorization: Bearer TOKEN)"}, status=401
    )


def _describe(errors: list) -> str:
    """Pydantic's errors as one sentence per problem, naming where it is: 'lines[0].qty: ...'."""
    parts = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "payload", "query", "path")]
        where = ""
        for part in loc:
            where += f"[{part}]" if part.isdigit() else (f".{part}" if where else part)
        msg = error.get("msg", "is invalid")
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts) or "invalid request"
