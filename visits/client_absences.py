"""Client absences: the client is in hospital, in respite care or travelling, so no visits then.

The writes a coordinator makes, in the style of visits.services:

* `record_client_absence` – keep the period and cancel the client's planned
  visits in it, remembering exactly which (`AbsenceCancellation`);
* `shorten_client_absence` – a later start or an earlier end; the visits it had
  cancelled that now fall outside it are restored;
* `withdraw_client_absence` – the whole absence is void; every visit it
  cancelled is restored.

A visit is restored only if the client and both people are still free then
(the exclusion constraints decide), the pair still works that day, the visit
has not started and no other absence of the client covers it; otherwise it
stays cancelled and is reported with the reason. Visits cancelled by hand or
by another absence are never touched. Series stay as they are.

Least data: the visits get the reason "The client is away", never the kind
or the reason of the absence (that is for coordinators, on the client page).
While an absence holds, booking the client then is refused
(visits.conflicts.refuse_when_client_away, a SchedulingConflict: 409 in the API).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.choices import ObjectType
from access.log import log_access
from access.models import AccessLog
from access.policy import policy
from clients.models import Client
from pairwork.limits import REASON_MAX_LENGTH, date_window_message
from pairwork.timing import local_midnight, within_date_window

from .absences import absence_clashes
from .conflicts import SchedulingConflict, format_local_range, translate_overlap_errors
from .models import AbsenceCancellation, ClientAbsence, Visit, VisitEvent, VisitStatus
from .services import _notify_on_commit, mark_cancelled

__all__ = [
    "AbsenceResult", "Unrestored", "absence_bounds", "record_client_absence", "shorten_client_absence",
    "withdraw_client_absence",
]


@dataclass(frozen=True)
class Unrestored:
    """A visit the absence had cancelled that could not be given back, and why."""

    visit: Visit
    reasons: tuple[str, ...]

    @property
    def when(self) -> str:
        return format_local_range(self.visit.starts_at, self.visit.ends_at)


@dataclass
class AbsenceResult:
    absence: ClientAbsence
    cancelled: list[Visit] = field(default_factory=list)
    restored: list[Visit] = field(default_factory=list)
    unrestored: list[Unrestored] = field(default_factory=list)


def absence_bounds(starts_on: dt.date, ends_on: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The absence as moments: local midnight of the first day to local midnight after the last."""
    return local_midnight(starts_on), local_midnight(ends_on + dt.timedelta(days=1))


def visit_reason() -> str:
    """What the visit and its pair are told: that the client is away, nothing more (least data)."""
    return _("The client is away.")


def _validate(*, kind: str, starts_on, ends_on, reason: str) -> str:
    errors: dict[str, str] = {}
    if kind not in ClientAbsence.Kind.values:
        errors["kind"] = _("Choose the kind of absence.")
    if starts_on is None:
        errors["starts_on"] = _("Give the first day of the absence.")
    if ends_on is None:
        errors["ends_on"] = _("Give the last day of the absence.")
    if starts_on is not None and ends_on is not None:
        if not (within_date_window(local_midnight(starts_on)) and within_date_window(local_midnight(ends_on))):
            errors["starts_on"] = date_window_message()
        elif ends_on < starts_on:
            errors["ends_on"] = _("The last day is before the first day.")
        elif ends_on < timezone.localdate():
            errors["ends_on"] = _("This absence would already be over. Give today or a later day.")
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = _("At most %(max)d characters.") % {"max": REASON_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    return reason


def _lock_client(client: Client) -> Client:
    """The same lock a booking takes (visits.services._lock): an absence and a booking never cross."""
    return Client.objects.select_for_update(no_key=True).select_related("team").get(pk=client.pk)


@transaction.atomic
def record_client_absence(
    *, client: Client, kind: str, starts_on: dt.date, ends_on: dt.date, reason: str = "", by, channel: str | None = None,
) -> AbsenceResult:
    """Record that `client` is away from `starts_on` to `ends_on` (whole days) and cancel their visits then.

    Only planned visits that have not ended are cancelled, each with a
    history event; both people of each are e-mailed after commit. Refuses an
    overlap with another absence of the client (shorten or withdraw it first).
    """
    access = policy(by).require_manager(client.team_id)
    reason = _validate(kind=kind, starts_on=starts_on, ends_on=ends_on, reason=reason)
    client = _lock_client(client)
    if client.archived_at is not None:
        raise ValidationError({"__all__": _("This client is archived.")})
    overlapping = ClientAbsence.objects.filter(
        client=client, withdrawn_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if overlapping is not None:
        raise ValidationError({"starts_on": _("The client already has an absence %(period)s; change that one instead.") % {
            "period": f"{overlapping.starts_on:%-d.%-m.%Y}–{overlapping.ends_on:%-d.%-m.%Y}",
        }})
    absence = ClientAbsence.objects.create(
        client=client, kind=kind, starts_on=starts_on, ends_on=ends_on, reason=reason, created_by=by
    )
    start, end = absence_bounds(starts_on, ends_on)
    visits = list(
        Visit.objects.filter(client=client, status=VisitStatus.PLANNED, starts_at__lt=end, ends_at__gt=max(start, timezone.now()))
        .select_for_update(of=("self",)).order_by("starts_at")
    )
    events = mark_cancelled(visits, reason=visit_reason(), by=by)
    AbsenceCancellation.objects.bulk_create([AbsenceCancellation(absence=absence, visit=visit) for visit in visits])
    log_access(user=by, client_id=client.pk, object_type=ObjectType.CLIENT, object_id=client.pk,
               action=AccessLog.Action.CREATE, access=access, channel=channel)
    _notify_on_commit(event.pk for event in events)
    return AbsenceResult(absence=absence, cancelled=visits)


def _restore(*, absence: ClientAbsence, cancellations: list[AbsenceCancellation], by) -> AbsenceResult:
    """Give back the visits of these cancellations where everyone is still free; report the others."""
    result = AbsenceResult(absence=absence)
    visits = {
        visit.pk: visit for visit in Visit.objects.filter(pk__in=[c.visit_id for c in cancellations])
        .select_for_update(of=("self",)).with_people()
    }
    other_absences = list(
        ClientAbsence.objects.filter(client_id=absence.client_id, withdrawn_at__isnull=True).exclude(pk=absence.pk)
    )
    now, events = timezone.now(), []
    why = visit_reason()
    for cancellation in sorted(cancellations, key=lambda c: visits[c.visit_id].starts_at):
        visit = visits[cancellation.visit_id]
        day = timezone.localdate(visit.starts_at)
        problems = []
        if visit.status != VisitStatus.CANCELLED:
            continue  # not cancelled any more: nothing to give back
        if absence.client.archived_at is not None:
            problems.append(_("This client is archived."))
        elif visit.starts_at < now:
            problems.append(_("The visit's time has already passed."))
        elif not visit.pair.is_active_on(day):
            problems.append(_("The pair no longer works on that day."))
        elif any(other.starts_on <= day <= other.ends_on for other in other_absences):
            problems.append(_("Another absence of the client covers that day."))
        else:
            problems.extend(clash.message for clash in absence_clashes([visit.artist, visit.nurse], visit.starts_at, visit.ends_at))
        if not problems:
            try:
                with translate_overlap_errors(
                    viewer=by, client=absence.client, staff=[visit.pair.artist, visit.pair.nurse],
                    starts_at=visit.starts_at, ends_at=visit.ends_at, exclude_visit_ids=[visit.pk],
                ):
                    visit.status, visit.cancellation_reason = VisitStatus.PLANNED, ""
                    visit.save(update_fields=["status", "cancellation_reason", "updated_at"])
            except SchedulingConflict as conflict:
                visit.status, visit.cancellation_reason = VisitStatus.CANCELLED, why
                problems.extend(conflict.messages)
        if problems:
            result.unrestored.append(Unrestored(visit=visit, reasons=tuple(problems)))
            continue
        cancellation.restored_at = now
        cancellation.save(update_fields=["restored_at"])
        events.append(VisitEvent(
            visit=visit, kind=VisitEvent.Kind.RESTORED, starts_at=visit.starts_at, ends_at=visit.ends_at,
            status=visit.status, reason=_("The client's absence was shortened or withdrawn."), by=by,
        ))
        result.restored.append(visit)
    events = VisitEvent.objects.bulk_create(events)
    _notify_on_commit(event.pk for event in events)
    return result


def _absence_to_change(absence: ClientAbsence, by):
    access = policy(by).require_manager(absence.client.team_id)
    _lock_client(absence.client)
    absence = ClientAbsence.objects.select_for_update().select_related("client").get(pk=absence.pk)
    if absence.withdrawn_at is not None:
        raise ValidationError({"__all__": _("This absence has already been withdrawn.")})
    return absence, access


@transaction.atomic
def shorten_client_absence(
    *, absence: ClientAbsence, starts_on: dt.date, ends_on: dt.date, by, channel: str | None = None,
) -> AbsenceResult:
    """Make the absence shorter (a later first day and/or an earlier last day) and restore what falls outside.

    Lengthening is refused: record a new absence for the extra days instead,
    so that what each absence cancelled stays exact.
    """
    absence, access = _absence_to_change(absence, by)
    _validate(kind=absence.kind, starts_on=starts_on, ends_on=ends_on, reason=absence.reason)
    if starts_on < absence.starts_on or ends_on > absence.ends_on:
        raise ValidationError({"ends_on": _(
            "An absence can only be shortened here. Record a new absence for more days."
        )})
    absence.starts_on, absence.ends_on = starts_on, ends_on
    absence.save(update_fields=["starts_on", "ends_on"])
    start, end = absence_bounds(starts_on, ends_on)
    outside = [
        c for c in absence.cancellations.filter(restored_at__isnull=True).select_related("visit")
        if not (c.visit.starts_at < end and c.visit.ends_at > start)
    ]
    result = _restore(absence=absence, cancellations=outside, by=by)
    log_access(user=by, client_id=absence.client_id, object_type=ObjectType.CLIENT, object_id=absence.client_id,
               action=AccessLog.Action.UPDATE, access=access, channel=channel)
    return result


@transaction.atomic
def withdraw_client_absence(*, absence: ClientAbsence, by, channel: str | None = None) -> AbsenceResult:
    """The client is not away after all: void the absence and restore every visit it cancelled that still can be."""
    absence, access = _absence_to_change(absence, by)
    absence.withdrawn_at = timezone.now()
    absence.save(update_fields=["withdrawn_at"])
    result = _restore(absence=absence, cancellations=list(absence.cancellations.filter(restored_at__isnull=True)), by=by)
    log_access(user=by, client_id=absence.client_id, object_type=ObjectType.CLIENT, object_id=absence.client_id,
               action=AccessLog.Action.UPDATE, access=access, channel=channel)
    return result
