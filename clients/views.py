"""The coordinator's client pages: create, edit, archive, familiar nurses, service circle.

The list and the client's page show the client's visits too, so they live in
visits.client_pages (docs/rules.md "Layers").

Clients are fetched only through access.guard (every read logged, outsiders
404) and written only through clients.records.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access import guard
from access.choices import ObjectType
from access.models import AccessLog
from access.policy import policy
from access.view_guards import coordinator_client_page, coordinator_required
from pairwork.form_errors import add_service_errors

from . import records
from .forms import ClientForm, FamiliarNurseFormSet, ServiceCircleFormSet



def _client_to_change(request: HttpRequest, pk: int):
    """The client of a page that shows it and may change it: the guard logs the read, the service a change."""
    action = AccessLog.Action.UPDATE if request.method == "POST" else AccessLog.Action.VIEW
    return guard.fetch(request.user, ObjectType.CLIENT, pk, action=action)


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

