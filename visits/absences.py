"""Staff absences: sick leave, holidays and training, and the visits they touch.

One keyword-only, atomic function per use case; the pages, the API and the
admin call these and nothing else writes absences:

* `record_absence`  – a coordinator of the person's team (or an administrator)
  records any kind; an artist or nurse reports their own sick leave;
* `shorten_absence` – the person is back earlier; the end moves earlier;
* `withdraw_absence` – recorded by mistake; kept, marked withdrawn.

Reads: `affected_visits(absence)` (exactly the person's active visits that
overlap it), `absent_intervals` (for the free-time search), `absence_clashes`
(the booking path refuses an absent person with a SchedulingConflict, 409 in
the API) and `flag_absences` (the calendars' and visit page's badges).

Times are half-open like visits: an absence ending at 12:00 does not touch a
visit starting at 12:00. An all-day absence runs from local midnight of its
first day to local midnight after its last day (Europe/Helsinki, 23 or 25
hours on the days the clocks turn). Staff data, not client data: no access-log
rows, and the e-mail to the coordinators names no client.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import VISITING_ROLES, policy
from pairwork.jobs import enqueue_on_commit
from pairwork.limits import date_window_message
from pairwork.models import StaffProfile
from pairwork.timing import local_midnight, within_date_window

from .conflicts import Clash, format_local_date, format_local_range
from .models import AbsenceKind, StaffAbsence, Visit

__all__ = [
    "record_absence", "shorten_absence", "withdraw_absence", "affected_visits", "absent_intervals",
    "absence_clashes", "flag_absences", "all_day_range", "absence_period",
]

NOTE_MAX_LENGTH = 200


def all_day_range(first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of `first_day` to local midnight after `last_day` (DST-safe: midnight always exists)."""
    return local_midnight(first_day), local_midnight(last_day + dt.timedelta(days=1))


def absence_period(absence: StaffAbsence) -> str:
    """'3.12.2026–5.12.2026' for all-day absences (the last day, not the next midnight), else the times."""
    if absence.all_day:
        first = timezone.localdate(absence.starts_at)
        last = timezone.localdate(absence.ends_at - dt.timedelta(minutes=1))
        return format_local_date(first) if first == last else f"{format_local_date(first)}–{format_local_date(last)}"
    return format_local_range(absence.starts_at, absence.ends_at)


# --- Reads ---------------------------------------------------------------------------------


def affected_visits(absence: StaffAbsence):
    """Exactly the person's active visits overlapping the absence (none once it is withdrawn), in time order."""
    if absence.is_withdrawn:
        return Visit.objects.none()
    return (
        Visit.objects.active()
        .filter(participants__staff_id=absence.person_id)
        .between(absence.starts_at, absence.ends_at)
        .order_by("starts_at", "pk")
    )


def absent_intervals(
    person_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """Per person, the (start, end) of their absences overlapping [start, end), in time order. One query.

    Everyone asked about is a key, with an empty list when not absent.
    """
    person_ids = list(person_ids)
    intervals: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {pk: [] for pk in person_ids}
    rows = (
        StaffAbsence.objects.active().overlapping(start, end).filter(person_id__in=person_ids)
        .order_by("person_id", "starts_at").values_list("person_id", "starts_at", "ends_at")
    )
    for person_id, starts_at, ends_at in rows:
        intervals[person_id].append((starts_at, ends_at))
    return intervals


def absence_clashes(staff: Iterable[StaffProfile], starts_at: dt.datetime, ends_at: dt.datetime) -> list[Clash]:
    """The absences of these people overlapping [starts_at, ends_at), as Clashes of kind "absence". One query."""
    staff = {person.pk: person for person in staff}
    absences = StaffAbsence.objects.active().overlapping(starts_at, ends_at).filter(person_id__in=staff)
    return [_clash(absence, staff[absence.person_id]) for absence in absences.order_by("starts_at", "pk")]


def _clash(absence: StaffAbsence, person: StaffProfile) -> Clash:
    return Clash(
        kind="absence", starts_at=absence.starts_at, ends_at=absence.ends_at, staff_id=person.pk,
        person_name=person.display_name, role=person.role, absence_kind=absence.kind,
        absence_period=absence_period(absence),
    )


def flag_absences(visits: Iterable[Visit]) -> list[Visit]:
    """Set `visit.absences` on each visit: the active absences of its participants that overlap it. One query.

    Each item is the StaffAbsence with `person` loaded; `badge` gives the
    text "Hanna is absent (sick leave)".
    """
    visits = list(visits)
    for visit in visits:
        visit.absences = []
    active = [visit for visit in visits if visit.is_active]
    if not active:
        return visits
    by_pk = {visit.pk: visit for visit in active}
    rows = (
        StaffAbsence.objects.active()
        .filter(
            person__visit_participations__visit_id__in=list(by_pk),
            starts_at__lt=F("person__visit_participations__visit__ends_at"),
            ends_at__gt=F("person__visit_participations__visit__starts_at"),
        )
        .annotate(flagged_visit_id=F("person__visit_participations__visit_id"))
        .select_related("person__user")
        .order_by("starts_at", "pk")
    )
    for absence in rows:
        by_pk[absence.flagged_visit_id].absences.append(absence)
    return visits


# --- Writes --------------------------------------------------------------------------------


def _lock_person(person: StaffProfile) -> StaffProfile:
    """A locked copy: a booking for this person (visits.services) waits for this absence, and vice versa."""
    return StaffProfile.objects.select_for_update(no_key=True, of=("self",)).select_related("user").get(pk=person.pk)


def _validate(*, person: StaffProfile, kind: str, starts_at: dt.datetime, ends_at: dt.datetime, note: str) -> str:
    errors: dict[str, str] = {}
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("absences need timezone-aware datetimes")
    if person.role not in VISITING_ROLES:
        errors["person"] = _("Absences are recorded for artists and nurses.")
    if kind not in AbsenceKind.values:
        errors["kind"] = _("Choose sick leave, holiday or training.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("Keep the note under %(max)d characters.") % {"max": NOTE_MAX_LENGTH}
    if not within_date_window(starts_at) or not within_date_window(ends_at - dt.timedelta(microseconds=1)):
        errors["starts_at"] = date_window_message()
    elif ends_at <= starts_at:
        errors["ends_at"] = _("The absence must end after it starts.")
    elif ends_at <= timezone.now():
        errors["ends_at"] = _("This absence would already be over.")
    if errors:
        raise ValidationError(errors)
    return note


def _notify_on_commit(absence: StaffAbsence) -> None:
    """E-mail the team's coordinators once committed, if the absence touches visits; never blocking the save."""
    from .tasks import send_absence_notifications

    enqueue_on_commit(
        send_absence_notifications, absence_ids=[absence.pk],
        later="the periodic resend (visits.tasks.resend_unsent_absence_notifications) will send the e-mail",
    )


@transaction.atomic
def record_absence(
    *, person: StaffProfile, kind: str, starts_at: dt.datetime, ends_at: dt.datetime, all_day: bool = False,
    note: str = "", by,
) -> StaffAbsence:
    """Record that `person` is away from `starts_at` to `ends_at`; raise before anything is kept.

    Who may: a coordinator of one of the person's teams or an administrator
    (any kind), or the person themself for sick leave. Refuses non-visiting
    roles, unknown kinds, an end before the start or already past, and an
    absence overlapping another of the person's (the database decides that).
    After commit the team's coordinators are e-mailed if visits are affected.
    """
    if not policy(by).absence_record_access(person, kind):
        raise PermissionDenied
    person = _lock_person(person)
    note = _validate(person=person, kind=kind, starts_at=starts_at, ends_at=ends_at, note=note)
    try:
        with transaction.atomic():
            absence = StaffAbsence.objects.create(
                person=person, kind=kind, starts_at=starts_at, ends_at=ends_at, all_day=all_day, note=note, created_by=by,
            )
    except IntegrityError as error:
        if getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) != "staffabsence_person_no_overlap":
            raise
        other = StaffAbsence.objects.active().overlapping(starts_at, ends_at).filter(person=person).first()
        raise ValidationError({"starts_at": _("%(person)s is already absent %(when)s (%(kind)s).") % {
            "person": person.display_name, "when": absence_period(other) if other else "",
            "kind": other.get_kind_display() if other else "",
        }}) from error
    _notify_on_commit(absence)
    return absence


def _locked(absence: StaffAbsence, by) -> StaffAbsence:
    if not policy(by).absence_manager_access(absence):
        raise PermissionDenied
    absence = StaffAbsence.objects.select_for_update(of=("self",)).select_related("person__user").get(pk=absence.pk)
    if absence.is_withdrawn:
        raise ValidationError({"__all__": _("This absence has been withdrawn.")})
    return absence


@transaction.atomic
def shorten_absence(*, absence: StaffAbsence, ends_at: dt.datetime, by) -> StaffAbsence:
    """Move the end earlier (the person is back sooner); the visits after the new end are no longer affected."""
    absence = _locked(absence, by)
    if timezone.is_naive(ends_at):
        raise ValueError("absences need timezone-aware datetimes")
    if ends_at <= absence.starts_at:
        raise ValidationError({"ends_at": _("The absence must end after it starts; withdraw it instead.")})
    if ends_at >= absence.ends_at:
        raise ValidationError({"ends_at": _("Shortening moves the end earlier than %(when)s.") % {
            "when": absence_period(absence),
        }})
    absence.ends_at = ends_at
    absence.save(update_fields=["ends_at"])
    return absence


@transaction.atomic
def withdraw_absence(*, absence: StaffAbsence, by) -> StaffAbsence:
    """Withdraw an absence recorded by mistake: it is kept, marked withdrawn, and flags nothing any more."""
    absence = _locked(absence, by)
    absence.withdrawn_at, absence.withdrawn_by = timezone.now(), by
    absence.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return absence


def affected_by_person(absences: Iterable[StaffAbsence]) -> dict[int, list[Visit]]:
    """Per absence, its affected visits with their people (one query for all the absences)."""
    absences = [absence for absence in absences if not absence.is_withdrawn]
    result: dict[int, list[Visit]] = defaultdict(list)
    if not absences:
        return result
    start, end = min(a.starts_at for a in absences), max(a.ends_at for a in absences)
    visits = list(
        Visit.objects.active().between(start, end)
        .filter(participants__staff_id__in={a.person_id for a in absences})
        .annotate(absent_staff_id=F("participants__staff_id"))
        .with_people().order_by("starts_at", "pk")
    )
    for absence in absences:
        result[absence.pk] = [
            v for v in visits
            if v.absent_staff_id == absence.person_id and v.starts_at < absence.ends_at and v.ends_at > absence.starts_at
        ]
    return result
