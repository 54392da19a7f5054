"""Reads behind each role's home page: one selector per role, each a fixed number of queries.

The staff home shows visits and pending surveys, so it lives in workspace, above
visits and wellbeing (docs/rules.md "Layers")."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from access.choices import ObjectType
from access.log import log_listing
from access.policy import policy
from visits.models import INACTIVE_STATUSES, Visit
from wellbeing.selectors import pending_surveys

from pairwork.models import Team

UPCOMING_VISITS_SHOWN = 10


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
    return {"teams": teams, "visits_today_total": sum(team.visits_today for team in teams)}


def staff_home(*, user) -> dict:
    """An artist's or nurse's own visits that have not ended: today's, then the next few."""
    _, end_of_today = local_day_bounds(timezone.localdate())
    mine = Visit.objects.for_staff(user.staff_profile).active().upcoming().with_people()
    today = list(mine.filter(starts_at__lt=end_of_today))
    upcoming = list(mine.filter(starts_at__gte=end_of_today)[:UPCOMING_VISITS_SHOWN])
    # The cards name each visit's client: a list read of each one shown.
    log_listing(user=user, client_ids=[visit.client_id for visit in today + upcoming], object_type=ObjectType.VISIT)
    return {
        "today_visits": today,
        "upcoming_visits": upcoming,
        "pending_surveys": pending_surveys(user.staff_profile),
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
