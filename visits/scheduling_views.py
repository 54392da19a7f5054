"""The coordinator's scheduling pages: schedule (with suggestions), series report, move, cancel."""
from __future__ import annotations

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
from access.policy import Policy, policy
from clients.models import Client
from pairwork.form_errors import add_service_errors
from access.view_guards import coordinator_required, coordinator_series_page, coordinator_visit_page

from . import services
from .conflicts import clashes_from_records, format_local_range
from .links import with_page_urls
from .scheduling_forms import SERVICE_FIELD_MAP, CancelForm, RescheduleForm, ScheduleVisitForm, VisitSearchForm
from .services import SchedulingConflict
from .suggestions import suggest_pairs
from .travel import tight_transfers


def _schedulable_clients(user):
    return (
        Client.objects.visible_to(user)
        .filter(team__in=policy(user).managed_teams(), archived_at__isnull=True)
        .select_related("team")
    )


def _show_conflict(request: HttpRequest, form, conflict: SchedulingConflict) -> None:
    form.add_error(None, [_("The time is taken:")] + conflict.messages)
    form.refused_as_conflict = True
    services.record_conflict_disclosure(by=request.user, conflict=conflict)


def _calendar_day_url(moment) -> str:
    return reverse("visits:calendar_day", args=[timezone.localdate(moment).isoformat()])


@coordinator_required
def schedule(request: HttpRequest) -> HttpResponse:
    """Pick client and time, see ranked pairs with reasons, pick one (and a recurrence), save.

    Step 1 is a GET (nothing changes; client ids only in the URL), step 2 a POST.
    """
    user = request.user
    clients = _schedulable_clients(user)
    if request.method == "POST":
        form = ScheduleVisitForm(request.POST, clients=clients, pairs=policy(user).visible_pairs())
        if form.is_valid():
            response = _save_schedule(request, form)
            if response is not None:
                return response
        search = form
    elif "day" in request.GET and "client" in request.GET:
        search = form = VisitSearchForm(request.GET, clients=clients)
        if search.is_valid():
            form = ScheduleVisitForm(initial=search.cleaned_data, clients=clients, pairs=policy(user).visible_pairs())
    else:
        # A link from a client's page or a calendar's day or empty hour prefills what it knows
        # (client; day, time, duration) without complaining about the rest.
        initial = {"duration_minutes": 60, **{
            key: request.GET[key] for key in ("client", "day", "start_time", "duration_minutes") if request.GET.get(key)
        }}
        search = form = VisitSearchForm(initial=initial, clients=clients)

    suggestions = None
    if search.is_bound and search.cleaned_data.get("client") and search.cleaned_data.get("starts_at"):
        client, _access = guard.fetch(user, ObjectType.CLIENT, search.cleaned_data["client"].pk)
        suggestions = suggest_pairs(
            client=client, starts_at=search.cleaned_data["starts_at"], ends_at=search.cleaned_data["ends_at"], viewer=user
        )
    # The client drop-down names every schedulable client: a list read of each.
    log_listing(user=user, client_ids=clients.values_list("pk", flat=True), object_type=ObjectType.CLIENT)
    refused = any(each.is_bound and each.errors for each in (search, form))
    status = 409 if getattr(form, "refused_as_conflict", False) else 400 if refused else 200
    return render(request, "visits/schedule.html", {
        "search": search, "form": form, "suggestions": suggestions,
        "selected_pair_id": _selected_pair_id(form, suggestions, request.GET.get("pair")),
    }, status=status)


def _selected_pair_id(form, suggestions, requested: str | None = None) -> int | None:
    """The pair the user picked, else the one a link asked for (the free-time page) if bookable, else the best."""
    chosen = form["pair"].value() if "pair" in form.fields and form.is_bound else None
    if chosen:
        return int(chosen) if str(chosen).isdigit() else None
    bookable = suggestions.bookable if suggestions is not None else []
    if requested and requested.isdigit() and any(s.pair.pk == int(requested) for s in bookable):
        return int(requested)
    return bookable[0].pair.pk if bookable else None


def _save_schedule(request: HttpRequest, form: ScheduleVisitForm) -> HttpResponse | None:
    data = form.cleaned_data
    try:
        if data.get("repeat"):
            result = services.schedule_series(
                client=data["client"], pair=data["pair"], first_starts_at=data["starts_at"],
                duration=data["ends_at"] - data["starts_at"], interval_weeks=data["interval_weeks"],
                until=data.get("until"), count=data.get("count"), by=request.user,
            )
            messages.success(request, ngettext(
                "%(created)d visit was scheduled, %(skipped)d skipped.",
                "%(created)d visits were scheduled, %(skipped)d skipped.",
                len(result.created),
            ) % {"created": len(result.created), "skipped": len(result.skipped)})
            return redirect("visits:series", result.series.pk)
        visit = services.schedule_visit(
            client=data["client"], pair=data["pair"], starts_at=data["starts_at"], ends_at=data["ends_at"], by=request.user,
        )
    except ValidationError as error:
        add_service_errors(form, error, SERVICE_FIELD_MAP)
    except SchedulingConflict as conflict:
        _show_conflict(request, form, conflict)
    else:
        messages.success(request, _("The visit was scheduled for %(when)s.") % {
            "when": format_local_range(visit.starts_at, visit.ends_at),
        })
        _warn_about_travel_time(request, visit)
        return redirect(_calendar_day_url(visit.starts_at))
    return None


def _warn_about_travel_time(request: HttpRequest, visit) -> None:
    """Booked, but a member arrives from or leaves for another address with less than the team's travel time."""
    for transfer in tight_transfers(
        people=[visit.pair.artist, visit.pair.nurse], address=visit.client.street_address,
        starts_at=visit.starts_at, ends_at=visit.ends_at, buffer_minutes=visit.pair.team.travel_buffer_minutes,
        exclude_visit_ids=[visit.pk],
    ):
        messages.warning(request, transfer.message)


@coordinator_series_page
def series_report(request: HttpRequest, pk: int) -> HttpResponse:
    """What a recurrence created and what it skipped, and why (who was busy when)."""
    series, _access = guard.fetch(request.user, ObjectType.VISIT_SERIES, pk)
    client = series.client
    visits = with_page_urls(series.visits.with_people().order_by("starts_at"))
    skipped = [
        {"occurrence": skip, "clashes": clashes_from_records(skip.clashes, viewer=request.user, client=client)}
        for skip in series.skipped.order_by("starts_at")
    ]
    # Naming the other clients someone was busy with is a read of their data.
    log_listing(
        user=request.user,
        client_ids=[c.other_client_id for item in skipped for c in item["clashes"] if c.other_client_name],
        object_type=ObjectType.VISIT,
    )
    return render(request, "visits/series.html", {"series": series, "client": client, "visits": visits, "skipped": skipped})


def _visit_for_change(request: HttpRequest, pk: int):
    """The visit a page shows and may move or cancel: read logged by the guard, a change by its service."""
    action = AccessLog.Action.UPDATE if request.method == "POST" else AccessLog.Action.VIEW
    visit, _access = guard.fetch(request.user, ObjectType.VISIT, pk, rule=Policy.visit_manager_access, action=action)
    return visit


@coordinator_visit_page
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_for_change(request, pk)
    local_start = timezone.localtime(visit.starts_at)
    form = RescheduleForm(request.POST or None, initial={
        "day": local_start.date(), "start_time": local_start.time(), "duration_minutes": visit.duration_minutes,
    })
    form.drop_scope_unless_series(visit.series_id is not None)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.reschedule_visit(
                visit=visit, starts_at=form.cleaned_data["starts_at"], ends_at=form.cleaned_data["ends_at"],
                reason=form.cleaned_data["reason"], scope=form.chosen_scope, by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error, SERVICE_FIELD_MAP)
        except SchedulingConflict as conflict:
            _show_conflict(request, form, conflict)
        else:
            messages.success(request, ngettext("%(count)d visit was moved.", "%(count)d visits were moved.", len(moved)) % {
                "count": len(moved),
            })
            return redirect(_calendar_day_url(form.cleaned_data["starts_at"]))
    return render(request, "visits/reschedule.html", {
        "visit": visit, "form": form, "history": visit.events.select_related("by", "previous_staff__user", "staff__user").order_by("at", "pk"),
    })


@coordinator_visit_page
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_for_change(request, pk)
    form = CancelForm(request.POST or None)
    form.drop_scope_unless_series(visit.series_id is not None)
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = services.cancel_visit(
                visit=visit, reason=form.cleaned_data["reason"], scope=form.chosen_scope, by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, ngettext(
                "%(count)d visit was cancelled.", "%(count)d visits were cancelled.", len(cancelled)
            ) % {"count": len(cancelled)})
            return redirect(_calendar_day_url(visit.starts_at))
    return render(request, "visits/cancel.html", {"visit": visit, "form": form})
