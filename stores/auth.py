"""Who is calling, and which store they may see.

Three kinds of caller reach the API:

- a device (register, kitchen screen) with its bearer token: at a store node
  only that store's devices are accepted; at HQ a device of any store is, and
  it sees and names only its own store (``store_scope``, ``order_visible``);
- at HQ, an analyst with a read-only token (``manage.py analyst_token NAME``):
  reads every store, writes nothing;
- at HQ, a staff member logged in to Django admin (``is_staff``): reads every store.

HQ books no sales of its own: the routes that record sales, money or a store's
operations take ``selling_auth``, which answers 403 at HQ before the view runs.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from stores.models import AnalystToken, Device, token_digest
from stores.selectors import device_live

HQ_BOOKS_NOTHING = "HQ books no sales and runs no store's till: send this to the store's own node"


class DeviceRequest(HttpRequest):
    """The request of an endpoint behind ``device_auth``: its views annotate ``request`` with this type,
    as the bearer sets ``device`` (and django-ninja ``auth``) before the view runs."""

    device: Device
    auth: Device


class DeviceBearer(HttpBearer):
    openapi_description = "A device token (Authorization: Bearer TOKEN)."

    def authenticate(self, request, token: str) -> Device | None:
        if not token or len(token) > 200:
            return None
        device = device_live(token_digest(token))
        if device is None:
            return None
        request.device = device
        return device


class SellingBearer(DeviceBearer):
    """A device at a store node. At HQ a valid device gets 403: HQ records no sale, payment,
    drawer movement, shift or day close, whichever store the device belongs to."""

    openapi_description = "A device token of this store's node (Authorization: Bearer TOKEN); refused at HQ."

    def authenticate(self, request, token: str) -> Device | None:
        device = super().authenticate(request, token)
        if device is not None and settings.POS_ROLE == "hq":
            raise HttpError(403, HQ_BOOKS_NOTHING)
        return device


class AnalystBearer(HttpBearer):
    """HQ's read-only analyst tokens; no such token works at a store node."""

    openapi_description = "At HQ: an analyst's read-only token (Authorization: Bearer TOKEN)."

    def authenticate(self, request, token: str) -> AnalystToken | None:
        if settings.POS_ROLE != "hq" or not token or len(token) > 200:
            return None
        analyst = AnalystToken.objects.filter(token_hash=token_digest(token), revoked_at__isnull=True).first()
        if analyst is not None:
            request.analyst = analyst
        return analyst


class StaffSession(SessionAuth):
    """An HQ admin logged in to Django admin (CSRF checked by ninja)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_staff else None


device_auth = DeviceBearer()
selling_auth = SellingBearer()
analyst_auth = AnalystBearer()
staff_session = StaffSession()
# Reads: a device (its own store), or at HQ an analyst or an admin (every store).
reader_auth = [device_auth, analyst_auth, staff_session]


def _device_of(request: HttpRequest) -> Device | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, Device) else None


def is_hq_reader(request: HttpRequest) -> bool:
    """An analyst token or an admin session at HQ: may read every store."""
    if settings.POS_ROLE != "hq":
        return False
    auth = getattr(request, "auth", None)
    return isinstance(auth, AnalystToken) or (isinstance(auth, AbstractBaseUser) and bool(getattr(auth, "is_staff", False)))


def store_scope(request: HttpRequest, asked: str | None) -> str | None:
    """The store a read covers: ``asked`` (the ``store=`` parameter) as far as the caller may see it.

    At a store node: always this store. At HQ: a device's own store (naming another
    is a 403); an analyst or admin: ``asked``, None meaning every store.
    """
    if settings.POS_ROLE != "hq":
        return settings.POS_STORE
    device = _device_of(request)
    if device is None:
        if is_hq_reader(request):
            return asked or None
        raise HttpError(401, "a valid device token is required (Authorization: Bearer TOKEN)")
    if asked and asked != device.store:
        raise HttpError(403, f"a device of store {device.store} sees only store {device.store}, not {asked}")
    return device.store


def store_visible(request: HttpRequest, store: str) -> bool:
    """Whether the caller may see a row of ``store`` (an order, a receipt)."""
    if settings.POS_ROLE != "hq":
        return store == settings.POS_STORE
    device = _device_of(request)
    if device is not None:
        return device.store == store
    return is_hq_reader(request)


def reader_from_request(request: HttpRequest) -> Device | AnalystToken | AbstractBaseUser | None:
    """``reader_auth`` for a plain Django view (a page): the bearer token of the
    Authorization header, else an HQ admin session. Sets ``request.auth``."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    found: Device | AnalystToken | AbstractBaseUser | None = None
    if scheme.lower() == "bearer" and token.strip():
        found = device_auth.authenticate(request, token.strip()) or analyst_auth.authenticate(request, token.strip())
    else:
        user = getattr(request, "user", None)
        if settings.POS_ROLE == "hq" and isinstance(user, AbstractBaseUser) and getattr(user, "is_staff", False):
            found = user
    request.auth = found  # type: ignore[attr-defined]
    return found


def one_store_scope(request: HttpRequest, asked: str | None) -> str:
    """``store_scope`` for reads of exactly one store: at HQ an analyst or admin must name it (422)."""
    store = store_scope(request, asked)
    if store is None:
        raise HttpError(422, "store= is required at HQ")
    return store
