"""The client-outcome schedule where people work: the visit page, the client page, the nurse's home.

Tags rather than context from those views, so that the visits and home pages
do not import the wellbeing app that sits above them. Each tag asks
`wellbeing.outcome_schedule` (one query) and renders nothing for people who
do not follow the schedule. The pages these tags sit on have logged the read
of their client already; the nurse's home list logs its own.
"""
from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from clients.listing import log_client_listing
from clients.models import Client
from pairwork.models import Role
from pairwork.roles import role_of
from pairwork.scoping import participant_access

from .. import outcome_schedule as schedule

register = template.Library()

# The nurse's home shows this many clients; the rest are one click away on "my visits".
HOME_MEASUREMENTS_SHOWN = 20


def outcome_form_url(client_id: int, time_point: str, next_url: str) -> str:
    """The outcome form for one client and time point, returning to `next_url` after saving."""
    query = urlencode({"time_point": time_point, "next": next_url})
    return f"{reverse('wellbeing:client_outcome', args=[client_id])}?{query}"


def _one(client: Client) -> schedule.MeasurementSchedule | None:
    schedules = schedule.measurement_schedules(Client.objects.filter(pk=client.pk))
    return schedules[0] if schedules else None


@register.inclusion_tag("wellbeing/_due_badge.html")
def due_badge(measurement: schedule.Measurement) -> dict:
    return {"measurement": measurement}


@register.inclusion_tag("wellbeing/_visit_measurements.html", takes_context=True)
def visit_measurements(context, visit) -> dict:
    """For the visit's own nurse: the client's baseline/follow-up status and a button to record the next one."""
    user = context["request"].user
    if role_of(user) != Role.NURSE or not participant_access(user, visit):
        return {"schedule": None}
    found = _one(visit.client)
    action = found.next_action if found else None
    return {
        "schedule": found,
        "action": action,
        "form_url": outcome_form_url(visit.client_id, action.time_point, reverse("visits:detail", args=[visit.pk]))
        if action else "",
    }


@register.inclusion_tag("wellbeing/_client_measurements.html", takes_context=True)
def client_measurements(context, client) -> dict:
    """For a coordinator of the client's team (or a nurse who visits the client): the schedule in full."""
    user = context["request"].user
    if not schedule.schedule_access(user, client):
        return {"schedule": None, "shown": False}
    return {"schedule": _one(client), "shown": True}


@register.inclusion_tag("wellbeing/_my_measurements_due.html", takes_context=True)
def my_measurements_due(context) -> dict:
    """A nurse's clients with a measurement due or overdue, each with the button that opens the form."""
    request = context["request"]
    user = request.user
    if role_of(user) != Role.NURSE:
        return {"rows": None}
    pending = schedule.needing_action(schedule.with_paired_visits(schedule.schedule_clients(user)))
    shown = pending[:HOME_MEASUREMENTS_SHOWN]
    log_client_listing(user=user, client_ids=[s.client.pk for s in shown], object_type="client")
    rows = [
        {"schedule": s, "action": s.next_action,
         "form_url": outcome_form_url(s.client.pk, s.next_action.time_point, request.get_full_path())}
        for s in shown
    ]
    return {"rows": rows, "more": len(pending) - len(shown)}
