from django.contrib import admin

from menu.models import Station
from sync.admin import PublishesMasterData


@admin.register(Station)
class StationAdmin(PublishesMasterData, admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "position", "printer_host", "printer_port"]
    list_editable = ["position", "printer_host", "printer_port"]
