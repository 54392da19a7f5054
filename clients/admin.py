from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from access.admin import ClientDataAdmin
from access.choices import Channel, ObjectType
from pairwork.admin_labels import LabelledInputs, LabelledTabularInline

from . import records
from .models import CareRelationship, Client, ServiceCircleEntry
from .privacy_admin import ClientDataRequestsMixin


class CareRelationshipInline(LabelledTabularInline):
    model = CareRelationship
    extra = 0
    autocomplete_fields = ["nurse"]


class ServiceCircleInline(LabelledInputs, admin.StackedInline):
    model = ServiceCircleEntry
    extra = 0


@admin.register(Client)
class ClientAdmin(ClientDataRequestsMixin, ClientDataAdmin, LabelledInputs, admin.ModelAdmin):
    """Client records, with the data-export action; every page logged, every save through clients.records."""

    log_object_type = ObjectType.CLIENT

    list_display = ["id", "first_name", "last_name", "team", "area", "language", "consent_given", "archived_at"]
    list_filter = ["team", "language", "consent_given", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["first_name", "last_name", "=id"]
    list_select_related = ["team"]
    inlines = [CareRelationshipInline, ServiceCircleInline]
    # Who recorded the consent is the service's to set, from the consent itself.
    readonly_fields = ["consent_recorded_by", "created_at", "updated_at"]
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

    def client_id_of(self, client: Client) -> int:
        return client.pk

    def save_model(self, request, obj, form, change):
        """Through the same services as the coordinator's pages: consent rules, validation and the log row."""
        data = {name: form.cleaned_data[name] for name in records.CLIENT_FIELDS if name in form.cleaned_data}
        if change:
            saved = records.update_client(client=Client.objects.get(pk=obj.pk), data=data, by=request.user, channel=Channel.ADMIN)
        else:
            saved = records.create_client(data=data, by=request.user, channel=Channel.ADMIN)
        obj.pk = saved.pk
