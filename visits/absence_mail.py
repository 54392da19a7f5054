"""E-mail to the team's coordinators when an absence affects visits.

Least data: the message says who is absent, when, and when the affected
visits are (with the partner), never a client's name or address; the
details are in Työpari, behind the login. An absence is announced once
(`StaffAbsence.notified_at`); one that touches no visit sends nothing.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pairwork.models import Role, StaffProfile

from .absences import absence_period, affected_visits
from .conflicts import format_local_range
from .models import StaffAbsence

RECONCILE_GRACE = dt.timedelta(minutes=5)
RECONCILE_HORIZON = dt.timedelta(days=2)


def coordinators_of(person: StaffProfile) -> list[StaffProfile]:
    """The coordinators of the person's teams, with an address and an active account."""
    return list(
        StaffProfile.objects.filter(role=Role.COORDINATOR, teams__in=person.teams.all(), user__is_active=True)
        .exclude(user__email="").select_related("user").distinct().order_by("pk")
    )


def build_message(recipient: StaffProfile, absence: StaffAbsence, visits) -> EmailMessage:
    lines = []
    for visit in visits:
        pair = visit.pair
        partner = pair.nurse if absence.person_id == pair.artist_id else pair.artist
        lines.append(_("%(when)s, with %(partner)s") % {"when": format_local_range(visit.starts_at, visit.ends_at), "partner": partner})
    count = len(lines)
    subject = ngettext(
        "Työpari: %(person)s is absent, %(count)d visit affected",
        "Työpari: %(person)s is absent, %(count)d visits affected", count,
    ) % {"person": absence.person.display_name, "count": count}
    body = render_to_string("visits/email/absence.txt", {
        "recipient": recipient, "absence": absence, "period": absence_period(absence), "lines": lines,
        "path": reverse("visits:absences"),
    })
    return EmailMessage(subject=subject, body=body, to=[recipient.user.email])


def send_for_absences(absence_ids: list[int]) -> int:
    """Send what has not been sent for these absences; returns the number of e-mails.

    Safe to run twice and concurrently, as visits.notifications: the rows are
    locked (skipping those another worker holds) and marked in one transaction.
    """
    sent = 0
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        absences = list(
            StaffAbsence.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=absence_ids, notified_at__isnull=True, withdrawn_at__isnull=True)
            .select_related("person__user")
        )
        messages = []
        for absence in absences:
            visits = list(affected_visits(absence).with_people())
            if visits:
                messages += [build_message(coordinator, absence, visits) for coordinator in coordinators_of(absence.person)]
        if messages:
            get_connection().send_messages(messages)
            sent = len(messages)
        StaffAbsence.objects.filter(pk__in=[a.pk for a in absences]).update(notified_at=timezone.now())
    return sent


def unsent_absence_ids(now: dt.datetime | None = None) -> list[int]:
    """Recent absences whose e-mail never went out (e.g. the broker was down at commit)."""
    now = now or timezone.now()
    return list(
        StaffAbsence.objects.filter(
            notified_at__isnull=True, withdrawn_at__isnull=True,
            created_at__lt=now - RECONCILE_GRACE, created_at__gte=now - RECONCILE_HORIZON,
        ).values_list("pk", flat=True)
    )
