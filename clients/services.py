"""Write use cases of client records: create and change a client, keep the service circle.

Each change is written to the client's access log with the grounds on which
the person acted, whichever entry point (page, API, admin) called it.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pairwork import scoping

from .models import AccessLog, Client, ServiceCircleEntry

CLIENT_FIELDS = frozenset(
    {
        "first_name", "last_name", "birth_year", "team", "street_address", "postal_code", "area", "phone",
        "language", "needs_and_wishes", "preferred_art_forms", "safety_notes", "health_notes",
        "consent_given", "consent_date",
    }
)
SERVICE_CIRCLE_FIELDS = frozenset({"service", "organisation", "contact_person", "phone", "email", "notes"})


def _refuse_unknown(fields: dict, allowed: frozenset) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")


def _check_consent(client: Client) -> None:
    if client.consent_given and client.consent_date is None:
        raise ValidationError({"consent_date": _("Give the date the client's consent was recorded.")})
    if client.consent_date is not None and client.consent_date > timezone.localdate():
        raise ValidationError({"consent_date": _("The consent date cannot be in the future.")})


def _log_change(*, by, client: Client, object_type: str, object_id, action: str, channel: str) -> None:
    scoping.log_access(
        user=by,
        client_id=client.pk,
        object_type=object_type,
        object_id=object_id,
        action=action,
        access=scoping.client_access(by, client),
        channel=channel,
    )


@transaction.atomic
def create_client(*, by, channel: str = "web", **fields) -> Client:
    """A new client record; consent needs its date, and whoever records consent is noted."""
    _refuse_unknown(fields, CLIENT_FIELDS)
    client = Client(**fields)
    _check_consent(client)
    if client.consent_given:
        client.consent_recorded_by = by
    client.full_clean()
    client.save()
    _log_change(by=by, client=client, object_type="client", object_id=client.pk, action=AccessLog.Action.CREATE, channel=channel)
    return client


@transaction.atomic
def update_client(*, client: Client, by, channel: str = "web", **changes) -> Client:
    """Change a client record. Only the given fields are written."""
    _refuse_unknown(changes, CLIENT_FIELDS)
    client = Client.objects.select_for_update().get(pk=client.pk)
    consent_was_given = client.consent_given
    for field, value in changes.items():
        setattr(client, field, value)
    _check_consent(client)
    update_fields = [*changes, "updated_at"]
    if client.consent_given and not consent_was_given:
        client.consent_recorded_by = by
        update_fields.append("consent_recorded_by")
    client.full_clean()
    client.save(update_fields=update_fields)
    _log_change(by=by, client=client, object_type="client", object_id=client.pk, action=AccessLog.Action.UPDATE, channel=channel)
    return client


@transaction.atomic
def add_service_circle_entry(*, client: Client, by, channel: str = "web", **fields) -> ServiceCircleEntry:
    """Another service the client receives, with its contact person."""
    _refuse_unknown(fields, SERVICE_CIRCLE_FIELDS)
    entry = ServiceCircleEntry(client=client, **fields)
    entry.full_clean()
    entry.save()
    _log_change(
        by=by, client=client, object_type="service circle entry", object_id=entry.pk,
        action=AccessLog.Action.CREATE, channel=channel,
    )
    return entry


@transaction.atomic
def update_service_circle_entry(*, entry: ServiceCircleEntry, by, channel: str = "web", **changes) -> ServiceCircleEntry:
    _refuse_unknown(changes, SERVICE_CIRCLE_FIELDS)
    for field, value in changes.items():
        setattr(entry, field, value)
    entry.full_clean()
    entry.save(update_fields=list(changes) or None)
    _log_change(
        by=by, client=entry.client, object_type="service circle entry", object_id=entry.pk,
        action=AccessLog.Action.UPDATE, channel=channel,
    )
    return entry


@transaction.atomic
def remove_service_circle_entry(*, entry: ServiceCircleEntry, by, channel: str = "web") -> None:
    entry_id = entry.pk
    entry.delete()
    _log_change(
        by=by, client=entry.client, object_type="service circle entry", object_id=entry_id,
        action=AccessLog.Action.DELETE, channel=channel,
    )
