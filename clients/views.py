"""The coordinator's client pages: list, detail, create, edit, archive, familiar nurses, service circle.

Clients are fetched only through access.guard (every read logged, outsiders
404) and written only through clients.records.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access import guard
from access.choices import ObjectType
from access.log import log_listing
from access.models import AccessLog
from access.policy import policy
from pairwork.choices import ArtForm
from pairwork.form_errors import add_service_errors
from access.view_guards import coordinator_client_page, coordinator_required
from visits.links import with_page_urls
from visits.models import Visit

from . import records
from .forms import ClientFilterForm, ClientForm, FamiliarNurseFormSet, ServiceCircleFormSet
from .models import CareRelationship, Client

LIST_LIMIT = 300


def _client_rows(user) -> QuerySet[Client]:
    """The user's clients with what the list shows, in one query: primary nurse and next visit."""
    primary = CareRelationship.objects.filter(client=OuterRef("pk"), is_primary=True).annotate(
        name=Concat(F("nurse__user__first_name"), Value(" "), F("nurse__user__last_name"))
    )
    next_visit = Visit.objects.active().filter(client=OuterRef("pk"), starts_at__gte=timezone.now()).order_by("starts_at")
    return (
        Client.objects.visible_to(user)
        .filter(team__in=policy(user).managed_teams())
        .select_related("team")
        .annotate(
            primary_nurse=Subquery(primary.values("name")[:1]),
            next_visit_at=Subquery(next_visit.values("starts_at")[:1]),
        )
    )


def _filtered(clients: QuerySet[Client], filters: dict) -> QuerySet[Client]:
    status = filters.get("status") or "active"
    if status == "active":
        clients = clients.filter(archived_at__isnull=True)
    elif status == "archived":
        clients = clients.filter(archived_at__isnull=False)
    if filters.get("team"):
        clients = clients.filter(team=filters["team"])
    if filters.get("area"):
        clients = clients.filter(area=filters["area"])
    if filters.get("without_consent"):
        clients = clients.filter(consent_given=False)
    for word in (filters.get("q") or "").split():
        clients = clients.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(street_address__icontains=word)
        )
    return clients


def _client_to_change(request: HttpRequest, pk: int):
    """The client of a page that shows it and may change it: the guard logs the read, the service a change."""
    action = AccessLog.Action.UPDATE if request.method == "POST" else AccessLog.Action.VIEW
    return guard.fetch(request.user, ObjectType.CLIENT, pk, action=action)


@coordinator_required
def client_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    teams = policy(user).managed_teams()
    areas = (
        Client.objects.visible_to(user).filter(team__in=teams).order_by("area").values_list("area", flat=True).distinct()
    )
    form = ClientFilterForm(request.POST or None, teams=teams, areas=list(areas))
    filters = form.cleaned_data if request.method == "POST" and form.is_valid() else {"status": "active"}
    clients = list(_filtered(_client_rows(user), filters).order_by("last_name", "first_name")[: LIST_LIMIT + 1])
    truncated = len(clients) > LIST_LIMIT
    clients = clients[:LIST_LIMIT]
    log_listing(user=user, client_ids=[c.pk for c in clients], object_type=ObjectType.CLIENT)
    return render(request, "clients/list.html", {
        "form": form, "clients": clients, "truncated": truncated, "limit": LIST_LIMIT,
    })


@coordinator_client_page
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client, _access = guard.fetch(request.user, ObjectType.CLIENT, pk)
    now = timezone.now()
    visits = Visit.objects.visible_to(request.user).filter(client=client).with_people()
    return render(request, "clients/detail.html", {
        "client": client,
        "show_health_notes": policy(request.user).sees_health_data,
        "familiar_nurses": client.care_relationships.select_related("nurse__user"),
        "service_circle": client.service_circle.all(),
        "upcoming": with_page_urls(visits.active().filter(ends_at__gte=now).order_by("starts_at")[:20]),
        "recent": with_page_urls(visits.filter(starts_at__lt=now).order_by("-starts_at")[:10]),
        "may_schedule": client.consent_given and client.is_active,
        "art_form_labels": [ArtForm(code).label for code in client.preferred_art_forms if code in ArtForm.values],
    })


@coordinator_required
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None, teams=policy(request.user).managed_teams())
    if request.method == "POST" and form.is_valid():
        try:
            client = records.create_client(data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The client was added."))
            return redirect("clients:detail", client.pk)
    return render(request, "clients/form.html", {"form": form, "title": _("New client")})


@coordinator_client_page
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client, _access = _client_to_change(request, pk)
    initial = model_to_dict(client, fields=ClientForm.Meta.fields)
    form = ClientForm(request.POST or None, initial=initial, teams=policy(request.user).managed_teams())
    if request.method == "POST" and form.is_valid():
        try:
            records.update_client(client=client, data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The client's details were saved."))
            if not client.consent_given and records.planned_visit_count(client):
                messages.warning(request, _("The client has planned visits but no consent; cancel them if consent was withdrawn."))
            return redirect("clients:detail", client.pk)
    return render(request, "clients/form.html", {"form": form, "client": client, "title": _("Edit client")})


@coordinator_client_page
def client_archive(request: HttpRequest, pk: int) -> HttpResponse:
    client, _access = _client_to_change(request, pk)
    error = None
    if request.method == "POST":
        try:
            records.archive_client(client=client, by=request.user)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("The client was archived."))
            return redirect("clients:detail", client.pk)
    return render(request, "clients/archive.html", {
        "client": client, "error": error, "planned": records.planned_visit_count(client),
    })


@coordinator_client_page
@require_POST
def client_restore(request: HttpRequest, pk: int) -> HttpResponse:
    client, _access = _client_to_change(request, pk)
    records.restore_client(client=client, by=request.user)
    messages.success(request, _("The client is active again."))
    return redirect("clients:detail", client.pk)


@coordinator_client_page
def familiar_nurses(request: HttpRequest, pk: int) -> HttpResponse:
    client, _access = _client_to_change(request, pk)
    initial = [
        {"nurse": row.nurse, "is_primary": row.is_primary, "since": row.since}
        for row in client.care_relationships.select_related("nurse__user")
    ]
    formset = FamiliarNurseFormSet(
        request.POST or None, initial=initial, prefix="nurses", form_kwargs={"team": client.team}
    )
    service_errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            records.set_familiar_nurses(client=client, nurses=formset.kept_rows(), by=request.user)
        except ValidationError as error:
            service_errors = error.messages
        else:
            messages.success(request, _("Familiar nurses saved."))
            return redirect("clients:detail", client.pk)
    return render(request, "clients/familiar_nurses.html", {
        "client": client, "formset": formset, "service_errors": service_errors,
    })


@coordinator_client_page
def service_circle(request: HttpRequest, pk: int) -> HttpResponse:
    client, _access = _client_to_change(request, pk)
    initial = list(client.service_circle.values("service", "organisation", "contact_person", "phone", "email", "notes"))
    formset = ServiceCircleFormSet(request.POST or None, initial=initial, prefix="services")
    if request.method == "POST" and formset.is_valid():
        records.set_service_circle(client=client, entries=formset.kept_rows(), by=request.user)
        messages.success(request, _("Service circle saved."))
        return redirect("clients:detail", client.pk)
    return render(request, "clients/service_circle.html", {"client": client, "formset": formset})

