"""E-mail to the people of a visit when it is scheduled, moved, cancelled or gets a stand-in.

Least data: the message says when and with whom, never the client's name,
address or anything about their health — e-mail leaves the system. The
details are in Työpari, behind the login.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from django.db.models import Prefetch

from clients.models import CareRelationship
from pairwork.models import StaffProfile

from .conflicts import format_local_range
from .models import VisitEvent, VisitParticipant

NOTIFIED_KINDS = (
    VisitEvent.Kind.SCHEDULED, VisitEvent.Kind.RESCHEDULED, VisitEvent.Kind.CANCELLED, VisitEvent.Kind.RESTORED,
    VisitEvent.Kind.STAND_IN,
)
# How long the reconcile leaves an event to its own on-commit task, and how far back it looks.
RECONCILE_GRACE = dt.timedelta(minutes=5)
RECONCILE_HORIZON = dt.timedelta(days=2)


def _line(event: VisitEvent, recipient: StaffProfile) -> str:
    visit = event.visit
    # Who actually comes (a stand-in may have replaced a pair member), not the planned pair.
    partner = visit.artist if recipient.pk == visit.nurse.pk else visit.nurse
    when = format_local_range(event.starts_at, event.ends_at)
    if event.kind == VisitEvent.Kind.STAND_IN:
        values = {"when": when, "new": event.staff, "old": event.previous_staff}
        if recipient.pk == event.previous_staff_id:
            return _("You no longer come: %(when)s; %(new)s comes instead") % values
        if recipient.pk == event.staff_id:
            return _("Stand-in: you come %(when)s instead of %(old)s, with %(partner)s") % {**values, "partner": partner}
        return _("Stand-in: %(new)s comes %(when)s instead of %(old)s") % values
    if event.kind == VisitEvent.Kind.RESCHEDULED:
        before = format_local_range(event.previous_starts_at, event.previous_ends_at)
        return _("Moved: %(before)s → %(when)s, with %(partner)s") % {"before": before, "when": when, "partner": partner}
    if event.kind == VisitEvent.Kind.CANCELLED:
        return _("Cancelled: %(when)s, with %(partner)s") % {"when": when, "partner": partner}
    if event.kind == VisitEvent.Kind.RESTORED:
        return _("Back on: %(when)s, with %(partner)s") % {"when": when, "partner": partner}
    return _("Scheduled: %(when)s, with %(partner)s") % {"when": when, "partner": partner}


def _subject(events: list[VisitEvent]) -> str:
    kinds = {event.kind for event in events}
    count = len(events)
    if kinds == {VisitEvent.Kind.SCHEDULED}:
        return ngettext("Työpari: a joint visit was scheduled", "Työpari: %(count)d joint visits were scheduled", count) % {"count": count}
    if kinds == {VisitEvent.Kind.RESCHEDULED}:
        return ngettext("Työpari: a joint visit was moved", "Työpari: %(count)d joint visits were moved", count) % {"count": count}
    if kinds == {VisitEvent.Kind.STAND_IN}:
        return ngettext("Työpari: a stand-in for a joint visit", "Työpari: stand-ins for %(count)d joint visits", count) % {"count": count}
    if kinds == {VisitEvent.Kind.CANCELLED}:
        return ngettext("Työpari: a joint visit was cancelled", "Työpari: %(count)d joint visits were cancelled", count) % {"count": count}
    return _("Työpari: changes to your joint visits")


def build_message(recipient: StaffProfile, events: list[VisitEvent]) -> EmailMessage:
    body = render_to_string("visits/email/visit_changes.txt", {
        "recipient": recipient, "lines": [_line(event, recipient) for event in events],
    })
    return EmailMessage(subject=_subject(events), body=body, to=[recipient.user.email])


def send_for_events(event_ids: list[int]) -> int:
    """Send what has not been sent for these events; returns the number of e-mails.

    Safe to run twice and concurrently: the events are locked (skipping those
    another worker holds) and marked notified in the same transaction, so a
    change is announced once; if sending fails nothing is marked and a retry
    or the reconcile sends it again.
    """
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        events = list(
            VisitEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=event_ids, notified_at__isnull=True, kind__in=NOTIFIED_KINDS)
            .select_related("visit__pair__artist__user", "visit__pair__nurse__user", "previous_staff__user", "staff__user")
            .prefetch_related(Prefetch("visit__participants", queryset=VisitParticipant.objects.select_related("staff__user")))
            .order_by("starts_at", "id")
        )
        if not events:
            return 0
        per_recipient: dict[int, list[VisitEvent]] = defaultdict(list)
        people: dict[int, StaffProfile] = {}
        primary_nurses = _primary_nurses(event for event in events if event.kind == VisitEvent.Kind.STAND_IN)
        for event in events:
            for person in _recipients(event, primary_nurses):
                people[person.pk] = person
                per_recipient[person.pk].append(event)
        messages = [
            build_message(people[pk], person_events)
            for pk, person_events in per_recipient.items()
            if people[pk].user.email and people[pk].user.is_active
        ]
        get_connection().send_messages(messages)
        VisitEvent.objects.filter(pk__in=[event.pk for event in events]).update(notified_at=timezone.now())
        return len(messages)


def _primary_nurses(events) -> dict[int, StaffProfile]:
    """Client id → the client's primary nurse, for the stand-in events (one query)."""
    client_ids = {event.visit.client_id for event in events}
    if not client_ids:
        return {}
    return {
        relation.client_id: relation.nurse
        for relation in CareRelationship.objects.filter(client_id__in=client_ids, is_primary=True).select_related("nurse__user")
    }


def _recipients(event: VisitEvent, primary_nurses: dict[int, StaffProfile]) -> list[StaffProfile]:
    """Who takes part now; for a stand-in also who no longer comes and the client's primary nurse."""
    people = [event.visit.artist, event.visit.nurse]
    if event.kind == VisitEvent.Kind.STAND_IN:
        people += [event.previous_staff, event.staff, primary_nurses.get(event.visit.client_id)]
    unique: dict[int, StaffProfile] = {}
    for person in people:
        if person is not None:
            unique.setdefault(person.pk, person)
    return list(unique.values())


def unsent_event_ids(now: dt.datetime | None = None) -> list[int]:
    """Recent changes whose e-mail never went out (e.g. the broker was down at commit)."""
    now = now or timezone.now()
    return list(
        VisitEvent.objects.filter(
            notified_at__isnull=True, kind__in=NOTIFIED_KINDS, at__lt=now - RECONCILE_GRACE, at__gte=now - RECONCILE_HORIZON
        ).values_list("pk", flat=True)
    )
