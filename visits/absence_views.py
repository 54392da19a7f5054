"""Staff absences on the web: the coordinator's "Absences" page per team, withdrawing or shortening one,
and the phone's "Report sick". Writes go through visits.absences; nothing here decides who may."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from access.choices import ObjectType
from access.log import log_listing
from access.policy import VISITING_ROLES, policy
from access.view_guards import coordinator_required, roles_required
from pairwork.form_errors import add_service_errors

from . import absences
from .absence_forms import FIELD_MAP, AbsenceForm, ReportSickForm, ShortenForm
from .links import with_page_urls
from .models import AbsenceKind, StaffAbsence

ABSENCES_PER_PAGE = 20


def _chosen_teams(request: HttpRequest):
    teams = policy(request.user).managed_teams().order_by("name")
    picked = request.GET.get("team", "")
    if picked.isdigit():
        return teams.filter(pk=int(picked)), int(picked)
    return teams, None


def _affected_message(absence: StaffAbsence) -> str:
    count = absences.affected_visits(absence).count()
    if not count:
        return _("Saved: %(person)s is absent %(period)s. No visits are affected.") % {
            "person": absence.person.display_name, "period": absences.absence_period(absence),
        }
    return ngettext(
        "Saved: %(person)s is absent %(period)s. %(count)d visit is affected; it is flagged on the calendar.",
        "Saved: %(person)s is absent %(period)s. %(count)d visits are affected; they are flagged on the calendar.",
        count,
    ) % {"person": absence.person.display_name, "period": absences.absence_period(absence), "count": count}


def _stand_ins_url(absence) -> str:
    """The stand-in page for exactly the visits this absence overlaps ("apply the best stand-in to all")."""
    query = urlencode({
        "staff": absence.person_id,
        "date_from": timezone.localdate(absence.starts_at).isoformat(),
        "date_to": timezone.localdate(absence.ends_at - dt.timedelta(microseconds=1)).isoformat(),
        "absence": absence.pk,
    })
    return f"{reverse('visits:stand_ins_for_person')}?{query}"


@coordinator_required
@require_http_methods(["GET", "POST"])
def absence_list(request: HttpRequest) -> HttpResponse:
    """Current and upcoming absences of the team's people, each with the visits it affects; the record form."""
    teams, team_id = _chosen_teams(request)
    people = (
        policy(request.user).visible_staff().filter(teams__in=teams, role__in=VISITING_ROLES, user__is_active=True)
        .select_related("user").distinct().order_by("user__first_name", "user__last_name")
    )
    form = AbsenceForm(request.POST or None, people=people)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                absence = absences.record_absence(
                    person=data["person"], kind=data["kind"], starts_at=data["starts_at"], ends_at=data["ends_at"],
                    all_day=data["all_day"], note=data["note"], by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error, FIELD_MAP)
            else:
                messages.success(request, _affected_message(absence))
                return redirect(request.get_full_path())
        status = 400
    listed = (
        StaffAbsence.objects.visible_to(request.user).active()
        .filter(person__in=people.values("pk"), ends_at__gt=timezone.now())
        .select_related("person__user").order_by("starts_at", "pk")
    )
    page = Paginator(listed, ABSENCES_PER_PAGE).get_page(request.GET.get("page"))
    affected = absences.affected_by_person(page.object_list)
    rows = [
        {
            "absence": absence, "period": absences.absence_period(absence),
            "visits": with_page_urls(affected.get(absence.pk, [])), "stand_ins_url": _stand_ins_url(absence),
        }
        for absence in page.object_list
    ]
    # The affected visits name their clients: a list read of each.
    log_listing(user=request.user, client_ids=[v.client_id for row in rows for v in row["visits"]], object_type=ObjectType.VISIT)
    return render(request, "visits/absences.html", {
        "form": form, "rows": rows, "page": page, "now": timezone.now(),
        "teams": policy(request.user).managed_teams().order_by("name"), "team_id": team_id,
        "team_query": f"team={team_id}" if team_id else "",
    }, status=status)


def _managed_absence(request: HttpRequest, pk: int) -> StaffAbsence:
    """An absence the user may withdraw or shorten, else 404 (its existence is not revealed)."""
    absence = StaffAbsence.objects.visible_to(request.user).select_related("person__user").filter(pk=pk).first()
    if absence is None or not policy(request.user).absence_manager_access(absence):
        raise Http404
    return absence


@coordinator_required
@require_http_methods(["GET", "POST"])
def absence_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw an absence (with confirmation) or shorten it: the person is back sooner."""
    absence = _managed_absence(request, pk)
    shorten = ShortenForm(request.POST if request.POST.get("action") == "shorten" else None)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "withdraw":
                absences.withdraw_absence(absence=absence, by=request.user)
                messages.success(request, _("Withdrawn: %(person)s is no longer marked absent %(period)s.") % {
                    "person": absence.person.display_name, "period": absences.absence_period(absence),
                })
                return redirect("visits:absences")
            if shorten.is_valid():
                day = shorten.cleaned_data["last_day"]
                ends_at = absences.all_day_range(day, day)[1]  # back at work the morning after the new last day
                absence = absences.shorten_absence(absence=absence, ends_at=ends_at, by=request.user)
                messages.success(request, _("Saved: %(person)s is now absent %(period)s.") % {
                    "person": absence.person.display_name, "period": absences.absence_period(absence),
                })
                return redirect("visits:absences")
        except ValidationError as error:
            add_service_errors(shorten, error, {"ends_at": "last_day"})
        status = 400
    return render(request, "visits/absence_change.html", {
        "absence": absence, "period": absences.absence_period(absence), "shorten": shorten,
        "affected_count": absences.affected_visits(absence).count(),
    }, status=status)


@roles_required(VISITING_ROLES)
@require_http_methods(["GET", "POST"])
def report_sick(request: HttpRequest) -> HttpResponse:
    """An artist or nurse reports their own sick leave from the phone: today, or until a date."""
    form = ReportSickForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        me = policy(request.user).profile
        starts_at, ends_at = absences.all_day_range(timezone.localdate(), form.cleaned_data["last_day"])
        try:
            absence = absences.record_absence(
                person=me, kind=AbsenceKind.SICK_LEAVE, starts_at=starts_at, ends_at=ends_at, all_day=True, by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error, {"starts_at": "last_day", "ends_at": "last_day"})
        else:
            count = absences.affected_visits(absence).count()
            messages.success(request, ngettext(
                "Get well soon. You are reported sick %(period)s; your coordinator is told about your %(count)d visit.",
                "Get well soon. You are reported sick %(period)s; your coordinator is told about your %(count)d visits.",
                count,
            ) % {"period": absences.absence_period(absence), "count": count})
            return redirect("home")
    return render(request, "visits/report_sick.html", {"form": form}, status=400 if form.is_bound else 200)
