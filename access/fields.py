"""Least data: which fields of a client, and of a visit note, each role sees — one definition.

Every screen and every API payload that shows a client takes its fields from
here (through `Policy.client_fields`), so an artist sees the same client on
the visit page, my visits, home, the calendar and the API. docs/rules.md
has the same table in words.
"""
from __future__ import annotations

from pairwork.models import Role
from pairwork.roles import ADMINISTRATOR

# What anyone who goes into the home needs: who, where, what they wish for, what to watch out for.
VISIT_FIELDS = (
    "first_name", "last_name", "street_address", "postal_code", "area", "language",
    "needs_and_wishes", "preferred_art_forms", "safety_notes",
)
# A nurse also cares for the client's health, calls them, and knows whether they consented.
CARE_FIELDS = VISIT_FIELDS + ("birth_year", "phone", "health_notes", "consent_given", "consent_date")
# The coordinator keeps the whole record.
RECORD_FIELDS = CARE_FIELDS + (
    "team", "consent_recorded_by", "archived_at", "created_at", "updated_at",
    "preferred_weekdays", "preferred_time_of_day", "preferred_from", "preferred_until",
)
# Health data: never shown to artists.
HEALTH_FIELDS = ("health_notes",)

CLIENT_FIELDS_BY_ROLE: dict[str | None, tuple[str, ...]] = {
    Role.ARTIST: VISIT_FIELDS,
    Role.NURSE: CARE_FIELDS,
    Role.COORDINATOR: RECORD_FIELDS,
    ADMINISTRATOR: RECORD_FIELDS,
}

# Of a visit note, the care-plan observations are health data (nurses and coordinators only).
NOTE_HEALTH_FIELDS = ("care_plan_observations",)


def client_fields_for(role: str | None) -> frozenset[str]:
    return frozenset(CLIENT_FIELDS_BY_ROLE.get(role, ()))
