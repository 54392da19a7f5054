"""Weekly recurrence on the wall clock of the service (Europe/Helsinki).

A visit at 10:00 stays at 10:00 local time across the change to and from
summer time, so the occurrences are computed as local dates and times and
only then made aware (pairwork.timing); each lasts its duration in real time.
An occurrence whose local time does not exist that day, or exists twice, is
returned with its problem so the caller can report it as skipped.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from pairwork.limits import MAX_OCCURRENCES
from pairwork.timing import LocalTimeError, end_after, local_time_problem, service_timezone

__all__ = ["MAX_OCCURRENCES", "Occurrence", "local_datetime", "wall_time_exists", "weekly_occurrences"]


@dataclass(frozen=True)
class Occurrence:
    starts_at: dt.datetime
    ends_at: dt.datetime
    # Set when the local time is not one moment that day; the occurrence is then skipped.
    problem: type[LocalTimeError] | None = None


def local_datetime(day: dt.date, wall_time: dt.time) -> dt.datetime:
    """The aware moment of `wall_time` on `day` in the service's time zone (the earlier one in a fold).

    For input from people use pairwork.timing.local_moment, which refuses gap and fold times.
    """
    return dt.datetime.combine(day, wall_time.replace(tzinfo=None), tzinfo=service_timezone())


def wall_time_exists(day: dt.date, wall_time: dt.time) -> bool:
    """False for a local time skipped when the clocks go forward (e.g. 03:30 on the last Sunday of March)."""
    from pairwork.timing import NonexistentLocalTime

    return local_time_problem(day, wall_time) is not NonexistentLocalTime


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
    whether reaching it is an error. The first occurrence is `first_starts_at`
    itself (already one moment); later ones keep its local time.
    """
    if until is None and count is None:
        raise ValueError("a series needs an end: until or count")
    local_first = timezone.localtime(first_starts_at, service_timezone())
    first_day, wall_time = local_first.date(), local_first.time()
    occurrences: list[Occurrence] = []
    week = 0
    while len(occurrences) < min(count or limit, limit):
        day = first_day + dt.timedelta(weeks=interval_weeks * week)
        if until is not None and day > until:
            break
        if week == 0:
            starts_at, problem = local_first, None
        else:
            starts_at, problem = local_datetime(day, wall_time), local_time_problem(day, wall_time)
        occurrences.append(Occurrence(starts_at, end_after(starts_at, duration), problem))
        week += 1
    return occurrences
