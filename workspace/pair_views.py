"""The coordinator's work-pair pages: list, create, view, edit, end."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from access import page_cache
from access.policy import policy
from access.view_guards import coordinator_required
from pairwork.form_errors import add_service_errors
from pairwork.pair_forms import EndPairForm, PairEditForm, PairForm
from visits.models import Visit, VisitStatus

from . import pair_services


@page_cache.cacheable
@coordinator_required
def pair_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "working")
    today = timezone.localdate()
    # Each pair's planned visits counted through the (pair, starts_at) index, rather than a join of all its visits
    # grouped afterwards: the page's cost stays with the pairs shown, not with years of visit history.
    planned = (
        Visit.objects.filter(pair=OuterRef("pk"), status=VisitStatus.PLANNED, starts_at__gte=timezone.now())
        .order_by().values("pair").annotate(n=Count("*")).values("n")
    )
    pairs = policy(request.user).visible_pairs().with_people().annotate(
        planned=Coalesce(Subquery(planned, output_field=IntegerField()), 0),
    ).order_by("team__name", "artist__user__last_name", "nurse__user__last_name")
    if show == "ended":
        pairs = pairs.filter(active_until__lt=today)
    elif show != "all":
        show = "working"
        pairs = pairs.filter(Q(active_until__isnull=True) | Q(active_until__gte=today))
    return render(request, "pairwork/pairs/list.html", {"pairs": pairs, "show": show, "today": today})


@coordinator_required
def pair_create(request: HttpRequest) -> HttpResponse:
    teams = policy(request.user).managed_teams()
    form = PairForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            pair = pair_services.create_pair(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The pair %(pair)s was formed.") % {"pair": pair})
            return redirect("pairwork:pair_detail", pair.pk)
    return render(request, "pairwork/pairs/form.html", {"form": form, "title": _("New work pair")})


@login_required
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Coordinators of the team and both members see the pair and its shared agreement."""
    pair = get_object_or_404(policy(request.user).visible_pairs().with_people(), pk=pk)
    return render(request, "pairwork/pairs/detail.html", {
        "pair": pair,
        "may_manage": policy(request.user).may_manage_team(pair.team_id),
        "is_working": pair.is_active_on(timezone.localdate()),
    })


@coordinator_required
def pair_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(policy(request.user).visible_pairs().with_people(), pk=pk)
    form = PairEditForm(request.POST or None, initial={"active_from": pair.active_from, "shared_agreement": pair.shared_agreement})
    if request.method == "POST" and form.is_valid():
        try:
            pair_services.update_pair(pair=pair, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The pair's details were saved."))
            return redirect("pairwork:pair_detail", pair.pk)
    return render(request, "pairwork/pairs/form.html", {"form": form, "pair": pair, "title": _("Edit work pair")})


@coordinator_required
def pair_end(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(policy(request.user).visible_pairs().with_people(), pk=pk)
    form = EndPairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pair_services.end_pair(pair=pair, last_day=form.cleaned_data["last_day"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The pair was ended. Its visits and agreement are kept."))
            return redirect("pairwork:pair_detail", pair.pk)
    return render(request, "pairwork/pairs/end.html", {"form": form, "pair": pair})
