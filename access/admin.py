"""The access log in the admin: read-only (the database refuses changes anyway), labels translated."""
from __future__ import annotations

from django.contrib import admin

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = (
        "at", "username", "client_id", "object_type_label", "object_id", "action", "grounds", "allowed", "channel",
    )
    list_filter = ("allowed", "action", "channel")
    search_fields = ("username", "=client_id", "=object_id")
    date_hierarchy = "at"
    list_select_related = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=AccessLog._meta.get_field("object_type").verbose_name, ordering="object_type")
    def object_type_label(self, row: AccessLog) -> str:
        return row.get_object_type_display()
