"""The coordinator's stand-in pages: who comes instead for one visit, and for all of one person's visits in a period.

The visit is fetched through access.guard (one access-log row); applying goes
through visits.standins, whose service logs the change instead.
"""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from access import guard
from access.choices import ObjectType
from access.log import log_listing
from access.models import AccessLog
from access.policy import Policy, policy
from access.view_guards import coordinator_required, coordinator_visit_page
from pairwork.limits import validate_date_in_window
from pairwork.models import Role, StaffProfile
from pairwork.pair_forms import DateInput

from . import services, standins
from .conflicts import SchedulingConflict, format_local_date, format_local_range
from .models import StaffAbsence
from .recurrence import local_datetime

MAX_PERIOD_DAYS = 62


def _person_id(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


@coordinator_visit_page
def stand_ins(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the ranked options for `?person=`, a confirmation for `&option=`; POST: apply it."""
    action = AccessLog.Action.UPDATE if request.method == "POST" else AccessLog.Action.VIEW
    visit, _access = guard.fetch(request.user, ObjectType.VISIT, pk, rule=Policy.visit_manager_access, action=action)
    data = request.POST if request.method == "POST" else request.GET
    participants = list(visit.participants.all())
    person_id = _person_id(data.get("person"))
    absent = next((p.staff for p in participants if p.staff_id == person_id), None)
    context = {"visit": visit, "participants": participants, "absent": absent, "weighting": standins.weighting_sentence()}
    if absent is None:
        status = 400 if data.get("person") else 200
        if status == 400:
            context["error"] = _("Choose who cannot come: one of the visit's participants.")
        return render(request, "visits/stand_ins.html", context, status=status)

    status = 200
    if request.method == "POST":
        try:
            option = standins.find_option(visit, absent, data.get("option", ""), request.user)
            standins.apply_option(visit=visit, absent_person=absent, option=option, by=request.user)
        except SchedulingConflict as conflict:
            services.record_conflict_disclosure(by=request.user, conflict=conflict)
            context["error"] = " ".join([_("The time is taken:")] + conflict.messages)
            status = 409
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            status = 400
        else:
            if option.is_move:
                messages.success(request, _("The visit was moved to %(when)s.") % {
                    "when": format_local_range(option.starts_at, option.ends_at)})
            else:
                messages.success(request, _("Stand-in applied: %(people)s come to the visit on %(when)s.") % {
                    "people": option.title, "when": format_local_range(visit.starts_at, visit.ends_at)})
            return redirect("visits:detail", visit.pk)
    try:
        options = standins.stand_in_options(visit, absent, request.user)
    except ValidationError as error:
        options, context["error"], status = [], " ".join(error.messages), 400
    chosen = next((o for o in options if o.key == data.get("option")), None) if request.method == "GET" else None
    day = timezone.localdate(visit.starts_at)
    context |= {
        "options": options, "chosen": chosen,
        "period": {"staff": absent.pk, "date_from": day.isoformat(), "date_to": (day + dt.timedelta(days=6)).isoformat()},
    }
    return render(request, "visits/stand_ins.html", context, status=status)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person: StaffProfile) -> str:
        return f"{person.display_name} ({person.get_role_display()})"


class StandInPeriodForm(forms.Form):
    staff = StaffChoiceField(label=gettext_lazy("Who cannot come"), queryset=StaffProfile.objects.none())
    date_from = forms.DateField(label=gettext_lazy("From"), widget=DateInput(), validators=[validate_date_in_window])
    date_to = forms.DateField(label=gettext_lazy("To"), widget=DateInput(), validators=[validate_date_in_window])
    # From the Absences page: only the visits that this absence of the person overlaps (it may be a few hours).
    absence = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            StaffProfile.objects.filter(role__in=(Role.ARTIST, Role.NURSE), teams__in=policy(user).managed_teams())
            .select_related("user").distinct()
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end is before the start."))
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("date_to", _("Choose at most %(days)d days.") % {"days": MAX_PERIOD_DAYS})
        return data


@coordinator_required
def stand_ins_for_person(request: HttpRequest) -> HttpResponse:
    """`?staff=&date_from=&date_to=`: that person's planned visits then, and "apply the best stand-in to all"."""
    form = StandInPeriodForm(request.GET if "staff" in request.GET else None, user=request.user)
    context: dict = {"form": form, "visits": [], "report": None}
    if not form.is_bound:
        return render(request, "visits/stand_ins_period.html", context)
    if not form.is_valid():
        return render(request, "visits/stand_ins_period.html", context, status=400)
    person, start_day, end_day = form.cleaned_data["staff"], form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    start = local_datetime(start_day, dt.time.min)
    end = local_datetime(end_day + dt.timedelta(days=1), dt.time.min)
    absence = None
    if form.cleaned_data.get("absence"):
        absence = (
            StaffAbsence.objects.visible_to(request.user).active()
            .filter(pk=form.cleaned_data["absence"], person=person).first()
        )
        if absence is None:
            form.add_error("staff", _("No such absence of this person."))
            return render(request, "visits/stand_ins_period.html", context, status=400)
        start, end = max(start, absence.starts_at), min(end, absence.ends_at)
    context |= {
        "person": person, "date_from": format_local_date(start_day), "date_to": format_local_date(end_day),
        "absence": absence,
    }
    if request.method == "POST":
        visits = list(standins.visits_of(person, start, end, request.user))
        try:
            report = standins.apply_best_to_all(visits=visits, absent_person=person, by=request.user)
        except PermissionDenied:
            raise
        applied = sum(1 for item in report if item.outcome == "applied")
        messages.success(request, ngettext(
            "%(applied)d of %(count)d visit got a stand-in.", "%(applied)d of %(count)d visits got a stand-in.", len(report),
        ) % {"applied": applied, "count": len(report)})
        context["report"] = report
        log_listing(user=request.user, client_ids=[item.visit.client_id for item in report], object_type=ObjectType.VISIT)
        return render(request, "visits/stand_ins_period.html", context)
    visits = list(standins.visits_of(person, start, end, request.user))
    log_listing(user=request.user, client_ids=[visit.client_id for visit in visits], object_type=ObjectType.VISIT)
    context["visits"] = visits
    return render(request, "visits/stand_ins_period.html", context)
