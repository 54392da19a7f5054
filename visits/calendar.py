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

from .absences import flag_absences
from .links import with_page_urls
from .models import INACTIVE_STATUSES, Visit
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

    @property
    def active_visits(self) -> list[Visit]:
        return [visit for visit in self.visits if visit.status not in INACTIVE_STATUSES]


# The week's time axis: quarter-hour rows, working hours unless a visit lies outside them.
SLOT_MINUTES = 15
SLOTS_PER_HOUR = 60 // SLOT_MINUTES
WORKING_HOURS = (8, 18)
MAX_LANES = 8  # side by side in one day; the stylesheet (static/css/calendar-grid.css) has classes up to this


@dataclass
class PlacedVisit:
    """A visit on the week's time axis: its first grid row, how many rows, and its lane among overlapping visits."""

    visit: Visit
    row: int
    span: int
    lane: int


@dataclass
class GridDay:
    day: CalendarDay
    placed: list[PlacedVisit]
    lanes: int
    free_hours: list[tuple[dt.time, int]]  # (hour, its first row) with no visit in it: a place to schedule one


@dataclass
class WeekGrid:
    hours: list[tuple[dt.time, int]]
    days: list[GridDay]


def _wall_minutes(moment: dt.datetime, day: dt.date) -> int:
    """Minutes from the day's local midnight on the wall clock (so 25:00 for 1 am the next day)."""
    local = timezone.localtime(moment)
    return (local.date() - day).days * 24 * 60 + local.hour * 60 + local.minute


def week_grid(days: list[CalendarDay]) -> WeekGrid:
    """Place each day's visits on a shared quarter-hour axis, overlapping visits in side-by-side lanes.

    The axis runs over working hours, widened to every visit of the week; it
    follows the wall clock, so on the day the clocks turn a visit is drawn
    where its local times are.
    """
    first_hour, last_hour = WORKING_HOURS
    for calendar_day in days:
        for visit in calendar_day.visits:
            first_hour = min(first_hour, _wall_minutes(visit.starts_at, calendar_day.day) // 60)
            last_hour = max(last_hour, min(24, -(-_wall_minutes(visit.ends_at, calendar_day.day) // 60)))
    axis_start, axis_end = first_hour * 60, last_hour * 60

    def row_of(minutes: int) -> int:
        return (min(max(minutes, axis_start), axis_end) - axis_start) // SLOT_MINUTES + 1

    grid_days = []
    for calendar_day in days:
        placed: list[PlacedVisit] = []
        lane_ends: list[int] = []  # per lane, the row where its last visit ends
        busy_hours: set[int] = set()
        for visit in calendar_day.visits:  # in start order
            start = _wall_minutes(visit.starts_at, calendar_day.day)
            end = max(_wall_minutes(visit.ends_at, calendar_day.day), start + SLOT_MINUTES)
            row, end_row = row_of(start), max(row_of(start) + 1, row_of(end + SLOT_MINUTES - 1))
            lane = next((index for index, ends in enumerate(lane_ends) if ends <= row), len(lane_ends))
            if lane == len(lane_ends):
                lane_ends.append(end_row)
            else:
                lane_ends[lane] = end_row
            placed.append(PlacedVisit(visit, row, end_row - row, min(lane, MAX_LANES - 1) + 1))
            busy_hours.update(range(start // 60, -(-end // 60)))
        free = [
            (dt.time(hour), row_of(hour * 60)) for hour in range(first_hour, last_hour) if hour not in busy_hours
        ]
        grid_days.append(GridDay(calendar_day, placed, max(1, min(len(lane_ends), MAX_LANES)), free))
    hours = [(dt.time(hour), row_of(hour * 60)) for hour in range(first_hour, last_hour)]
    return WeekGrid(hours, grid_days)


@dataclass
class PairRow:
    pair: WorkPair
    visits: list[Visit] = field(default_factory=list)


def _team_visits(*, user, teams: QuerySet[Team], starts: dt.datetime, ends: dt.datetime, person=None) -> list[Visit]:
    """The teams' visits in the period, cancelled ones too (the calendars show them struck through, with the reason).

    Each has `absences`: whose absence it falls in (visits.absences.flag_absences, one more query).
    """
    visits = Visit.objects.visible_to(user).in_teams(teams).between(starts, ends)
    if person is not None:
        visits = visits.for_staff_between(person, starts, ends)
    return flag_absences(visits.with_people().order_by("starts_at", "pk"))


def team_week(*, user, teams: QuerySet[Team], monday: dt.date, person=None) -> list[CalendarDay]:
    """Seven days of the teams' visits (or one person's), each day in time order. One query."""
    starts, _ = day_bounds(monday)
    _, ends = day_bounds(monday + dt.timedelta(days=6))
    days = [CalendarDay(monday + dt.timedelta(days=offset)) for offset in range(7)]
    by_day = {calendar_day.day: calendar_day for calendar_day in days}
    for visit in with_page_urls(_team_visits(user=user, teams=teams, starts=starts, ends=ends, person=person)):
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
        .for_staff_between(profile, today_starts, horizon)
        .active()
        .with_people()
        .order_by("starts_at")[:MY_VISITS_LIMIT],
    )
    for visit in visits:
        # Who actually comes with them (a stand-in may have taken a pair member's place).
        visit.partner = visit.nurse if visit.artist.pk == profile.pk else visit.artist
    return MyVisits(
        today=[v for v in visits if v.starts_at < today_ends],
        upcoming=[v for v in visits if v.starts_at >= today_ends],
    )
