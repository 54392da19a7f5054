"""Answering pages for staff and nurses, and the managers' dashboard with its CSV export."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access import guard, page_cache
from access.choices import ObjectType
from access.log import log_listing
from access.models import AccessLog
from access.policy import Policy, policy
from pairwork.csv_export import csv_response
from pairwork.models import Role
from pairwork.roles import role_of
from visits.models import Visit

from . import metrics, outcome_schedule, selectors, services, tasks
from .dashboard import build_dashboard, dashboard_scope, filters_for, suppressed_label
from .forms import ClientOutcomeForm, DashboardFilterForm, DueMeasurementsFilterForm, InstrumentAnswerForm, MonthlySurveyForm, SickLeaveCostForm
from .models import TimePoint

OUTCOME_TIME_POINTS = (TimePoint.BASELINE, TimePoint.FOLLOW_UP)


def _next_or_home(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


# --- Staff: post-visit pulse and monthly survey ------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def pulse(request: HttpRequest, visit_id: int) -> HttpResponse:
    """The 1-minute pulse after a visit, for the visit's artist and nurse only (others: 404)."""
    rules = policy(request.user)
    profile = rules.profile
    visit = Visit.objects.select_related("pair__team").filter(pk=visit_id).first()
    if visit is None or not rules.participant_access(visit):
        raise Http404
    instrument = selectors.current_instrument(metrics.PULSE)
    if instrument is None:
        raise Http404
    already = visit.survey_responses.filter(respondent=profile, instrument__code=metrics.PULSE).exists()
    form = InstrumentAnswerForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and not already and form.is_valid():
        try:
            services.submit_post_visit_pulse(visit=visit, staff=profile, answers=form.answers(), by=request.user)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Thank you! Your pulse was saved."))
            return redirect(_next_or_home(request))
    return render(
        request,
        "wellbeing/pulse.html",
        {"form": form, "instrument": instrument, "visit": visit, "already": already, "next": _next_or_home(request)},
        status=400 if request.method == "POST" and not already else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def monthly(request: HttpRequest) -> HttpResponse:
    """This month's staff wellbeing survey, once a month, for nurses and artists."""
    rules = policy(request.user)
    profile = rules.profile
    if not rules.visits_clients:
        raise PermissionDenied
    instrument = selectors.current_instrument(metrics.MONTHLY)
    if instrument is None:
        raise Http404
    period = selectors.month_start(timezone.localdate())
    answered = selectors.monthly_answer_of(profile, period)
    teams = profile.teams.order_by("name")
    form = MonthlySurveyForm(request.POST or None, instrument=instrument, teams=teams)
    if request.method == "POST" and answered is None and form.is_valid():
        try:
            services.submit_monthly_survey(
                staff=profile, team=form.cleaned_data["team"], answers=form.answers(), by=request.user
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Thank you! This month's survey is done."))
            return redirect("home")
    return render(
        request,
        "wellbeing/monthly.html",
        {"form": form, "instrument": instrument, "period": period, "answered": answered, "has_team": teams.exists()},
        status=400 if request.method == "POST" and answered is None else 200,
    )


# --- Nurse with the client: baseline and follow-up -------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def client_outcome(request: HttpRequest, client_id: int) -> HttpResponse:
    """A nurse who visits the client records the client's outcome measures with them.

    Reading the page and saving are both written to the client's access log;
    anyone else gets a logged denial and a 404.
    """
    action = AccessLog.Action.CREATE if request.method == "POST" else AccessLog.Action.VIEW
    client, _access = guard.fetch(request.user, ObjectType.CLIENT, client_id, rule=Policy.outcome_record_access, action=action)
    instrument = selectors.current_instrument(metrics.CLIENT_OUTCOME)
    if instrument is None:
        raise Http404
    has_baseline = selectors.client_has_baseline(client)
    series = selectors.series_of(client)
    # The button of a due measurement names its time point; otherwise the next one in order.
    asked = request.GET.get("time_point")
    time_point = asked if asked in OUTCOME_TIME_POINTS else TimePoint.FOLLOW_UP if has_baseline else TimePoint.BASELINE
    form = ClientOutcomeForm(
        request.POST or None,
        instrument=instrument,
        series=series,
        initial={"time_point": time_point, "series": series.first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_client_outcome(
                client=client,
                time_point=form.cleaned_data["time_point"],
                answers=form.answers(),
                series=form.cleaned_data["series"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The client's answers were saved."))
            return redirect(_next_or_home(request))
    history = list(selectors.client_outcome_history(client))
    return render(
        request,
        "wellbeing/client_outcome.html",
        {"form": form, "instrument": instrument, "client": client, "history": history, "has_baseline": has_baseline,
         "next": _next_or_home(request)},
        status=400 if request.method == "POST" else 200,
    )


# --- Coordinators: the team's due and overdue measurements --------------------------------------

DUE_PER_PAGE = 25


@login_required
def due_measurements(request: HttpRequest) -> HttpResponse:
    """The coordinator's list of their teams' clients whose baseline or follow-up is due or overdue.

    Each client shown on the page is logged as a list read.
    """
    if role_of(request.user) != Role.COORDINATOR:
        raise PermissionDenied
    form = DueMeasurementsFilterForm(request.GET or None, teams=policy(request.user).own_teams().order_by("name"))
    clients = outcome_schedule.schedule_clients(request.user)
    status = ""
    if form.is_bound and form.is_valid():
        if form.cleaned_data["team"]:
            clients = clients.filter(team=form.cleaned_data["team"])
        status = form.cleaned_data["status"]
    pending = outcome_schedule.needing_action(outcome_schedule.with_paired_visits(clients))
    if status:
        pending = [s for s in pending if s.next_action.status == status]
    page = Paginator(pending, DUE_PER_PAGE).get_page(request.GET.get("page"))
    log_listing(user=request.user, client_ids=[s.client.pk for s in page], object_type=ObjectType.CLIENT)
    filter_query = request.GET.copy()
    filter_query.pop("page", None)
    return render(
        request,
        "wellbeing/due_measurements.html",
        {"form": form, "page": page, "filter_query": filter_query.urlencode(), "filtered": bool(filter_query)},
    )


# --- Managers: dashboard, export, refresh, cost setting ---------------------------------------------

def _scope_or_403(request: HttpRequest):
    scope = dashboard_scope(request.user)
    if scope is None:
        raise PermissionDenied
    return scope


def _filters(request: HttpRequest, scope, *, every_team: bool = False):
    form = DashboardFilterForm(request.GET or None, teams=scope.teams)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, filters_for(scope, team_id=data["team"], start=data["start"], end=data["end"], every_team=every_team)
    return form, filters_for(scope, every_team=every_team)


def _team_options(form) -> str:
    """The team select's options, the chosen one selected."""
    chosen = str(form["team"].value() or "")
    return format_html_join(
        "", "<option value=\"{}\"{}>{}</option>",
        ((value, mark_safe(" selected") if str(value) == chosen else "", label) for value, label in form.fields["team"].choices),
    )


def _team_links(request: HttpRequest, filters) -> list[tuple[str, str]]:
    """(name, query) of each team, for the all-teams view: the same months, one team."""
    if filters.per_team:
        return []
    query = request.GET.copy()
    links = []
    for team in filters.teams:
        query["team"] = str(team.pk)
        links.append((team.name, query.urlencode()))
    return links


def dashboard_context(request: HttpRequest, scope, *, cost_form: SickLeaveCostForm | None = None) -> tuple[dict, bool]:
    """What the dashboard and its printable report show, built once: the two cannot differ. (context, filters valid)"""
    form, filters = _filters(request, scope)
    board = build_dashboard(filters)
    team_links = _team_links(request, filters)
    context = {
        "form": form,
        "filters": filters,
        "board": board,
        "tables": [(table, table.display_rows()) for table in board.tables],
        "evidence_tables": [(table, table.display_rows()) for table in board.evidence],
        "cost_form": cost_form or SickLeaveCostForm(initial={"cost_per_day": board.cost_per_day}),
        "query": request.GET.urlencode(),
        "team_links": team_links,
        # Built in Python: an organisation-wide view lists every team twice (the select and the links).
        "team_link_items": format_html_join(
            "", '<li><a class="btn btn-outline-secondary btn-sm" href="?{}">{}</a></li>',
            ((team_query, name) for name, team_query in team_links),
        ),
        "team_options": _team_options(form),
        "suppressed_label": suppressed_label(),
    }
    return context, not (form.is_bound and not form.is_valid())


def _render_dashboard(request: HttpRequest, scope, *, cost_form: SickLeaveCostForm | None = None) -> HttpResponse:
    context, valid = dashboard_context(request, scope, cost_form=cost_form)
    return render(request, "wellbeing/dashboard.html", context, status=400 if cost_form is not None or not valid else 200)


@page_cache.cacheable
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Aggregates only, for managers (their teams, or all when organisation-wide) and administrators."""
    return _render_dashboard(request, _scope_or_403(request))


# The report's tables: the ones that fit a page (the monthly tables are on the dashboard and in the CSV files).
# Above them the stored analyses (_evidence_tables.html): the client change over all time is the first columns
# of evidence_client, and the staff card has each team's before/with figures, so the report gives the page to
# the comparison against time (evidence_staff) instead of the before/with table.
REPORT_TABLES = ("sick_leave_cost",)


@login_required
def dashboard_report(request: HttpRequest) -> HttpResponse:
    """A printable one-page evidence summary of the chosen team and period: the dashboard's cards and tables."""
    context, valid = dashboard_context(request, _scope_or_403(request))
    context["report_tables"] = [
        (table, rows) for table, rows in context["tables"] if table.slug in REPORT_TABLES
    ]
    context["printed_at"] = timezone.localtime()
    return render(request, "wellbeing/report.html", context, status=200 if valid else 400)


@login_required
def dashboard_export(request: HttpRequest, table: str) -> HttpResponse:
    """One dashboard table as CSV, with exactly the page's suppression; in the all-teams view every team's rows too."""
    scope = _scope_or_403(request)
    form, filters = _filters(request, scope, every_team=True)
    if form.is_bound and not form.is_valid():
        # Bad filters are a 400 with the reasons, never a file for other months than asked.
        problems = "\n".join(f"{field}: {message}" for field, messages in form.errors.items() for message in messages)
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    chosen = build_dashboard(filters).table(table)
    if chosen is None:
        raise Http404
    return csv_response(
        filename=f"wellbeing-{chosen.slug}-{filters.start:%Y-%m}-{filters.end:%Y-%m}.csv",
        header=chosen.csv_header(),
        rows=chosen.csv_rows(),
    )


@login_required
@require_POST
def dashboard_refresh(request: HttpRequest) -> HttpResponse:
    """Ask for a complete recompute now (in the background when a worker runs)."""
    _scope_or_403(request)
    if tasks.enqueue_reconcile():
        messages.success(request, _("Refresh started. The figures are recomputed from all answers."))
    else:
        messages.warning(request, _("The refresh could not be started now; the nightly update will run as usual."))
    return redirect(f"{reverse('wellbeing:dashboard')}?{request.GET.urlencode()}")


@login_required
@require_POST
def sick_leave_cost(request: HttpRequest) -> HttpResponse:
    scope = _scope_or_403(request)
    form = SickLeaveCostForm(request.POST)
    if not form.is_valid():
        return _render_dashboard(request, scope, cost_form=form)
    services.set_sick_leave_cost(cost_per_day=form.cleaned_data["cost_per_day"], by=request.user)
    messages.success(request, _("The cost per sick-leave day was updated."))
    return redirect(f"{reverse('wellbeing:dashboard')}?{request.GET.urlencode()}#sick_leave_cost")
