"""Visit notes: each participant's own account of a visit, versioned, editable for 48 hours.

Write use cases are `log_visit_note` and `edit_visit_note`; reads are the
selectors at the bottom. Every write is logged in the client's access log
as the change it is, so a request that saves a note leaves exactly one row.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from access.choices import Action, Grounds, ObjectType
from access.log import log_access
from access.policy import Access, policy
from clients.models import Client
from pairwork.models import StaffProfile

from .models import Visit, VisitNote, VisitNoteVersion, VisitParticipant, VisitStatus

NOTE_FIELDS = (
    "art_form",
    "activities",
    "engagement",
    "mood_before",
    "mood_after",
    "care_plan_observations",
    "next_visit_suggestions",
    "free_text",
)
EDIT_WINDOW = dt.timedelta(hours=VisitNote.EDIT_WINDOW_HOURS)
NOTE_OBJECT = ObjectType.VISIT_NOTE


def not_the_author_message() -> str:
    return _("Only the author can edit a visit note.")


def editable_until(note: VisitNote) -> dt.datetime:
    return note.created_at + EDIT_WINDOW


def is_editable(note: VisitNote, *, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) < editable_until(note)


def may_write_note_now(visit: Visit, *, now: dt.datetime | None = None) -> bool:
    """A note belongs to a visit that has happened (or is happening today) and was not cancelled."""
    today = timezone.localdate(now or timezone.now())
    return visit.status != VisitStatus.CANCELLED and timezone.localdate(visit.starts_at) <= today


def note_snapshot(note: VisitNote) -> dict[str, Any]:
    """The content a note version keeps: the one shape every version has, wherever it is written."""
    return {field: getattr(note, field) for field in NOTE_FIELDS}


def _check_content(content: Mapping[str, Any]) -> None:
    unknown = set(content) - set(NOTE_FIELDS)
    if unknown:
        raise ValueError(f"not visit-note fields: {sorted(unknown)}")


def _save_version(note: VisitNote, *, by) -> VisitNoteVersion:
    return VisitNoteVersion.objects.create(
        note=note, version=note.version, content=note_snapshot(note), saved_by=by, saved_at=note.updated_at
    )


def _log_note_change(note: VisitNote, *, participant: VisitParticipant, by, action: str, channel: str | None) -> None:
    log_access(
        user=by,
        client_id=participant.visit.client_id,
        object_type=NOTE_OBJECT,
        object_id=note.pk,
        action=action,
        access=Access(True, Grounds.VISIT_PARTICIPANT),
        channel=channel,
    )


@transaction.atomic
def log_visit_note(*, participant: VisitParticipant, by, content: Mapping[str, Any], channel: str | None = None) -> VisitNote:
    """Write a participant's note for their visit, as version 1.

    Refused (ValidationError) when `by` is not that participant, the visit
    was cancelled or has not yet come, or the participant already has a note.
    """
    _check_content(content)
    # Lock the participant so two simultaneous first saves cannot both pass
    # the "no note yet" check; the one-to-one key would refuse the second anyway.
    participant = (
        VisitParticipant.objects.select_for_update().select_related("visit", "staff").get(pk=participant.pk)
    )
    if participant.staff.user_id != by.pk:
        raise ValidationError(_("Only the participant can write their own visit note."))
    if not may_write_note_now(participant.visit):
        raise ValidationError(_("A note can be written from the day of the visit on, and not for a cancelled visit."))
    if VisitNote.objects.filter(participant=participant).exists():
        raise ValidationError(_("You have already written a note for this visit; edit it instead."))

    now = timezone.now()
    note = VisitNote(participant=participant, version=1, created_at=now, updated_at=now, **content)
    note.full_clean()
    note.save()
    _save_version(note, by=by)
    _log_note_change(note, participant=participant, by=by, action=Action.CREATE, channel=channel)
    return note


@transaction.atomic
def edit_visit_note(*, note: VisitNote, by, content: Mapping[str, Any], channel: str | None = None) -> VisitNote:
    """Change a note: only by its author, only within 48 hours of writing it; every edit is a new version."""
    _check_content(content)
    # Lock the note so concurrent edits get consecutive version numbers.
    note = (
        VisitNote.objects.select_for_update()
        .select_related("participant__staff", "participant__visit")
        .get(pk=note.pk)
    )
    participant = note.participant
    if not policy(by).note_author_access(note):
        raise ValidationError(not_the_author_message())
    now = timezone.now()
    if not is_editable(note, now=now):
        raise ValidationError(
            _("A note can be edited for %(hours)s hours after it was written; this one can no longer be changed.")
            % {"hours": VisitNote.EDIT_WINDOW_HOURS}
        )
    for field, value in content.items():
        setattr(note, field, value)
    note.version += 1
    note.updated_at = now
    note.full_clean()
    note.save(update_fields=[*content.keys(), "version", "updated_at"])
    _save_version(note, by=by)
    _log_note_change(note, participant=participant, by=by, action=Action.UPDATE, channel=channel)
    return note


# --- Selectors -----------------------------------------------------------------------


def participation_of(visit: Visit, staff: StaffProfile | None) -> VisitParticipant | None:
    """The staff member's place in the visit, with their note, or None."""
    if staff is None:
        return None
    return visit.participants.select_related("note").filter(staff=staff).first()


def participants_with_notes(visit: Visit) -> list[VisitParticipant]:
    """Both participants of a visit, each with their note (if written), in one query."""
    return list(visit.participants.select_related("staff__user", "note").order_by("role"))


def past_visits_with_notes(user, client: Client) -> QuerySet[Visit]:
    """The client's past visits that this user may see, newest first, each with its notes.

    For a pair member that is the visits they took part in; for a coordinator
    the visits of their teams' pairs. Three queries however many visits.
    """
    participants = VisitParticipant.objects.select_related("staff__user", "note").order_by("role")
    return (
        Visit.objects.visible_to(user)
        .filter(client=client, starts_at__lt=timezone.now())
        .select_related("pair__artist__user", "pair__nurse__user")
        .prefetch_related(Prefetch("participants", queryset=participants))
        .order_by("-starts_at")
    )
