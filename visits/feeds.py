"""Each staff member's private iCalendar feed of their own visits.

The feed URL carries a random token; only its SHA-256 is stored
(StaffProfile.calendar_token_hash), so the token is shown once and a leaked
database does not leak feeds. Issuing a new token revokes the old one.

Least data: calendar apps sync feeds to outside services, so an event says
when and with whom, never the client's name, address or health.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from icalendar import Calendar, Event

from pairwork.models import StaffProfile

from .models import Visit

FEED_PAST = dt.timedelta(days=30)
FEED_FUTURE = dt.timedelta(days=365)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_calendar_token(*, staff: StaffProfile) -> str:
    """A new feed token for `staff`; the previous one stops working. Returned once, stored hashed."""
    token = secrets.token_urlsafe(32)
    staff.calendar_token_hash = hash_token(token)
    staff.save(update_fields=["calendar_token_hash"])
    return token


@transaction.atomic
def revoke_calendar_token(*, staff: StaffProfile) -> None:
    staff.calendar_token_hash = ""
    staff.save(update_fields=["calendar_token_hash"])


def staff_for_token(token: str) -> StaffProfile | None:
    if not token:
        return None
    return (
        StaffProfile.objects.select_related("user")
        .filter(calendar_token_hash=hash_token(token), user__is_active=True)
        .first()
    )


def feed_visits(staff: StaffProfile) -> list[Visit]:
    now = timezone.now()
    return list(
        Visit.objects.for_staff_between(staff, now - FEED_PAST, now + FEED_FUTURE)
        .active()
        .with_people()
        .order_by("starts_at")
    )


def build_feed(staff: StaffProfile, *, visit_url=None) -> bytes:
    """The person's active visits from a month back to a year ahead, as iCalendar bytes."""
    calendar = Calendar()
    calendar.add("prodid", "-//Työpari//visits//FI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Työpari visits"))
    stamp = timezone.now()
    for visit in feed_visits(staff):
        # Who actually comes (a stand-in), not the planned pair.
        partner = visit.nurse if visit.artist.pk == staff.pk else visit.artist
        event = Event()
        event.add("uid", f"visit-{visit.pk}@tyopari")
        event.add("dtstamp", stamp)
        event.add("dtstart", visit.starts_at)
        event.add("dtend", visit.ends_at)
        event.add("summary", _("Joint visit with %(partner)s") % {"partner": partner.display_name})
        event.add("description", _("Open Työpari for the details of the visit."))
        event.add("status", "CONFIRMED")
        if visit_url is not None:
            url = visit_url(visit)
            if url:
                event.add("url", url)
        calendar.add_component(event)
    return calendar.to_ical()
