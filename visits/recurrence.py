"""Weekly recurrence on the wall clock of the service (Europe/Helsinki).

A visit at 10:00 stays at 10:00 local time across the change to and from
summer time, so the occurrences are computed as local dates and times and
only then made aware; adding 7 × 24 hours would drift by an hour.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

MAX_OCCURRENCES = 104  # two years of weekly visits; matches VisitSeries.count's validator


@dataclass(frozen=True)
class Occurrence:
    starts_at: dt.datetime
    ends_at: dt.datetime


def local_datetime(day: dt.date, wall_time: dt.time) -> dt.datetime:
    """The aware moment of `wall_time` on `day` in the service's time zone."""
    return dt.datetime.combine(day, wall_time.replace(tzinfo=None), tzinfo=timezone.get_default_timezone())


def wall_time_exists(day: dt.date, wall_time: dt.time) -> bool:
    """False for a local time skipped when the clocks go forward (e.g. 03:30 on the last Sunday of March)."""
    moment = local_datetime(day, wall_time)
    round_trip = moment.astimezone(dt.timezone.utc).astimezone(timezone.get_default_timezone())
    return (round_trip.date(), round_trip.time()) == (day, wall_time.replace(tzinfo=None))


def weekly_occurrences(
    *,
    first_starts_at: dt.datetime,
    duration: dt.timedelta,
    interval_weeks: int,
    until: dt.date | None = None,
    count: int | None = None,
    limit: int = MAX_OCCURRENCES + 1,
) -> list[Occurrence]:
    """Every `interval_weeks` weeks from `first_starts_at`, up to `until` (inclusive) or `count` occurrences.

    Stops at `limit` so that a far `until` cannot run away; the caller decides
    whether reaching it is an error.
    """
    if until is None and count is None:
        raise ValueError("a series needs an end: until or count")
    local_first = timezone.localtime(first_starts_at, timezone.get_default_timezone())
    first_day, wall_time = local_first.date(), local_first.time()
    occurrences: list[Occurrence] = []
    week = 0
    while len(occurrences) < min(count or limit, limit):
        day = first_day + dt.timedelta(weeks=interval_weeks * week)
        if until is not None and day > until:
            break
        starts_at = local_datetime(day, wall_time)
        occurrences.append(Occurrence(starts_at, starts_at + duration))
        week += 1
    return occurrences
