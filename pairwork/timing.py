"""Time in real time: Helsinki wall-clock input to aware moments, once for everybody.

The forms, the API serializers, the services and the weekly recurrence use
these helpers and nothing else to turn a local date and time into a moment and
to compute an end or a duration:

* a local date and time becomes an aware moment only if it exists exactly
  once on the service's wall clock (Europe/Helsinki); a time skipped when the
  clocks go forward (e.g. 03:30 on the last Sunday of March) raises
  `NonexistentLocalTime`, a time that happens twice when they go back (03:30
  on the last Sunday of October) raises `AmbiguousLocalTime`;
* an end is the start plus the duration in absolute time, and a duration is
  the difference of two moments in absolute time. (Python adds and subtracts
  aware datetimes of one time zone on the wall clock, so a 120-minute visit
  from 02:30 on the autumn change would otherwise last 180 real minutes.)
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

UTC = dt.timezone.utc


class LocalTimeError(ValueError):
    """A wall-clock time that is not one moment; `message` says why, for the field."""

    code = "invalid_local_time"
    message = _("This time is not valid on that day.")

    def __init__(self, day: dt.date, wall_time: dt.time):
        self.day, self.wall_time = day, wall_time
        super().__init__(f"{day} {wall_time} is not one moment in {service_timezone()}")


class NonexistentLocalTime(LocalTimeError):
    code = "nonexistent_local_time"
    message = _("This time does not exist on that day: the clocks move forward.")


class AmbiguousLocalTime(LocalTimeError):
    code = "ambiguous_local_time"
    message = _("This time happens twice on that day: the clocks move back an hour. Choose another time.")


def service_timezone() -> dt.tzinfo:
    return timezone.get_default_timezone()


def _candidate(day: dt.date, wall_time: dt.time, fold: int) -> dt.datetime:
    return dt.datetime.combine(day, wall_time.replace(tzinfo=None), tzinfo=service_timezone()).replace(fold=fold)


def local_time_problem(day: dt.date, wall_time: dt.time) -> type[LocalTimeError] | None:
    """None if `wall_time` on `day` is exactly one moment, else the kind of problem."""
    first, second = _candidate(day, wall_time, 0), _candidate(day, wall_time, 1)
    if first.utcoffset() != second.utcoffset():
        # Either a gap (neither reading survives a round trip) or a fold (both do).
        back = first.astimezone(UTC).astimezone(service_timezone())
        if back.replace(tzinfo=None) != first.replace(tzinfo=None):
            return NonexistentLocalTime
        return AmbiguousLocalTime
    return None


def local_moment(day: dt.date, wall_time: dt.time) -> dt.datetime:
    """The one aware moment of `wall_time` on `day` in Helsinki; raises LocalTimeError if there is not one."""
    problem = local_time_problem(day, wall_time)
    if problem is not None:
        raise problem(day, wall_time)
    return _candidate(day, wall_time, 0)


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in Helsinki (midnight always exists there: the changes are at 03:00/04:00)."""
    return _candidate(day, dt.time.min, 0)


def aware_from_input(value: dt.datetime) -> dt.datetime:
    """An API datetime: kept as given if it carries an offset, else read on the Helsinki wall clock."""
    if timezone.is_aware(value):
        return value
    return local_moment(value.date(), value.time())


def end_after(starts_at: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    """The end of something that starts at `starts_at` and lasts `duration` real time, shown in Helsinki."""
    return (starts_at.astimezone(UTC) + duration).astimezone(service_timezone())


def real_duration(starts_at: dt.datetime, ends_at: dt.datetime) -> dt.timedelta:
    """How long from `starts_at` to `ends_at` in absolute time, whatever their time zones."""
    return ends_at.astimezone(UTC) - starts_at.astimezone(UTC)


def within_date_window(moment: dt.datetime) -> bool:
    """True if `moment` falls on a Helsinki day inside the service's date window (pairwork.limits).

    Compared in UTC so that a moment near year 1 or 9999 cannot overflow on the way.
    """
    from .limits import EARLIEST_DATE, LATEST_DATE

    first = local_midnight(EARLIEST_DATE).astimezone(UTC)
    after_last = local_midnight(LATEST_DATE + dt.timedelta(days=1)).astimezone(UTC)
    try:
        return first <= moment.astimezone(UTC) < after_last
    except OverflowError:  # before year 1 or after 9999 in UTC
        return False
