"""Helpers for the scheduling suites: Helsinki wall-clock moments in the near future."""
from __future__ import annotations

import datetime as dt

import pytest

from django.utils import timezone

from visits.recurrence import local_datetime


def next_weekday(weekday: int = 0, *, weeks_ahead: int = 1) -> dt.date:
    """A date of `weekday` (0 = Monday) at least a week ahead, so 'in the past' never bites."""
    today = timezone.localdate()
    days = (weekday - today.weekday()) % 7 or 7
    return today + dt.timedelta(days=days + 7 * (weeks_ahead - 1))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """The aware moment of hh:mm in Helsinki on `day`."""
    return local_datetime(day, dt.time(hour, minute))


def next_spring_forward() -> dt.date:
    """The next last Sunday of March (EU summer time starts), at least two weeks away."""
    today = timezone.localdate()
    year = today.year if today < dt.date(today.year, 3, 15) else today.year + 1
    last = dt.date(year, 3, 31)
    return last - dt.timedelta(days=(last.weekday() - 6) % 7)


def next_fall_back() -> dt.date:
    """The next last Sunday of October (summer time ends), at least two weeks away."""
    today = timezone.localdate()
    year = today.year if today < dt.date(today.year, 10, 15) else today.year + 1
    last = dt.date(year, 10, 31)
    return last - dt.timedelta(days=(last.weekday() - 6) % 7)

