"""Reads behind the team calendar and "my visits": a fixed number of queries each.

Days are Helsinki calendar days (midnight to midnight, so 23 or 25 hours
when the clocks turn).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from access.policy import profile_of
from pairwork.models import Team, WorkPair

from .links import with_page_urls
from .models import Visit
from .recurrence import local_datetime

MY_VISITS_DAYS_AHEAD = 14
MY_VISITS_LIMIT = 50


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return local_datetime(day, dt.time.min), local_datetime(day + dt.timedelta(days=1), dt.time.min)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class CalendarDay:
    day: dt.date
    visits: list[Visit] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()


@dataclass
class PairRow:
    pair: WorkPair
    visits: list[Visit] = field(default_factory=list)


def _team_visits(*, user, teams: QuerySet[Team], starts: dt.datetime, ends: dt.datetime) -> list[Visit]:
    return list(
        Visit.objects.visible_to(user)
        .active()
        .in_teams(teams)
        .between(starts, ends)
        .with_people()
        .order_by("starts_at", "pk")
    )


def team_week(*, user, teams: QuerySet[Team], monday: dt.date) -> list[CalendarDay]:
    """Seven days of the teams' active visits, each day in time order. One query."""
    starts, _ = day_bounds(monday)
    _, ends = day_bounds(monday + dt.timedelta(days=6))
    days = [CalendarDay(monday + dt.timedelta(days=offset)) for offset in range(7)]
    by_day = {calendar_day.day: calendar_day for calendar_day in days}
    for visit in with_page_urls(_team_visits(user=user, teams=teams, starts=starts, ends=ends)):
        local_day = timezone.localdate(visit.starts_at)
        if local_day in by_day:
            by_day[local_day].visits.append(visit)
    return days


def team_day(*, user, teams: QuerySet[Team], day: dt.date) -> list[PairRow]:
    """One day, a row per pair working that day (free pairs show as empty rows). Two queries."""
    starts, ends = day_bounds(day)
    visits = with_page_urls(_team_visits(user=user, teams=teams, starts=starts, ends=ends))
    per_pair: dict[int, list[Visit]] = defaultdict(list)
    for visit in visits:
        per_pair[visit.pair_id].append(visit)
    pairs = {pair.pk: pair for pair in WorkPair.objects.active_on(day).in_teams(teams).with_people()}
    for visit in visits:  # a pair ended since, but its visit that day still shows
        pairs.setdefault(visit.pair_id, visit.pair)
    rows = [PairRow(pair, per_pair.get(pk, [])) for pk, pair in pairs.items()]
    rows.sort(key=lambda row: (row.pair.team.name, row.pair.artist.display_name, row.pair.nurse.display_name))
    return rows


@dataclass
class MyVisits:
    today: list[Visit]
    upcoming: list[Visit]

    @property
    def client_ids(self) -> set[int]:
        return {visit.client_id for visit in self.today + self.upcoming}


def my_visits(*, user) -> MyVisits:
    """The signed-in person's own active visits: today's (even those already over), then the next two weeks. One query."""
    profile = profile_of(user)
    if profile is None:
        return MyVisits([], [])
    today_starts, today_ends = day_bounds(timezone.localdate())
    horizon = today_ends + dt.timedelta(days=MY_VISITS_DAYS_AHEAD)
    visits = with_page_urls(
        Visit.objects.visible_to(user)
        .for_staff(profile)
        .active()
        .between(today_starts, horizon)
        .with_people()
        .order_by("starts_at")[:MY_VISITS_LIMIT],
    )
    for visit in visits:
        pair = visit.pair
        visit.partner = pair.nurse if pair.artist_id == profile.pk else pair.artist
    return MyVisits(
        today=[v for v in visits if v.starts_at < today_ends],
        upcoming=[v for v in visits if v.starts_at >= today_ends],
    )
