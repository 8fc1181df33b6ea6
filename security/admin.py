"""Pairing codes in admin: a manager names the device, gets a code and its QR code, once."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from security.models import PairingCode
from security.pairing import PAIRING_TTL_S, device_revoke, pairing_code_issue
from stores.models import Device


@admin.register(PairingCode)
class PairingCodeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "store", "created_by", "created_at", "expires_at", "used_at"]
    list_filter = ["kind", "store"]
    fields = ["name", "kind"]

    def has_change_permission(self, request, obj=None):
        return False  # a code is issued, used or left to expire; never edited

    def save_model(self, request, obj, form, change):
        _row, request._pairing_code = pairing_code_issue(
            store=settings.POS_STORE, name=obj.name, kind=obj.kind, by=request.user.get_username(), code=obj
        )

    def response_add(self, request, obj, post_url_continue=None):
        code = request._pairing_code
        # The code rides in the fragment: it never reaches a server log.
        url = request.build_absolute_uri(f"/pair/#code={code}")
        svg = segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": obj.name,
            "code": f"{code[:4]}-{code[4:]}",
            "url": url,
            "qr": mark_safe(svg),  # segno's own SVG markup, no user input in it
            "minutes": PAIRING_TTL_S // 60,
            "device": obj,
        }
        return TemplateResponse(request, "security/pairing_code.html", context)


# Devices are stores' rows, but revoked through pairing (a replicated change), so their admin lives here.
@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "kind", "created_at", "revoked_at"]
    list_filter = ["kind", "store"]
    # A device is a replicated fact (paired, revoked: security/pairing.py); an edit
    # here would change this node alone and never reach its siblings, so nothing is
    # editable, and revocation is the action below.
    readonly_fields = ["name", "store", "kind", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # devices are paired (Pairing codes), so each gets its own token

    def has_delete_permission(self, request, obj=None):
        return False  # deleting would not reach the siblings; revoke instead

    @admin.action(description=_("Revoke the selected devices on every node"))
    def revoke(self, request, queryset):
        for device in queryset:
            device_revoke(device=device, by=request.user.get_username())
        self.message_user(request, _("Revoked: %(names)s") % {"names": ", ".join(d.name for d in queryset)})
