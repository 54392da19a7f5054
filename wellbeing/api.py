"""Survey instruments over the API (read). Responses and aggregates come with the wellbeing services."""
from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from pairwork.api_errors import with_errors

from .models import Audience, Instrument, Item, Scale, TimePoint
from .serializers import InstrumentSerializer


class InstrumentFilter(django_filters.FilterSet):
    audience = django_filters.ChoiceFilter(choices=Audience.choices)
    time_point = django_filters.ChoiceFilter(choices=TimePoint.choices, method="filter_time_point")

    class Meta:
        model = Instrument
        fields = ["code", "audience", "time_point", "is_active"]

    def filter_time_point(self, queryset, name, value):
        return queryset.for_time_point(value)


@extend_schema_view(
    list=extend_schema(summary="List instruments", responses=with_errors({200: InstrumentSerializer(many=True)}, 400, 403, 404)),
    retrieve=extend_schema(summary="An instrument", responses=with_errors({200: InstrumentSerializer}, 403, 404)),
)
@extend_schema(tags=["wellbeing"])
class InstrumentViewSet(viewsets.ReadOnlyModelViewSet):
    """Questionnaires as data: every staff role may read them."""

    serializer_class = InstrumentSerializer
    filterset_class = InstrumentFilter
    ordering_fields = ["code", "version"]
    ordering = ["code", "-version"]

    def get_queryset(self):
        return Instrument.objects.prefetch_related(
            Prefetch("scales", queryset=Scale.objects.order_by("position")),
            Prefetch("items", queryset=Item.objects.select_related("scale").order_by("position")),
        )
