"""Teams, colleagues and work pairs over the API, scoped like the pages."""
from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from . import scoping
from .api_errors import with_errors
from .api_permissions import CoordinatorWrites
from .models import Role, StaffProfile, Team, WorkPair
from .serializers import StaffSerializer, TeamSerializer, WorkPairChangeSerializer, WorkPairSerializer
from .services import create_work_pair, update_work_pair


@extend_schema_view(
    list=extend_schema(summary="List teams", responses=with_errors({200: TeamSerializer(many=True)}, 403, 404)),
    retrieve=extend_schema(summary="A team", responses=with_errors({200: TeamSerializer}, 403, 404)),
)
@extend_schema(tags=["staff"])
class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    """The teams of the organisation. Names and areas are not confidential."""

    queryset = Team.objects.all()
    serializer_class = TeamSerializer
    ordering_fields = ["name", "area"]
    ordering = ["name"]


class StaffFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    team = django_filters.ModelChoiceFilter(field_name="teams", queryset=Team.objects.all())

    class Meta:
        model = StaffProfile
        fields = ["role", "team"]


@extend_schema_view(
    list=extend_schema(summary="List colleagues", responses=with_errors({200: StaffSerializer(many=True)}, 400, 403, 404)),
    retrieve=extend_schema(summary="A colleague", responses=with_errors({200: StaffSerializer}, 403, 404)),
)
@extend_schema(tags=["staff"])
class StaffViewSet(viewsets.ReadOnlyModelViewSet):
    """Staff of your own teams (an administrator sees everyone)."""

    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    ordering_fields = ["user__last_name", "role"]
    ordering = ["user__last_name", "user__first_name", "id"]

    def get_queryset(self):
        return scoping.visible_staff(self.request.user).select_related("user").prefetch_related("teams")


class WorkPairFilter(django_filters.FilterSet):
    active_on = django_filters.DateFilter(method="filter_active_on", label="Working on this day")

    class Meta:
        model = WorkPair
        fields = ["team", "artist", "nurse"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


@extend_schema_view(
    list=extend_schema(summary="List work pairs", responses=with_errors({200: WorkPairSerializer(many=True)}, 400, 403, 404)),
    retrieve=extend_schema(summary="A work pair", responses=with_errors({200: WorkPairSerializer}, 403, 404)),
    create=extend_schema(summary="Form a work pair", responses=with_errors({201: WorkPairSerializer}, 400, 403)),
    update=extend_schema(
        summary="Change a pair's period or agreement",
        request=WorkPairChangeSerializer,
        responses=with_errors({200: WorkPairSerializer}, 400, 403, 404),
    ),
    partial_update=extend_schema(
        summary="Change a pair's period or agreement (partly)",
        request=WorkPairChangeSerializer,
        responses=with_errors({200: WorkPairSerializer}, 400, 403, 404),
    ),
)
@extend_schema(tags=["staff"])
class WorkPairViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Work pairs of your own teams. Coordinators form pairs and change their period and agreement."""

    permission_classes = [CoordinatorWrites]
    filterset_class = WorkPairFilter
    ordering_fields = ["active_from", "created_at"]
    ordering = ["team__name", "active_from", "id"]

    def get_queryset(self):
        return scoping.visible_pairs(self.request.user).with_people()

    def get_serializer_class(self):
        return WorkPairChangeSerializer if self.action in ("update", "partial_update") else WorkPairSerializer

    def perform_create(self, serializer):
        serializer.instance = create_work_pair(**serializer.validated_data, by=self.request.user)

    def update(self, request, *args, **kwargs):
        pair = self.get_object()
        change = WorkPairChangeSerializer(pair, data=request.data, partial=kwargs.get("partial", False))
        change.is_valid(raise_exception=True)
        data = change.validated_data
        pair = update_work_pair(
            pair=pair,
            by=request.user,
            active_from=data.get("active_from"),
            active_until=data.get("active_until"),
            clear_active_until="active_until" in data and data["active_until"] is None,
            shared_agreement=data.get("shared_agreement"),
        )
        pair = self.get_queryset().get(pk=pair.pk)  # with its people, for the answer
        return Response(WorkPairSerializer(pair, context=self.get_serializer_context()).data)
