"""The coordinator's client list and client page: the clients with their visits.

They read clients and visits, so they live in visits, the app above clients
(docs/rules.md "Layers"); the root URLconf mounts them under /clients/ with
the other client pages. Clients are fetched only through access.guard.
"""
from __future__ import annotations

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from access import guard, page_cache
from access.choices import ObjectType
from access.log import log_listing
from access.policy import policy
from access.view_guards import coordinator_client_page, coordinator_required
from clients.forms import ClientFilterForm
from clients.models import CareRelationship, Client
from pairwork.choices import ArtForm

from .links import with_page_urls
from .models import ClientAbsence, Visit

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


@page_cache.cacheable
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


@page_cache.cacheable
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
        "absences": ClientAbsence.objects.filter(
            client=client, withdrawn_at__isnull=True, ends_on__gte=timezone.localdate()
        ).order_by("starts_on")[:5],
        "art_form_labels": [ArtForm(code).label for code in client.preferred_art_forms if code in ArtForm.values],
    })
