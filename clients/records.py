"""Keeping client records: every write to a client, its familiar nurses and service circle.

One atomic, keyword-only function per use case; each asks access.policy
whether `by` manages the client's team and writes an access-log row for the
change (docs/rules.md).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.choices import ObjectType
from access.log import log_access
from access.models import AccessLog
from access.policy import Access, policy
from pairwork.models import StaffProfile

from .models import CareRelationship, Client, ServiceCircleEntry

CLIENT_FIELDS = (
    "first_name", "last_name", "birth_year", "team", "street_address", "postal_code", "area", "phone", "language",
    "needs_and_wishes", "preferred_art_forms", "safety_notes", "health_notes", "consent_given", "consent_date",
    "preferred_weekdays", "preferred_time_of_day", "preferred_from", "preferred_until",
)
SERVICE_CIRCLE_FIELDS = ("service", "organisation", "contact_person", "phone", "email", "notes")


def _manager_access(by, team_id: int) -> Access:
    return policy(by).require_manager(team_id)


def _log(by, client: Client, action: str, access: Access, object_type: str = ObjectType.CLIENT, channel: str | None = None) -> None:
    log_access(
        user=by, client_id=client.pk, object_type=object_type, object_id=client.pk, action=action, access=access,
        channel=channel,
    )


def _apply_consent(client: Client, by, was_given: bool) -> None:
    """Who recorded the consent follows the consent; no consent, no date."""
    if not client.consent_given:
        client.consent_date, client.consent_recorded_by = None, None
        return
    if client.consent_date is None:
        client.consent_date = timezone.localdate()
    if client.consent_date > timezone.localdate():
        raise ValidationError({"consent_date": _("The consent date cannot be in the future.")})
    if not was_given:
        client.consent_recorded_by = by


@transaction.atomic
def create_client(*, data: Mapping[str, Any], by, channel: str | None = None) -> Client:
    """Register a client in one of `by`'s teams."""
    access = _manager_access(by, data["team"].pk)
    client = Client(**{name: data[name] for name in CLIENT_FIELDS if name in data})
    _apply_consent(client, by, was_given=False)
    client.full_clean()
    client.save()
    _log(by, client, AccessLog.Action.CREATE, access, channel=channel)
    return client


@transaction.atomic
def update_client(*, client: Client, data: Mapping[str, Any], by, channel: str | None = None) -> Client:
    """Change a client's details; moving them to another team needs that team too."""
    access = _manager_access(by, client.team_id)
    if "team" in data and data["team"].pk != client.team_id:
        _manager_access(by, data["team"].pk)
        if planned_visit_count(client):
            raise ValidationError({"team": _("Cancel or move the client's planned visits before changing the team.")})
    was_given = client.consent_given
    for name in CLIENT_FIELDS:
        if name in data:
            setattr(client, name, data[name])
    _apply_consent(client, by, was_given=was_given)
    client.full_clean()
    client.save()
    _log(by, client, AccessLog.Action.UPDATE, access, channel=channel)
    return client


# How many visits are planned for a client from now on: told by the visits app (visits.apps), which
# stands above clients (docs/rules.md "Layers"); none while no app plans visits.
_planned_visits: list[Callable[[Client], int]] = []


def count_planned_visits_with(counter: Callable[[Client], int]) -> None:
    _planned_visits.append(counter)


def planned_visit_count(client: Client) -> int:
    return sum(counter(client) for counter in _planned_visits)


@transaction.atomic
def archive_client(*, client: Client, by) -> Client:
    """Archive a client who no longer receives visits; refused while visits are planned."""
    access = _manager_access(by, client.team_id)
    # Lock: scheduling locks the client too, so no visit slips in while we check.
    client = Client.objects.select_for_update(no_key=True).get(pk=client.pk)
    if client.archived_at is not None:
        return client
    planned = planned_visit_count(client)
    if planned:
        raise ValidationError(_(
            "The client still has %(count)d planned visits. Cancel them before archiving."
        ) % {"count": planned})
    client.archived_at = timezone.now()
    client.save(update_fields=["archived_at", "updated_at"])
    _log(by, client, AccessLog.Action.UPDATE, access)
    return client


@transaction.atomic
def restore_client(*, client: Client, by) -> Client:
    """Bring an archived client back to the active list."""
    access = _manager_access(by, client.team_id)
    client.archived_at = None
    client.save(update_fields=["archived_at", "updated_at"])
    _log(by, client, AccessLog.Action.UPDATE, access)
    return client


@transaction.atomic
def set_familiar_nurses(*, client: Client, nurses: Iterable[Mapping[str, Any]], by) -> list[CareRelationship]:
    """Replace the client's familiar nurses: rows of {nurse, is_primary, since}. At most one primary."""
    access = _manager_access(by, client.team_id)
    rows = list(nurses)
    nurse_ids = [row["nurse"].pk for row in rows]
    if len(set(nurse_ids)) != len(nurse_ids):
        raise ValidationError(_("Each nurse can be listed once."))
    if sum(bool(row.get("is_primary")) for row in rows) > 1:
        raise ValidationError(_("Only one nurse can be the primary nurse."))
    in_team = set(
        StaffProfile.objects.nurses().filter(pk__in=nurse_ids, teams=client.team_id).values_list("pk", flat=True)
    )
    if in_team != set(nurse_ids):
        raise ValidationError(_("Familiar nurses must be nurses of the client's team."))
    CareRelationship.objects.filter(client=client).delete()
    created = CareRelationship.objects.bulk_create(
        CareRelationship(
            client=client, nurse=row["nurse"], is_primary=bool(row.get("is_primary")),
            since=row.get("since") or timezone.localdate(),
        )
        for row in rows
    )
    _log(by, client, AccessLog.Action.UPDATE, access, object_type=ObjectType.FAMILIAR_NURSES)
    return created


@transaction.atomic
def set_service_circle(
    *, client: Client, entries: Iterable[Mapping[str, Any]], by, channel: str | None = None
) -> list[ServiceCircleEntry]:
    """Replace the client's service circle: the other services and their contact people."""
    access = _manager_access(by, client.team_id)
    ServiceCircleEntry.objects.filter(client=client).delete()
    created = ServiceCircleEntry.objects.bulk_create(
        ServiceCircleEntry(client=client, **{name: entry.get(name) or "" for name in SERVICE_CIRCLE_FIELDS})
        for entry in entries
    )
    _log(by, client, AccessLog.Action.UPDATE, access, object_type=ObjectType.SERVICE_CIRCLE, channel=channel)
    return created
