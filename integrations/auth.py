"""Bearer-key authentication of integrators: a key is stored only as its SHA-256 and works at one store."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from integrations.models import Integrator, key_digest


class IntegratorRequest(HttpRequest):
    """The request of an endpoint behind ``integrator_auth``: its views annotate ``request`` with this type,
    as the bearer sets ``integrator`` (and django-ninja ``auth``) before the view runs."""

    integrator: Integrator
    auth: Integrator


class IntegratorBearer(HttpBearer):
    openapi_description = "An integrator's API key (Authorization: Bearer KEY), issued in admin for one store."

    def authenticate(self, request, token: str) -> Integrator | None:
        if not token or len(token) > 200:
            return None
        integrator = Integrator.objects.filter(key_hash=key_digest(token), active=True).first()
        # A key belongs to one store: another store's node refuses it. HQ
        # serves every store's integrators and relays their orders to that store.
        if integrator is None or (settings.POS_ROLE != "hq" and integrator.store != settings.POS_STORE):
            return None
        request.integrator = integrator
        return integrator


integrator_auth = IntegratorBearer()
