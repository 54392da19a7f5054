"""Visits over the API (read). Scheduling, rescheduling and cancelling are to go
through visits.services like the pages; a SchedulingConflict they raise is
answered 409 by pairwork.api_errors."""
from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from clients.listing import log_client_listing
from pairwork import scoping
from pairwork.api_errors import with_errors
from pairwork.api_lookups import path_id
from pairwork.models import Team
from pairwork.pairs import visible_pairs

from .models import Visit, VisitParticipant, VisitStatus
from .serializers import VisitSerializer

CHANNEL = "api"


def _start_of_day(day: dt.date) -> dt.datetime:
    """Local midnight (Europe/Helsinki), aware."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _participants() -> Prefetch:
    return Prefetch("participants", queryset=VisitParticipant.objects.select_related("staff__user"))


class VisitFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(method="filter_date_from", label="Visits that end on or after this day (local time)")
    date_to = django_filters.DateFilter(method="filter_date_to", label="Visits that start on or before this day (local time)")
    team = django_filters.ModelChoiceFilter(field_name="pair__team", queryset=Team.objects.all())
    pair = django_filters.ModelChoiceFilter(queryset=lambda request: visible_pairs(request.user))
    client = django_filters.NumberFilter(field_name="client_id")
    status = django_filters.MultipleChoiceFilter(choices=VisitStatus.choices)

    class Meta:
        model = Visit
        fields = ["date_from", "date_to", "team", "pair", "client", "status"]

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(ends_at__gt=_start_of_day(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(starts_at__lt=_start_of_day(value + dt.timedelta(days=1)))


@extend_schema_view(
    list=extend_schema(
        summary="List visits",
        description="Your visits (artists, nurses) or your teams' visits (coordinators), filtered by local date range, "
        "team, pair, client and status. Each client whose visits are shown gets a row in its access log.",
        responses=with_errors({200: VisitSerializer(many=True)}, 400, 403, 404),
    ),
    retrieve=extend_schema(summary="A visit", responses=with_errors({200: VisitSerializer}, 403, 404)),
)
@extend_schema(tags=["visits"])
class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Joint visits within your scope; outside it, 404."""

    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    ordering_fields = ["starts_at", "ends_at", "created_at"]
    ordering = ["starts_at", "id"]

    def get_queryset(self):
        return scoping.visible_visits(self.request.user).with_people().prefetch_related(_participants())

    def get_object(self):
        visit, self.access = scoping.get_visit_or_404(self.request.user, path_id(self.kwargs["pk"]), channel=CHANNEL)
        prefetch_related_objects([visit], _participants())
        return visit

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        log_client_listing(user=request.user, client_ids=[visit.client_id for visit in page], object_type="visit", channel=CHANNEL)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
