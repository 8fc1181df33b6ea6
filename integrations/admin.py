"""Admin: integrators and their keys (shown once, stored hashed), webhook deliveries, pushes, pauses."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from integrations import services
from integrations.models import ChannelPause, Integrator, PushSubscription, WebhookDelivery


@admin.register(Integrator)
class IntegratorAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "key_prefix", "channels", "webhook_url", "active", "created_at"]
    list_filter = ["store", "active"]
    readonly_fields = ["key_prefix", "webhook_secret", "created_at"]
    fields = ["name", "store", "channels", "webhook_url", "active", "key_prefix", "webhook_secret", "created_at"]
    actions = ["key_rotate"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj: Integrator, form, change: bool) -> None:
        if not change:
            # The key exists only in this message: only its digest is stored.
            key = services.key_new_for(obj)
            super().save_model(request, obj, form, change)
            self.message_user(request, _("API key for %(name)s (shown only now): %(key)s") % {"name": obj.name, "key": key}, messages.WARNING)
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Issue a new API key (the old one stops working)"))
    def key_rotate(self, request, queryset) -> None:
        for integrator in queryset:
            key = services.integrator_key_rotate(integrator=integrator)
            self.message_user(request, _("New API key for %(name)s (shown only now): %(key)s") % {"name": integrator.name, "key": key}, messages.WARNING)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "integrator", "order_id", "status", "attempts", "last_status_code", "delivered_at", "failed_at", "last_error"]
    list_filter = ["status", "integrator"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "order_id", "lang", "attempts", "sent_at", "failed_at", "last_error"]
    readonly_fields = [f.name for f in PushSubscription._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ChannelPause)
class ChannelPauseAdmin(admin.ModelAdmin):
    list_display = ["store", "channel", "paused", "reason", "by", "at"]
    readonly_fields = [f.name for f in ChannelPause._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # pauses are changes, made by a manager's PIN (POST /api/integrations/channels/…/pause)
