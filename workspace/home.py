"""Reads behind each role's home page: one selector per role, each a fixed number of queries.

The staff home shows visits and pending surveys, so it lives in workspace, above
visits and wellbeing (docs/rules.md "Layers")."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from access.choices import ObjectType
from access.log import log_listing
from access.policy import policy
from visits.absence_forms import ReportSickForm
from visits.absences import absence_period, flag_absences
from visits.links import with_page_urls
from visits.models import INACTIVE_STATUSES, OUTCOME_STATUSES, StaffAbsence, Visit, VisitNote
from wellbeing.selectors import pending_surveys

from pairwork.models import Team

UPCOMING_VISITS_SHOWN = 10
NEEDS_ATTENTION_SHOWN = 10


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware start and end of a calendar day in the current time zone (Europe/Helsinki).

    Midnight to midnight, so a day is 23 or 25 hours long when the clocks turn.
    """
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(day, dt.time.min, tzinfo=zone),
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def coordinator_home(*, user) -> dict:
    """The coordinator's own teams, each with the number of joint visits starting today."""
    starts, ends = local_day_bounds(timezone.localdate())
    today = Q(pairs__visits__starts_at__gte=starts, pairs__visits__starts_at__lt=ends) & ~Q(
        pairs__visits__status__in=INACTIVE_STATUSES
    )
    teams = list(policy(user).own_teams().annotate(visits_today=Count("pairs__visits", filter=today)).order_by("name"))
    flagged, flagged_count = needs_attention(user=user)
    return {
        "teams": teams, "visits_today_total": sum(team.visits_today for team in teams),
        "needs_attention": flagged, "needs_attention_count": flagged_count,
    }


def needs_attention(*, user, now: dt.datetime | None = None) -> tuple[list[Visit], int]:
    """The teams' visits not yet over whose artist or nurse is absent then: the first few, and how many.

    Two or three queries. No client names are shown (time, people, the absence), so no access-log rows.
    """
    now = now or timezone.now()
    absent = StaffAbsence.objects.active().filter(
        person__visit_participations__visit=OuterRef("pk"), starts_at__lt=OuterRef("ends_at"), ends_at__gt=OuterRef("starts_at"),
    )
    visits = (
        Visit.objects.visible_to(user).in_teams(policy(user).own_teams()).active().filter(ends_at__gt=now)
        .filter(Exists(absent)).select_related("pair__artist__user", "pair__nurse__user").order_by("starts_at", "pk")
    )
    shown = list(visits[:NEEDS_ATTENTION_SHOWN])
    count = len(shown) if len(shown) < NEEDS_ATTENTION_SHOWN else visits.count()
    return with_page_urls(flag_absences(shown)), count


def staff_home(*, user, now: dt.datetime | None = None) -> dict:
    """An artist's or nurse's own visits: today's, then the next few.

    A visit of today stays after it has ended until its outcome is recorded
    and the person's own note is written (`has_my_note`, `to_do`), so the day's
    paperwork is where the day is.
    """
    profile = user.staff_profile
    now = now or timezone.now()
    start_of_today, end_of_today = local_day_bounds(timezone.localdate(now))
    mine = Visit.objects.active().with_people().order_by("starts_at")
    my_note = VisitNote.objects.filter(participant__visit=OuterRef("pk"), participant__staff=profile)
    today = list(
        mine.for_staff_between(profile, start_of_today, end_of_today)
        .filter(Q(starts_at__gte=start_of_today) | Q(ends_at__gte=now), starts_at__lt=end_of_today)
        .annotate(has_my_note=Exists(my_note))
        .exclude(ends_at__lt=now, status__in=OUTCOME_STATUSES, has_my_note=True)
    )
    for visit in today:
        begun = visit.starts_at <= now
        visit.needs_outcome = begun and visit.status not in OUTCOME_STATUSES
        visit.needs_note = begun and not visit.has_my_note
    upcoming = list(mine.for_staff_between(profile, end_of_today).filter(starts_at__gte=end_of_today)[:UPCOMING_VISITS_SHOWN])
    my_absence = StaffAbsence.objects.active().filter(person=profile, ends_at__gt=now).order_by("starts_at").first()
    # The cards name each visit's client: a list read of each one shown.
    log_listing(user=user, client_ids=[visit.client_id for visit in today + upcoming], object_type=ObjectType.VISIT)
    return {
        "today_visits": today,
        "upcoming_visits": upcoming,
        "pending_surveys": pending_surveys(user.staff_profile),
        "my_absence": my_absence,
        "my_absence_period": absence_period(my_absence) if my_absence else "",
        "form": ReportSickForm(),
    }


def manager_home(*, user) -> dict:
    """The teams whose aggregates the manager may see."""
    profile = user.staff_profile
    teams = Team.objects.all() if profile.organisation_wide else profile.teams.all()
    return {"teams": list(teams.order_by("name"))}


def administrator_home(*, user) -> dict:
    """How many active accounts still wait for a role."""
    waiting = get_user_model().objects.filter(is_active=True, is_staff=False, staff_profile__isnull=True)
    return {"users_without_role": waiting.count()}
