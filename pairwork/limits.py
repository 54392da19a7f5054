"""The limits of scheduling input, declared once.

The model validators, the forms, the API serializers, the OpenAPI schema and
the services all read these names; change a limit here and nowhere else
(docs/rules.md: limits are declared once).
"""
from __future__ import annotations

import datetime as dt

# A visit lasts from 15 minutes to 8 hours, measured in real (absolute) time.
MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 8 * 60
MIN_DURATION = dt.timedelta(minutes=MIN_DURATION_MINUTES)
MAX_DURATION = dt.timedelta(minutes=MAX_DURATION_MINUTES)

# A weekly series: every 1 to 12 weeks, at most 104 visits (two years of weekly visits).
MAX_INTERVAL_WEEKS = 12
MAX_OCCURRENCES = 104

# Free text. A reason is short; a note or a client's description is a few paragraphs.
REASON_MAX_LENGTH = 500
LONG_TEXT_MAX_LENGTH = 5000

# Every date the service accepts or is asked about, whatever the page or endpoint.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def date_in_window(day: dt.date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


def date_window_message() -> str:
    """"Choose a date between 1.1.2000 and 31.12.2100.", in the active language."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    return _("Choose a date between %(first)s and %(last)s.") % {
        "first": date_format(EARLIEST_DATE, "j.n.Y"), "last": date_format(LATEST_DATE, "j.n.Y"),
    }


def validate_date_in_window(day: dt.date) -> None:
    """A Django validator (forms, models, DRF fields, filters): refuse dates outside the window."""
    from django.core.exceptions import ValidationError

    if day is not None and not date_in_window(day):
        raise ValidationError(date_window_message(), code="date_out_of_range")
