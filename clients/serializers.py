"""Clients as the API shows them: the fields follow the caller's role (access.fields, docs/rules.md)."""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from access.fields import VISIT_FIELDS
from access.models import AccessLog
from access.policy import policy
from pairwork.models import Team

from .models import Client, ServiceCircleEntry

# Part of the care record, not of what a visit needs: shown only to those who
# may see health notes (nurses, coordinators, administrators), never artists.
CARE_RECORD_FIELDS = ("birth_year", "phone", "health_notes", "consent_given", "consent_date")


@extend_schema_field({
    "type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "nullable": True, "example": "09:30",
    "description": "A local (Europe/Helsinki) wall-clock time, HH:MM.",
})
class LocalWallTimeField(serializers.TimeField):
    """A time of day as HH:MM: no seconds, no offset (a preference, not a moment)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


class ClientSerializer(serializers.ModelSerializer):
    """A client record, with the fields of the caller's role (docs/rules.md, least data): artists
    receive what a visit needs; the schema therefore marks the other fields optional."""

    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.none())
    is_active = serializers.BooleanField(read_only=True, help_text=_("False once the client is archived."))
    preferred_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), required=False, max_length=7,
        help_text=_("0 = Monday … 6 = Sunday, each at most once; empty if any weekday suits the client."),
    )
    preferred_from = LocalWallTimeField(required=False, allow_null=True)
    preferred_until = LocalWallTimeField(required=False, allow_null=True)

    class Meta:
        model = Client
        fields = [
            "id", "first_name", "last_name", "team", "street_address", "postal_code", "area", "language",
            "needs_and_wishes", "preferred_art_forms", "safety_notes",
            *CARE_RECORD_FIELDS,
            "is_active", "archived_at", "created_at", "updated_at",
            "preferred_weekdays", "preferred_time_of_day", "preferred_from", "preferred_until",
        ]
        read_only_fields = ["archived_at", "created_at", "updated_at"]

    def validate(self, data):
        """The preferred time of day as the client form checks it: "between" needs a start and a later end."""
        data = super().validate(data)
        current = self.instance
        def value(name):
            return data[name] if name in data else getattr(current, name, None)
        if value("preferred_time_of_day") == "between":
            start, end = value("preferred_from"), value("preferred_until")
            if start is None:
                raise serializers.ValidationError({"preferred_from": [_("Give the start of the preferred time.")]})
            if end is None or end <= start:
                raise serializers.ValidationError({"preferred_until": [_("Give an end after the start.")]})
        elif "preferred_time_of_day" in data:
            data["preferred_from"] = data["preferred_until"] = None
        return data

    def validate_preferred_weekdays(self, days):
        if len(set(days)) != len(days):
            raise serializers.ValidationError(_("Give each weekday at most once."))
        return sorted(days)

    def get_fields(self):
        fields = super().get_fields()
        if getattr(self.context.get("view"), "swagger_fake_view", False):
            return fields  # the schema documents every field any role may receive
        request = self.context.get("request")
        user = request.user if request is not None else None
        rules = policy(user)
        # The role's fields (access.fields), the id, and whether the record is active to those who see its status.
        shown = rules.client_fields | {"id"} | ({"is_active"} if "archived_at" in rules.client_fields else set())
        for name in set(fields) - shown:
            fields.pop(name)
        if "team" in fields:
            fields["team"].queryset = rules.managed_teams()
        return fields


@extend_schema_field(
    {"type": "string", "maxLength": 254, "anyOf": [{"format": "email"}, {"maxLength": 0}],
     "description": "An e-mail address, or an empty string when none is known."}
)
class EmailOrBlankField(serializers.CharField):
    """An e-mail address or "". The schema says so, where a plain format: email would refuse ""."""

    # Checked here, not as a field validator: drf-spectacular would turn a validator into format: email.
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            validate_email(value)
        except DjangoValidationError:
            raise serializers.ValidationError(_("Enter a valid e-mail address.")) from None
        return value


class ServiceCircleEntrySerializer(serializers.ModelSerializer):
    email = EmailOrBlankField(allow_blank=True, required=False, max_length=254)

    class Meta:
        model = ServiceCircleEntry
        fields = ["id", "service", "organisation", "contact_person", "phone", "email", "notes"]


class AccessLogEntrySerializer(serializers.ModelSerializer):
    """Who touched the client's data, what, when, on what grounds, allowed or denied."""

    class Meta:
        model = AccessLog
        fields = ["id", "at", "username", "object_type", "object_id", "action", "grounds", "allowed", "channel"]
        read_only_fields = fields


def least_data_in_schema(result, generator, request, public):
    """drf-spectacular hook: in the client component only what every reading role receives is required.

    Read-only fields are required by default, but an artist's payload holds
    only the visit fields (access.fields), so the schema must not promise more.
    """
    always = {"id", *VISIT_FIELDS}
    component = result.get("components", {}).get("schemas", {}).get("Client")
    if component and "required" in component:
        component["required"] = [name for name in component["required"] if name in always]
    return result
