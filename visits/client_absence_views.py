"""The coordinator's pages for a client's absences and for finding the next free time.

Both read client data, so the client is fetched through access.guard (one
access-log row per request); the writes go through visits.client_absences,
the search through visits.free_times.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from access import guard
from access.choices import ObjectType
from access.log import log_listing
from access.models import AccessLog
from access.policy import policy
from access.view_guards import coordinator_client_page, coordinator_required
from clients.models import Client
from pairwork.form_errors import add_service_errors

from . import client_absences
from .client_absence_forms import AbsenceForm, FreeTimeForm, ShortenAbsenceForm, preference_initial
from .client_absences import absence_bounds
from .free_times import next_free_times
from .links import with_page_urls
from .models import Visit, VisitStatus


def _report(request: HttpRequest, result) -> None:
    """What the absence did to the visits, as messages on the next page."""
    if result.cancelled:
        messages.success(request, ngettext(
            "%(count)d visit was cancelled; the pair is told the client is away.",
            "%(count)d visits were cancelled; the pairs are told the client is away.", len(result.cancelled),
        ) % {"count": len(result.cancelled)})
    if result.restored:
        messages.success(request, ngettext(
            "%(count)d visit is back on the calendar.", "%(count)d visits are back on the calendar.", len(result.restored),
        ) % {"count": len(result.restored)})
    for item in result.unrestored:
        messages.warning(request, _("Not restored: %(when)s. %(why)s") % {"when": item.when, "why": " ".join(item.reasons)})


def _planned_in(client: Client, starts_on: dt.date, ends_on: dt.date):
    start, end = absence_bounds(starts_on, ends_on)
    return with_page_urls(
        Visit.objects.filter(client=client, status=VisitStatus.PLANNED, starts_at__lt=end,
                             ends_at__gt=max(start, timezone.now())).with_people().order_by("starts_at")
    )


@coordinator_client_page
def absences(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's absences: record one (with a confirmation listing the visits it cancels), shorten or withdraw."""
    action = AccessLog.Action.UPDATE if request.method == "POST" else AccessLog.Action.VIEW
    client, _access = guard.fetch(request.user, ObjectType.CLIENT, pk, action=action)
    record_form = AbsenceForm(request.POST if request.POST.get("action") == "record" else None)
    pending, change, shorten_form = None, None, None
    all_absences = list(client.absences.select_related("created_by").prefetch_related("cancellations"))
    if request.method == "POST":
        wanted = request.POST.get("action")
        confirmed = request.POST.get("confirm") == "yes"
        try:
            if wanted == "record" and record_form.is_valid():
                data = record_form.cleaned_data
                if not confirmed:
                    pending = {"kind": "record", "visits": _planned_in(client, data["starts_on"], data["ends_on"])}
                else:
                    result = client_absences.record_client_absence(
                        client=client, kind=data["kind"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                        reason=data["reason"], by=request.user,
                    )
                    messages.success(request, _("The absence was recorded."))
                    _report(request, result)
                    return redirect("clients:absences", client.pk)
            elif wanted in ("shorten", "withdraw"):
                change = next((a for a in all_absences if str(a.pk) == request.POST.get("absence") and a.is_active), None)
                if change is None:
                    messages.error(request, _("That absence is no longer in force."))
                    return redirect("clients:absences", client.pk)
                shorten_form = ShortenAbsenceForm(request.POST if wanted == "shorten" else None, initial={
                    "starts_on": change.starts_on, "ends_on": change.ends_on,
                })
                if wanted == "withdraw" and confirmed:
                    result = client_absences.withdraw_client_absence(absence=change, by=request.user)
                    messages.success(request, _("The absence was withdrawn."))
                    _report(request, result)
                    return redirect("clients:absences", client.pk)
                if wanted == "shorten" and shorten_form.is_valid() and confirmed:
                    result = client_absences.shorten_client_absence(
                        absence=change, starts_on=shorten_form.cleaned_data["starts_on"],
                        ends_on=shorten_form.cleaned_data["ends_on"], by=request.user,
                    )
                    messages.success(request, _("The absence was shortened."))
                    _report(request, result)
                    return redirect("clients:absences", client.pk)
                if wanted == "withdraw" or shorten_form.is_valid():
                    pending = {"kind": wanted, "absence": change,
                               "restorable": sum(1 for c in change.cancellations.all() if c.restored_at is None)}
        except ValidationError as error:
            add_service_errors(shorten_form if wanted == "shorten" and shorten_form is not None else record_form, error)
    refused = request.method == "POST" and (record_form.errors or (shorten_form is not None and shorten_form.errors))
    return render(request, "visits/client_absences.html", {
        "client": client, "absences": all_absences, "form": record_form, "pending": pending,
        "change": change, "shorten_form": shorten_form, "today": timezone.localdate(),
    }, status=400 if refused else 200)


def _schedule_link(slot, client: Client, minutes: int) -> str:
    local = timezone.localtime(slot.starts_at)
    return reverse("visits:schedule") + "?" + urlencode({
        "client": client.pk, "day": local.date().isoformat(), "start_time": f"{local:%H:%M}",
        "duration_minutes": minutes, "pair": slot.pair.pk,
    })


@coordinator_required
def free_times(request: HttpRequest) -> HttpResponse:
    """Find the next free time: filters (client's preferences first), results with reasons, each one click to book."""
    user = request.user
    rules = policy(user)
    clients = Client.objects.visible_to(user).filter(team__in=rules.managed_teams(), archived_at__isnull=True).select_related("team")
    pairs = rules.visible_pairs().filter(team__in=rules.managed_teams()).with_people()
    data = request.GET
    if set(request.GET) == {"client"}:
        # A link from the client's page or the schedule page: start from the client's preferences.
        chosen = clients.filter(pk=request.GET["client"]).first() if request.GET["client"].isdigit() else None
        data = {**preference_initial(chosen), "duration_minutes": 60} if chosen else request.GET
    form = FreeTimeForm(data or None, clients=clients, pairs=pairs)
    found, client, minutes = None, None, 60
    if form.is_bound and form.is_valid():
        cleaned = form.cleaned_data
        client, _access = guard.fetch(user, ObjectType.CLIENT, cleaned["client"].pk)
        minutes = cleaned["duration_minutes"]
        try:
            found = next_free_times(
                client, pair=cleaned.get("pair"), duration=dt.timedelta(minutes=minutes),
                date_from=cleaned["date_from"], date_to=cleaned["date_to"], weekdays=cleaned.get("weekdays") or None,
                time_of_day=cleaned["hours"], viewer=user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
    log_listing(user=user, client_ids=clients.values_list("pk", flat=True), object_type=ObjectType.CLIENT)
    slots = [{"slot": slot, "book_url": _schedule_link(slot, client, minutes)} for slot in found.slots] if found else []
    return render(request, "visits/free_times.html", {
        "form": form, "found": found, "slots": slots, "client": client,
    }, status=400 if form.is_bound and form.errors else 200)
