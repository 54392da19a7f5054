"""Scheduling joint visits: every write a coordinator makes to the calendar.

One keyword-only, atomic function per use case; forms, views, the API and
the admin call these and nothing else writes visits:

* `schedule_visit`  – one visit for a client with a pair;
* `schedule_series` – weekly recurrence; free occurrences are created, taken
  ones are skipped and reported (who was busy when);
* `reschedule_visit` – move one visit, or it and the rest of its series;
* `cancel_visit`     – cancel one visit, or it and the rest of its series.

Errors, all raised before anything is kept (the transaction rolls back):

* `PermissionDenied` – `by` does not manage the team of the client/pair;
* `ValidationError`  – bad input, keyed by field ("client", "pair",
  "starts_at", "ends_at", "reason", "interval_weeks", "until", "count");
* `SchedulingConflict` – the database refused a double booking, or one of the
  pair is absent then (visits.absences); carries who is busy and when (see
  visits.conflicts).

Recurrence: a clash on one occurrence, or an absence of either person, is not
an error but a reported skip (`SkippedOccurrence`, reason BUSY or ABSENT); a validation error or any unexpected exception rolls
the whole series back, so a series is never half-created. Moving or
cancelling "the rest of the series" is all-or-nothing: one clash refuses the
whole move, naming the busy person.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.choices import ObjectType
from access.log import log_access
from access.models import AccessLog
from access.policy import Access, policy
from clients.models import Client
from pairwork.jobs import enqueue_on_commit
from pairwork.models import Role, StaffProfile, WorkPair

from .absences import absence_clashes
from .conflicts import Clash, SchedulingConflict, refuse_when_client_away, translate_overlap_errors
from .models import SkippedOccurrence, Visit, VisitEvent, VisitParticipant, VisitSeries, VisitStatus
from pairwork.limits import LATEST_DATE, MAX_DURATION, MAX_INTERVAL_WEEKS, MAX_OCCURRENCES, MIN_DURATION, date_window_message
from .recurrence import Occurrence, local_datetime, weekly_occurrences
from pairwork.timing import AmbiguousLocalTime, end_after, local_time_problem, real_duration, within_date_window

__all__ = [
    "Clash", "SchedulingConflict", "Scope", "SeriesResult",
    "schedule_visit", "schedule_series", "reschedule_visit", "cancel_visit", "record_conflict_disclosure",
]


class Scope(models.TextChoices):
    THIS = "this", gettext_lazy("Only this visit")
    FOLLOWING = "following", gettext_lazy("This and the rest of the series")


@dataclass
class SeriesResult:
    """What `schedule_series` did, occurrence by occurrence."""

    series: VisitSeries
    created: list[Visit] = field(default_factory=list)
    skipped: list[SkippedOccurrence] = field(default_factory=list)


# --- Who may, and what is valid ---------------------------------------------------------


def _manager_access(by, team_id: int) -> Access:
    """Coordinators act on their own teams only; administrators on all; nobody else schedules."""
    return policy(by).require_manager(team_id)


def _require_aware(*moments: dt.datetime) -> None:
    if any(timezone.is_naive(moment) for moment in moments):
        raise ValueError("scheduling needs timezone-aware datetimes")


def _validate_client(client: Client) -> dict[str, str]:
    if client.archived_at is not None:
        return {"client": _("This client is archived; visits can no longer be scheduled.")}
    if not client.consent_given:
        return {"client": _(
            "The client's consent has not been recorded. Record the consent on the client's page before scheduling visits."
        )}
    return {}


def _validate_slot(*, client: Client, pair: WorkPair, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """Everything about one booking except whether the time is free (the database decides that)."""
    _require_aware(starts_at, ends_at)
    errors = _validate_client(client)
    duration = real_duration(starts_at, ends_at)  # absolute time, across a clock change too
    if duration < MIN_DURATION or duration > MAX_DURATION:
        errors["ends_at"] = _("A visit lasts from 15 minutes to 8 hours.")
    if not within_date_window(starts_at):
        errors["starts_at"] = date_window_message()
        raise ValidationError(errors)
    if starts_at < timezone.now():
        errors["starts_at"] = _("This time is in the past.")
    if pair.team_id != client.team_id:
        errors["pair"] = _("This pair works in another team than the client's.")
    elif not pair.is_active_on(timezone.localdate(starts_at)):
        errors["pair"] = _("This pair is not working on %(day)s.") % {"day": date_format(timezone.localdate(starts_at), "j.n.Y")}
    if errors:
        raise ValidationError(errors)


def _lock(client: Client, pair: WorkPair) -> tuple[Client, WorkPair]:
    """Fresh, locked copies: archiving the client or ending the pair waits for this booking, and vice versa.

    The pair's two people are locked too (in id order), so recording an
    absence for one of them (visits.absences) waits for this booking, and a
    booking waits for a new absence to commit before checking it.
    """
    client = Client.objects.select_for_update(no_key=True).select_related("team").get(pk=client.pk)
    pair = WorkPair.objects.select_for_update(no_key=True, of=("self",)).with_people().get(pk=pair.pk)
    list(StaffProfile.objects.select_for_update(no_key=True).filter(pk__in=[pair.artist_id, pair.nurse_id]).order_by("pk")
         .values_list("pk", flat=True))
    return client, pair


def _refuse_absent(*, pair: WorkPair, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """A SchedulingConflict naming the absent person and the absence period, if either is away then."""
    clashes = absence_clashes([pair.artist, pair.nurse], starts_at, ends_at)
    if clashes:
        raise SchedulingConflict(starts_at=starts_at, ends_at=ends_at, clashes=clashes)


# --- Writes -------------------------------------------------------------------------------


def _book(
    *, client: Client, pair: WorkPair, occurrence: Occurrence, by, series: VisitSeries | None
) -> tuple[Visit, VisitEvent]:
    """Insert the visit and its two participants; the exclusion constraints have the last word.

    A client away then (visits.ClientAbsence) is refused first, as a conflict.
    """
    refuse_when_client_away(client=client, starts_at=occurrence.starts_at, ends_at=occurrence.ends_at)
    with translate_overlap_errors(
        viewer=by, client=client, staff=[pair.artist, pair.nurse],
        starts_at=occurrence.starts_at, ends_at=occurrence.ends_at,
    ):
        visit = Visit.objects.create(
            client=client, pair=pair, series=series,
            starts_at=occurrence.starts_at, ends_at=occurrence.ends_at, created_by=by,
        )
        VisitParticipant.objects.bulk_create([
            VisitParticipant(visit=visit, staff=pair.artist, role=Role.ARTIST),
            VisitParticipant(visit=visit, staff=pair.nurse, role=Role.NURSE),
        ])
    event = VisitEvent.objects.create(
        visit=visit, kind=VisitEvent.Kind.SCHEDULED, starts_at=visit.starts_at, ends_at=visit.ends_at,
        status=visit.status, by=by,
    )
    return visit, event


def _notify_on_commit(event_ids: Iterable[int]) -> None:
    """E-mail both pair members once the change is committed; never before, never blocking the save."""
    from .tasks import send_visit_notifications

    event_ids = list(event_ids)
    if event_ids:
        # If the broker is down the visit is still saved and the user sees it
        # saved; the periodic reconcile sends the e-mail later.
        enqueue_on_commit(
            send_visit_notifications, event_ids=event_ids, later="the periodic resend (visits.tasks.resend_unsent_visit_notifications) will send the e-mail"
        )


@transaction.atomic
def schedule_visit(
    *, client: Client, pair: WorkPair, starts_at: dt.datetime, ends_at: dt.datetime, by, channel: str | None = None
) -> Visit:
    """Book one joint visit of `pair` to `client`, or raise before anything is kept.

    Refuses clients without recorded consent and archived clients, pairs of
    another team or not working that day, past times and durations outside
    15 min–8 h. Writes the visit, both participants and a history event, logs
    the change of client data, and e-mails the pair after commit.
    """
    access = _manager_access(by, client.team_id)
    client, pair = _lock(client, pair)
    _validate_slot(client=client, pair=pair, starts_at=starts_at, ends_at=ends_at)
    _refuse_absent(pair=pair, starts_at=starts_at, ends_at=ends_at)
    visit, event = _book(client=client, pair=pair, occurrence=Occurrence(starts_at, ends_at), by=by, series=None)
    log_access(user=by, client_id=client.pk, object_type=ObjectType.VISIT, object_id=visit.pk,
               action=AccessLog.Action.CREATE, access=access, channel=channel)
    _notify_on_commit([event.pk])
    return visit


def _validate_series(
    *, first: Occurrence, interval_weeks: int, until: dt.date | None, count: int | None
) -> list[Occurrence]:
    errors: dict[str, str] = {}
    if not 1 <= interval_weeks <= MAX_INTERVAL_WEEKS:
        errors["interval_weeks"] = _("Repeat every 1 to %(max)d weeks.") % {"max": MAX_INTERVAL_WEEKS}
    if until is None and count is None:
        errors["until"] = _("Give an end date or a number of visits.")
    if until is not None and until < timezone.localdate(first.starts_at):
        errors["until"] = _("The end date is before the first visit.")
    elif until is not None and until > LATEST_DATE:
        errors["until"] = date_window_message()
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        errors["count"] = _("A series has 1 to %(max)d visits.") % {"max": MAX_OCCURRENCES}
    if errors:
        raise ValidationError(errors)
    occurrences = weekly_occurrences(
        first_starts_at=first.starts_at, duration=real_duration(first.starts_at, first.ends_at),
        interval_weeks=interval_weeks, until=until, count=count,
    )
    if len(occurrences) > MAX_OCCURRENCES:
        raise ValidationError({"until": _(
            "That would be more than %(max)d visits; choose an earlier end date."
        ) % {"max": MAX_OCCURRENCES}})
    return occurrences


@transaction.atomic
def schedule_series(
    *,
    client: Client,
    pair: WorkPair,
    first_starts_at: dt.datetime,
    duration: dt.timedelta,
    interval_weeks: int = 1,
    until: dt.date | None = None,
    count: int | None = None,
    by,
    channel: str | None = None,
) -> SeriesResult:
    """Book a weekly series on the Helsinki wall clock; report each occurrence created or skipped.

    The first occurrence is validated like `schedule_visit` (consent, team,
    past, duration). An occurrence that clashes, or that falls after the
    pair's last working day, is skipped and recorded with the reason; any
    other error rolls the whole series back.
    """
    access = _manager_access(by, client.team_id)
    client, pair = _lock(client, pair)
    first = Occurrence(first_starts_at, end_after(first_starts_at, duration))
    _validate_slot(client=client, pair=pair, starts_at=first.starts_at, ends_at=first.ends_at)
    occurrences = _validate_series(first=first, interval_weeks=interval_weeks, until=until, count=count)

    series = VisitSeries.objects.create(
        client=client, pair=pair, first_starts_at=first.starts_at,
        duration_minutes=int(duration.total_seconds() // 60),
        interval_weeks=interval_weeks, until=until, count=count, created_by=by,
    )
    result = SeriesResult(series=series)
    # The pair's absences over the whole series, in one query; each occurrence is checked against them.
    absence_clashes_in_series = absence_clashes(
        [pair.artist, pair.nurse], occurrences[0].starts_at, max(o.ends_at for o in occurrences)
    ) if occurrences else []
    events: list[VisitEvent] = []
    skipped: list[SkippedOccurrence] = []
    for occurrence in occurrences:
        if occurrence.problem is not None:
            # 10:00 stays 10:00 local; a local time the clocks skip or repeat that day is no one moment.
            skipped.append(SkippedOccurrence(
                series=series, starts_at=occurrence.starts_at, ends_at=occurrence.ends_at,
                reason=SkippedOccurrence.Reason.AMBIGUOUS_TIME if occurrence.problem is AmbiguousLocalTime
                else SkippedOccurrence.Reason.NONEXISTENT_TIME,
            ))
            continue
        if not pair.is_active_on(timezone.localdate(occurrence.starts_at)):
            skipped.append(SkippedOccurrence(
                series=series, starts_at=occurrence.starts_at, ends_at=occurrence.ends_at,
                reason=SkippedOccurrence.Reason.PAIR_ENDED,
            ))
            continue
        absent = [
            clash for clash in absence_clashes_in_series
            if clash.starts_at < occurrence.ends_at and clash.ends_at > occurrence.starts_at
        ]
        if absent:
            skipped.append(SkippedOccurrence(
                series=series, starts_at=occurrence.starts_at, ends_at=occurrence.ends_at,
                reason=SkippedOccurrence.Reason.ABSENT, clashes=[clash.to_record() for clash in absent],
            ))
            continue
        try:
            visit, event = _book(client=client, pair=pair, occurrence=occurrence, by=by, series=series)
        except SchedulingConflict as conflict:
            skipped.append(SkippedOccurrence(
                series=series, starts_at=occurrence.starts_at, ends_at=occurrence.ends_at,
                reason=SkippedOccurrence.Reason.BUSY, clashes=[clash.to_record() for clash in conflict.clashes],
            ))
            continue
        result.created.append(visit)
        events.append(event)
    result.skipped = SkippedOccurrence.objects.bulk_create(skipped)
    log_access(user=by, client_id=client.pk, object_type=ObjectType.VISIT_SERIES, object_id=series.pk,
               action=AccessLog.Action.CREATE, access=access, channel=channel)
    _notify_on_commit(event.pk for event in events)
    return result


def _scoped_visits(visit: Visit, scope: str) -> list[Visit]:
    """The visit, or it and the later planned visits of its series; locked, in time order."""
    visits = Visit.objects.filter(pk=visit.pk)
    if scope == Scope.FOLLOWING and visit.series_id:
        visits |= Visit.objects.filter(
            series_id=visit.series_id, starts_at__gt=visit.starts_at, status=VisitStatus.PLANNED
        )
    return list(visits.select_for_update(of=("self",)).select_related("client", "pair").order_by("starts_at"))


def _validate_change(*, visit: Visit, reason: str, not_planned: str) -> str:
    errors = {}
    if visit.status != VisitStatus.PLANNED:
        errors["__all__"] = not_planned % {"status": visit.get_status_display()}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give a reason; the pair and the history will show it.")
    if errors:
        raise ValidationError(errors)
    return reason


@transaction.atomic
def reschedule_visit(
    *, visit: Visit, starts_at: dt.datetime, ends_at: dt.datetime, reason: str, by, scope: str = Scope.THIS,
    channel: str | None = None,
) -> list[Visit]:
    """Move a planned visit (or it and the rest of its series) to a new time; history is kept.

    With scope FOLLOWING, every later planned visit of the series moves by the
    same number of days, to the same new local time and duration. One clash
    refuses the whole move with a SchedulingConflict.
    """
    access = _manager_access(by, visit.pair.team_id)
    # Lock in the same order as schedule_visit (client, pair, then visits).
    client, pair = _lock(visit.client, visit.pair)
    visits = _scoped_visits(visit, scope)
    anchor = next((v for v in visits if v.pk == visit.pk), None)
    if anchor is None:
        raise ValidationError({"__all__": _("This visit no longer exists.")})
    reason = _validate_change(
        visit=anchor, reason=reason, not_planned=_("Only planned visits can be moved. This visit's status: %(status)s.")
    )
    _validate_slot(client=client, pair=pair, starts_at=starts_at, ends_at=ends_at)

    day_shift = timezone.localdate(starts_at) - timezone.localdate(anchor.starts_at)
    wall_time, duration = timezone.localtime(starts_at).time(), real_duration(starts_at, ends_at)
    moves = []
    for each in visits:
        if each.pk == anchor.pk:
            new_start = starts_at
        else:
            new_day = timezone.localdate(each.starts_at) + day_shift
            problem = local_time_problem(new_day, wall_time)
            if problem is not None:
                raise ValidationError({"starts_at": _("%(problem)s (%(day)s, where a later visit would move.)") % {
                    "problem": problem.message, "day": date_format(new_day, "j.n.Y"),
                }})
            new_start = local_datetime(new_day, wall_time)
        moves.append((each, Occurrence(new_start, end_after(new_start, duration))))
    for each, occurrence in moves[1:]:
        if not pair.is_active_on(timezone.localdate(occurrence.starts_at)):
            raise ValidationError({"starts_at": _("The pair is not working on %(day)s, where a later visit would move.") % {
                "day": date_format(timezone.localdate(occurrence.starts_at), "j.n.Y"),
            }})
    for each, occurrence in moves:
        _refuse_absent(pair=pair, starts_at=occurrence.starts_at, ends_at=occurrence.ends_at)
    # Moving later: the last visit first, so no visit lands on a sibling that has not moved yet.
    if moves and moves[0][1].starts_at > moves[0][0].starts_at:
        moves.reverse()

    events = []
    for each, occurrence in moves:
        refuse_when_client_away(client=client, starts_at=occurrence.starts_at, ends_at=occurrence.ends_at)
    for each, occurrence in moves:
        previous = (each.starts_at, each.ends_at)
        with translate_overlap_errors(
            # Who actually takes part: a stand-in may have replaced a pair member (visits.standins).
            viewer=by, client=client, staff=[p.staff for p in each.participants.select_related("staff__user")],
            starts_at=occurrence.starts_at, ends_at=occurrence.ends_at, exclude_visit_ids=[each.pk],
        ):
            each.starts_at, each.ends_at = occurrence.starts_at, occurrence.ends_at
            each.save(update_fields=["starts_at", "ends_at", "updated_at"])
        events.append(VisitEvent(
            visit=each, kind=VisitEvent.Kind.RESCHEDULED, previous_starts_at=previous[0], previous_ends_at=previous[1],
            starts_at=each.starts_at, ends_at=each.ends_at, status=each.status, reason=reason, by=by,
        ))
    events = VisitEvent.objects.bulk_create(events)
    log_access(user=by, client_id=client.pk, object_type=ObjectType.VISIT, object_id=anchor.pk,
               action=AccessLog.Action.UPDATE, access=access, channel=channel)
    _notify_on_commit(event.pk for event in events)
    return sorted((each for each, _occurrence in moves), key=lambda v: v.starts_at)


def mark_cancelled(visits: list[Visit], *, reason: str, by) -> list[VisitEvent]:
    """Cancel these (locked, planned) visits with `reason` in one UPDATE and write a history event each.

    The caller checks who may and logs the access; e-mail the events with `_notify_on_commit`.
    """
    if not visits:
        return []
    now = timezone.now()
    Visit.objects.filter(pk__in=[visit.pk for visit in visits]).update(
        status=VisitStatus.CANCELLED, cancellation_reason=reason, updated_at=now
    )
    for visit in visits:
        visit.status, visit.cancellation_reason, visit.updated_at = VisitStatus.CANCELLED, reason, now
    return VisitEvent.objects.bulk_create([
        VisitEvent(visit=visit, kind=VisitEvent.Kind.CANCELLED, starts_at=visit.starts_at, ends_at=visit.ends_at,
                   status=visit.status, reason=reason, by=by)
        for visit in visits
    ])


@transaction.atomic
def cancel_visit(*, visit: Visit, reason: str, by, scope: str = Scope.THIS, channel: str | None = None) -> list[Visit]:
    """Cancel a planned visit (or it and the rest of its series) with a reason; the slot becomes free.

    The visits stay, marked cancelled, with a history event each.
    """
    access = _manager_access(by, visit.pair.team_id)
    visits = _scoped_visits(visit, scope)
    anchor = next((v for v in visits if v.pk == visit.pk), None)
    if anchor is None:
        raise ValidationError({"__all__": _("This visit no longer exists.")})
    reason = _validate_change(
        visit=anchor, reason=reason, not_planned=_("Only planned visits can be cancelled. This visit's status: %(status)s.")
    )
    events = mark_cancelled(visits, reason=reason, by=by)
    log_access(user=by, client_id=anchor.client_id, object_type=ObjectType.VISIT, object_id=anchor.pk,
               action=AccessLog.Action.UPDATE, access=access, channel=channel)
    _notify_on_commit(event.pk for event in events)
    return visits


def record_conflict_disclosure(*, by, conflict: SchedulingConflict, channel: str | None = None) -> None:
    """Log that a conflict message showed `by` the name of another client (docs/rules.md).

    Called by whoever displays the conflict, after the refused transaction
    has rolled back (a row written inside it would vanish with it).
    """
    access = policy(by).grounds
    for client_id in sorted(conflict.disclosed_client_ids):
        log_access(user=by, client_id=client_id, object_type=ObjectType.VISIT, action=AccessLog.Action.VIEW,
                   access=access, channel=channel)
