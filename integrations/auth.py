"""Bearer-key authentication of integrators: a key is stored only as its SHA-256 and works at one store."""

from __future__ import annotations

from django.conf import settings
from ninja.security import HttpBearer

from integrations.models import Integrator, key_digest


class IntegratorBearer(HttpBearer):
    openapi_description = "An integrator's API key (Authorization: Bearer KEY), issued in admin for one store."

    def authenticate(self, request, token: str) -> Integrator | None:
        if not token or len(token) > 200:
            return None
        integrator = Integrator.objects.filter(key_hash=key_digest(token), active=True).first()
        # A key belongs to one store: another store's node refuses it.
        if integrator is None or integrator.store != settings.POS_STORE:
            return None
        request.integrator = integrator
        return integrator


integrator_auth = IntegratorBearer()
