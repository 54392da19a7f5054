from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import CareRelationship, Client, ServiceCircleEntry
from .privacy_admin import ClientDataRequestsMixin


class CareRelationshipInline(admin.TabularInline):
    model = CareRelationship
    extra = 0
    autocomplete_fields = ["nurse"]


class ServiceCircleInline(admin.StackedInline):
    model = ServiceCircleEntry
    extra = 0


@admin.register(Client)
class ClientAdmin(ClientDataRequestsMixin, admin.ModelAdmin):
    """Client records, with the data-export action; reads and changes are access-logged."""

    list_display = ["id", "first_name", "last_name", "team", "area", "language", "consent_given", "archived_at"]
    list_filter = ["team", "language", "consent_given", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["first_name", "last_name", "=id"]
    list_select_related = ["team"]
    inlines = [CareRelationshipInline, ServiceCircleInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["first_name", "last_name", "birth_year", "team", "language"]}),
        (_("Contact"), {"fields": ["street_address", "postal_code", "area", "phone"]}),
        (_("Visits"), {"fields": ["needs_and_wishes", "preferred_art_forms", "safety_notes"]}),
        (_("Health (nurses and coordinators only)"), {"fields": ["health_notes"]}),
        (
            _("Consent and status"),
            {"fields": ["consent_given", "consent_date", "consent_recorded_by", "archived_at", "created_at", "updated_at"]},
        ),
    ]

