"""Data-subject requests: everything held about one client, and removal after the retention period.

`export_client_data` answers a GDPR access request; `purge_archived_clients`
removes clients archived for longer than settings.CLIENT_RETENTION_DAYS. The
access log is kept in both cases: the export reports it, the purge leaves it
(its reference to the client carries no database constraint for that reason).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from access.choices import Channel, Grounds, ObjectType
from access.log import log_access
from access.models import AccessLog
from access.policy import Access, policy

from .models import Client

EXPORT_FORMAT_VERSION = 1
CLIENT_FIELDS = (
    "id", "first_name", "last_name", "birth_year", "street_address", "postal_code", "area", "phone", "language",
    "needs_and_wishes", "preferred_art_forms", "safety_notes", "health_notes", "consent_given", "consent_date",
    "archived_at", "created_at", "updated_at",
    "preferred_weekdays", "preferred_time_of_day", "preferred_from", "preferred_until",
)


def fields_of(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


def person(profile) -> str:
    return profile.display_name if profile is not None else ""


# Sections other apps add to the export (their AppConfig.ready), in the order of INSTALLED_APPS:
# the export lives here, with the client, and imports no app above clients (docs/rules.md "Layers").
_SECTIONS: dict[str, Callable[[Client], list[dict]]] = {}


def add_section(name: str, build: Callable[[Client], list[dict]]) -> None:
    """Export `build(client)` under `name`: what an app above clients holds about the client."""
    _SECTIONS[name] = build


def client_data(client: Client) -> dict:
    """Everything held about one client, and nothing about anyone else's client record."""
    familiar = client.care_relationships.select_related("nurse__user")
    return {
        "client": fields_of(client, CLIENT_FIELDS) | {"team": client.team.name},
        "familiar_nurses": [{"nurse": person(r.nurse), "primary": r.is_primary, "since": r.since} for r in familiar],
        "service_circle": [
            {
                "service": entry.service,
                "organisation": entry.organisation,
                "contact_person": entry.contact_person,
                "phone": entry.phone,
                "email": entry.email,
                "notes": entry.notes,
            }
            for entry in client.service_circle.all()
        ],
        **{name: build(client) for name, build in _SECTIONS.items()},
        "access_log": [
            {
                "at": row.at,
                "username": row.username,
                "object_type": row.object_type,
                "object_id": row.object_id,
                "action": row.action,
                "grounds": row.grounds,
                "allowed": row.allowed,
                "channel": row.channel,
            }
            for row in AccessLog.objects.for_client(client.pk).order_by("at", "id")
        ],
    }


def export_client_data(*, client: Client, by, channel: str | None = None) -> str:
    """The client's data as a JSON document, for an administrator answering an access request.

    The export is itself logged (and so appears in its own access-log
    section); a refused export is logged as denied and raises PermissionDenied.
    Not wrapped in a transaction on purpose: a refusal's log row must survive
    the exception that reports it.
    """
    access = policy(by).data_request_access(client)
    log_access(
        user=by, client_id=client.pk, object_type=ObjectType.CLIENT_DATA, object_id=client.pk,
        action=AccessLog.Action.EXPORT, access=access, channel=channel,
    )
    if not access:
        raise PermissionDenied
    document = {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now(),
        "exported_by": by.get_username(),
        **client_data(client),
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def export_filename(client: Client) -> str:
    # An id, never a name: file names end up in download folders and mail.
    return f"client-{client.pk}-data-{timezone.localdate():%Y-%m-%d}.json"


# --- Purge after the retention period ---------------------------------------------------------


@dataclass(frozen=True)
class PurgeCandidate:
    client_id: int
    archived_at: dt.datetime
    visits: int
    survey_responses: int


def retention_cutoff(*, now: dt.datetime | None = None, retention_days: int | None = None) -> dt.datetime:
    days = settings.CLIENT_RETENTION_DAYS if retention_days is None else retention_days
    return (now or timezone.now()) - dt.timedelta(days=days)


def purge_candidates(*, cutoff: dt.datetime) -> list[PurgeCandidate]:
    """Clients archived before the cutoff, with what removing them would take along."""
    rows = (
        Client.objects.archived()
        .filter(archived_at__lt=cutoff)
        .annotate(visit_count=Count("visits", distinct=True), response_count=Count("survey_responses", distinct=True))
        .order_by("archived_at", "pk")
        .values_list("pk", "archived_at", "visit_count", "response_count")
    )
    return [PurgeCandidate(*row) for row in rows]


def purge_archived_clients(*, cutoff: dt.datetime) -> list[PurgeCandidate]:
    """Remove every client archived before the cutoff, with their visits, notes and answers.

    One transaction per client, so that one failure does not keep the others.
    Each removal is logged in the access log, which itself is kept.
    """
    purged = []
    for candidate in purge_candidates(cutoff=cutoff):
        if _purge_one(candidate.client_id, cutoff=cutoff):
            purged.append(candidate)
    return purged


@transaction.atomic
def _purge_one(client_id: int, *, cutoff: dt.datetime) -> bool:
    # Re-read under lock: the client may have been brought back from the
    # archive since the candidates were listed.
    client = Client.objects.select_for_update().filter(pk=client_id, archived_at__lt=cutoff).first()
    if client is None:
        return False
    client.delete()
    log_access(
        user=None, client_id=client_id, object_type=ObjectType.CLIENT, object_id=client_id, action=AccessLog.Action.DELETE,
        access=Access(True, Grounds.RETENTION_PERIOD_ENDED), channel=Channel.COMMAND,
    )
    return True
