from django.contrib import admin

from sync.models import Change


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin):
    """The change log is append-only: read here, written only by services and replication."""

    list_display = ["kind", "store", "origin", "seq", "hlc", "recorded_at"]
    list_filter = ["kind", "store", "origin"]
    search_fields = ["=id", "origin"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
