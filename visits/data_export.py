"""The client's visits, series and notes in a data-subject export (clients.data_requests, added in visits.apps)."""
from __future__ import annotations

from django.db.models import Prefetch

from clients.data_requests import fields_of, person
from clients.models import Client

from .models import Visit, VisitNote, VisitParticipant
from .notes import NOTE_FIELDS as NOTE_CONTENT_FIELDS

NOTE_FIELDS = (*NOTE_CONTENT_FIELDS, "version", "created_at", "updated_at")


def client_absences(client: Client) -> list[dict]:
    """The client's recorded absences and which visits each cancelled (one query each)."""
    absences = client.absences.prefetch_related("cancellations").order_by("starts_on", "pk")
    return [
        {
            "id": absence.pk,
            "kind": absence.kind,
            "starts_on": absence.starts_on,
            "ends_on": absence.ends_on,
            "reason": absence.reason,
            "created_at": absence.created_at,
            "withdrawn_at": absence.withdrawn_at,
            "cancelled_visits": [
                {"visit": c.visit_id, "restored_at": c.restored_at} for c in absence.cancellations.all()
            ],
        }
        for absence in absences
    ]


def visit_series(client: Client) -> list[dict]:
    return [
        {
            "id": series.pk,
            "first_starts_at": series.first_starts_at,
            "duration_minutes": series.duration_minutes,
            "interval_weeks": series.interval_weeks,
            "until": series.until,
            "count": series.count,
        }
        for series in client.visit_series.order_by("first_starts_at")
    ]


def visits(client: Client) -> list[dict]:
    participants = VisitParticipant.objects.select_related("staff__user", "note").prefetch_related("note__versions")
    visits = (
        Visit.objects.filter(client=client)
        .select_related("pair__artist__user", "pair__nurse__user", "pair__team")
        .prefetch_related(Prefetch("participants", queryset=participants), "events")
        .order_by("starts_at")
    )
    exported = []
    for visit in visits:
        notes = []
        for participant in visit.participants.all():
            try:
                note = participant.note
            except VisitNote.DoesNotExist:
                continue
            notes.append(
                {
                    "author": person(participant.staff),
                    "role": participant.role,
                    **fields_of(note, NOTE_FIELDS),
                    "versions": [
                        {"version": v.version, "saved_at": v.saved_at, "content": v.content}
                        for v in note.versions.all()
                    ],
                }
            )
        exported.append(
            {
                "id": visit.pk,
                "starts_at": visit.starts_at,
                "ends_at": visit.ends_at,
                "status": visit.status,
                "cancellation_reason": visit.cancellation_reason,
                "series_id": visit.series_id,
                "team": visit.pair.team.name,
                # Who actually came (a stand-in may have replaced a pair member).
                "artist": person(visit.artist),
                "nurse": person(visit.nurse),
                "history": [
                    {
                        "kind": e.kind, "at": e.at, "status": e.status,
                        "starts_at": e.starts_at, "ends_at": e.ends_at, "reason": e.reason,
                    }
                    for e in visit.events.all()
                ],
                "notes": notes,
            }
        )
    return exported
