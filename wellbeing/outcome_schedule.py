"""When a client's outcome measurements are due, and who sees that (docs/outcome-measurements.md).

A client's baseline is due before their first paired visit: it may still be
recorded at that visit (that is what the nurse's button on the visit page is
for) and becomes overdue once the visit has ended. The follow-up is due
`Instrument.follow_up_weeks` after the baseline, within a window: it opens
FOLLOW_UP_OPENS_BEFORE before the due day and is overdue
FOLLOW_UP_GRACE after it. A follow-up recorded before the window opened
does not count as the scheduled one.

`measurement_schedules` computes this for any number of clients in one
query; `schedule_of` is the pure rule behind it, tested on its own.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db import models
from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from access.policy import Access, policy
from visits.models import Visit, VisitStatus

from . import metrics
from .models import SurveyResponse, TimePoint

FOLLOW_UP_OPENS_BEFORE = dt.timedelta(weeks=1)
FOLLOW_UP_GRACE = dt.timedelta(weeks=2)

# The visits that count as the client's paired visits: those that happened or
# are still planned (a cancelled, declined or missed visit did not start the work).
PAIRED_VISIT_STATUSES = (VisitStatus.PLANNED, VisitStatus.COMPLETED)



class DueStatus(models.TextChoices):
    UPCOMING = "upcoming", _("not due yet")
    DUE = "due", _("due")
    OVERDUE = "overdue", _("overdue")
    DONE = "done", _("done")


ACTION_NEEDED = (DueStatus.DUE, DueStatus.OVERDUE)


@dataclass(frozen=True)
class Measurement:
    """One time point of one client: its status, the day it is due and the day it was done."""

    time_point: str
    status: str
    due_on: dt.date | None
    opens_on: dt.date | None = None
    done_on: dt.date | None = None

    @property
    def needs_action(self) -> bool:
        return self.status in ACTION_NEEDED

    @property
    def time_point_label(self) -> str:
        return TimePoint(self.time_point).label

    @property
    def status_label(self) -> str:
        return DueStatus(self.status).label


@dataclass(frozen=True)
class MeasurementSchedule:
    """A client's baseline and follow-up; `baseline` is None while no paired visit is planned."""

    client: Client
    baseline: Measurement | None
    follow_up: Measurement | None
    next_visit_starts: dt.datetime | None = None
    responsible_nurse_id: int | None = None

    @property
    def measurements(self) -> list[Measurement]:
        return [m for m in (self.baseline, self.follow_up) if m is not None]

    @property
    def next_action(self) -> Measurement | None:
        """The measurement to record now (due or overdue), if any."""
        return next((m for m in self.measurements if m.needs_action), None)


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def schedule_of(
    *,
    client: Client,
    first_visit_starts: dt.datetime | None,
    first_visit_ends: dt.datetime | None,
    baseline_at: dt.datetime | None,
    follow_up_weeks: int | None,
    latest_follow_up_at: dt.datetime | None,
    now: dt.datetime,
) -> MeasurementSchedule:
    """The rule of this module for one client, from the facts the query gathers."""
    today = timezone.localdate(now)
    if baseline_at is None:
        if first_visit_starts is None:
            return MeasurementSchedule(client, None, None)
        status = DueStatus.DUE if now < first_visit_ends else DueStatus.OVERDUE
        return MeasurementSchedule(client, Measurement(TimePoint.BASELINE, status, _local_day(first_visit_starts)), None)
    baseline_day = _local_day(baseline_at)
    baseline = Measurement(TimePoint.BASELINE, DueStatus.DONE, None, done_on=baseline_day)
    # Calendar days, not hours: a follow-up is due on a day, whatever the clocks did in between.
    due_on = baseline_day + dt.timedelta(weeks=follow_up_weeks)
    opens_on = due_on - FOLLOW_UP_OPENS_BEFORE
    done_on = _local_day(latest_follow_up_at)
    if done_on is not None and done_on >= opens_on:
        status = DueStatus.DONE
    elif today < opens_on:
        status = DueStatus.UPCOMING
    elif today <= due_on + FOLLOW_UP_GRACE:
        status = DueStatus.DUE
    else:
        status = DueStatus.OVERDUE
    follow_up = Measurement(
        TimePoint.FOLLOW_UP, status, due_on, opens_on=opens_on, done_on=done_on if status == DueStatus.DONE else None
    )
    return MeasurementSchedule(client, baseline, follow_up)


def _annotated(clients: QuerySet[Client], now: dt.datetime) -> QuerySet[Client]:
    paired = Visit.objects.filter(client=OuterRef("pk"), status__in=PAIRED_VISIT_STATUSES)
    first_visit = paired.order_by("starts_at")
    next_visit = paired.filter(status=VisitStatus.PLANNED, ends_at__gte=now).order_by("starts_at")
    last_visit = paired.filter(starts_at__lt=now).order_by("-starts_at")
    responses = SurveyResponse.objects.filter(client=OuterRef("pk"), instrument__code=metrics.CLIENT_OUTCOME)
    baseline = responses.filter(time_point=TimePoint.BASELINE).order_by("submitted_at")
    latest_follow_up = (
        responses.filter(time_point=TimePoint.FOLLOW_UP).values("client").annotate(latest=Max("submitted_at"))
    )
    return clients.annotate(
        first_visit_starts=Subquery(first_visit.values("starts_at")[:1]),
        first_visit_ends=Subquery(first_visit.values("ends_at")[:1]),
        baseline_at=Subquery(baseline.values("submitted_at")[:1]),
        baseline_follow_up_weeks=Subquery(baseline.values("instrument__follow_up_weeks")[:1]),
        latest_follow_up_at=Subquery(latest_follow_up.values("latest")[:1]),
        next_visit_starts=Subquery(next_visit.values("starts_at")[:1]),
        # The nurse who is reminded: the one of the next planned visit, else of the latest one.
        responsible_nurse_id=Coalesce(
            Subquery(next_visit.values("pair__nurse_id")[:1]), Subquery(last_visit.values("pair__nurse_id")[:1])
        ),
    )


def measurement_schedules(clients: QuerySet[Client], *, now: dt.datetime | None = None) -> list[MeasurementSchedule]:
    """The schedule of each active, consenting client in `clients`, in the queryset's order; one query."""
    now = now or timezone.now()
    rows = _annotated(clients.filter(archived_at__isnull=True, consent_given=True).select_related("team"), now)
    return [
        _with_visits(schedule_of(
            client=row,
            first_visit_starts=row.first_visit_starts,
            first_visit_ends=row.first_visit_ends,
            baseline_at=row.baseline_at,
            follow_up_weeks=row.baseline_follow_up_weeks,
            latest_follow_up_at=row.latest_follow_up_at,
            now=now,
        ), row)
        for row in rows
    ]


def _with_visits(schedule: MeasurementSchedule, row: Client) -> MeasurementSchedule:
    return replace(schedule, next_visit_starts=row.next_visit_starts, responsible_nurse_id=row.responsible_nurse_id)


def needing_action(clients: QuerySet[Client], *, now: dt.datetime | None = None) -> list[MeasurementSchedule]:
    """Only the clients with a measurement due or overdue, the most urgent first (overdue, then by due day)."""
    pending = [s for s in measurement_schedules(clients, now=now) if s.next_action is not None]
    return sorted(
        pending,
        key=lambda s: (s.next_action.status != DueStatus.OVERDUE, s.next_action.due_on, s.client.last_name, s.client.pk),
    )


def with_paired_visits(clients: QuerySet[Client]) -> QuerySet[Client]:
    """Narrow a list to clients who have (or had) a paired visit: only they can have a measurement due."""
    return clients.filter(Exists(Visit.objects.filter(client=OuterRef("pk"), status__in=PAIRED_VISIT_STATUSES)))


def schedule_access(user, client: Client) -> Access:
    """Who follows this client's measurement schedule (access.policy decides)."""
    return policy(user).measurement_schedule_access(client)


def schedule_clients(user) -> QuerySet[Client]:
    """The clients whose schedules this user follows: a nurse's visited clients, a coordinator's team's."""
    if not policy(user).follows_measurement_schedules:
        return Client.objects.none()
    return Client.objects.visible_to(user)
