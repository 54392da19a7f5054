from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AccessLog, CareRelationship, Client, ServiceCircleEntry


class CareRelationshipInline(admin.TabularInline):
    model = CareRelationship
    extra = 0
    autocomplete_fields = ["nurse"]


class ServiceCircleInline(admin.StackedInline):
    model = ServiceCircleEntry
    extra = 0


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["__str__", "team", "area", "language", "consent_given", "archived_at"]
    list_filter = ["team", "language", "consent_given", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["last_name", "first_name", "area"]
    inlines = [CareRelationshipInline, ServiceCircleInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["first_name", "last_name", "birth_year", "team", "language"]}),
        (_("Contact"), {"fields": ["street_address", "postal_code", "area", "phone"]}),
        (_("Visits"), {"fields": ["needs_and_wishes", "preferred_art_forms", "safety_notes"]}),
        (_("Health (nurses and coordinators only)"), {"fields": ["health_notes"]}),
        (_("Consent and status"), {"fields": ["consent_given", "consent_date", "consent_recorded_by", "archived_at", "created_at", "updated_at"]}),
    ]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, in the database as here."""

    list_display = ["at", "username", "client_id", "object_type", "object_id", "action", "grounds", "allowed", "channel"]
    list_filter = ["allowed", "action", "channel", "object_type"]
    search_fields = ["username", "=client__id", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
