"""Teams, colleagues and work pairs over the API, scoped like the pages."""
from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from access import page_cache
from access.api_permissions import CoordinatorWrites
from access.policy import policy
from pairwork.api_errors import with_errors
from pairwork.models import Role, StaffProfile, Team, WorkPair

from .pair_services import create_pair, end_pair, update_pair
from .serializers import StaffSerializer, TeamSerializer, WorkPairChangeSerializer, WorkPairSerializer


@extend_schema_view(
    list=extend_schema(summary="List teams", responses=with_errors({200: TeamSerializer(many=True)}, 403, 404)),
    retrieve=extend_schema(summary="A team", responses=with_errors({200: TeamSerializer}, 403, 404)),
)
@extend_schema(tags=["staff"])
class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    """The teams of the organisation. Names and areas are not confidential."""

    list = page_cache.cached_list(mixins.ListModelMixin.list)

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

    list = page_cache.cached_list(mixins.ListModelMixin.list)

    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    ordering_fields = ["user__last_name", "role"]
    ordering = ["user__last_name", "user__first_name", "id"]

    def get_queryset(self):
        return policy(self.request.user).visible_staff().select_related("user").prefetch_related("teams")


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
    """Work pairs: coordinators see and manage their teams' pairs, artists and nurses see their own pairs.

    Through workspace.pair_services, like the pair pages: people and team are fixed once
    a pair is formed; its start and agreement change, and setting its last day ends it.
    """

    list = page_cache.cached_list(mixins.ListModelMixin.list)

    permission_classes = [CoordinatorWrites]
    filterset_class = WorkPairFilter
    ordering_fields = ["active_from", "created_at"]
    ordering = ["team__name", "active_from", "id"]

    def get_queryset(self):
        return policy(self.request.user).visible_pairs().with_people()

    def get_serializer_class(self):
        return WorkPairChangeSerializer if self.action in ("update", "partial_update") else WorkPairSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = create_pair(
            team=data["team"],
            artist=data["artist"],
            nurse=data["nurse"],
            active_from=data.get("active_from") or timezone.localdate(),
            shared_agreement=data.get("shared_agreement", ""),
            by=self.request.user,
        )

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        pair = self.get_object()
        change = WorkPairChangeSerializer(pair, data=request.data, partial=kwargs.get("partial", False))
        change.is_valid(raise_exception=True)
        data = change.validated_data
        if "active_from" in data or "shared_agreement" in data:
            pair = update_pair(
                pair=pair,
                active_from=data.get("active_from", pair.active_from),
                shared_agreement=data.get("shared_agreement", pair.shared_agreement),
                by=request.user,
            )
        if data.get("active_until") is not None and data["active_until"] != pair.active_until:
            try:
                pair = end_pair(pair=pair, last_day=data["active_until"], by=request.user)
            except DjangoValidationError as error:  # the service names the day "last_day"; here it is active_until
                raise ValidationError({"active_until": error.messages}) from error
        elif "active_until" in data and data["active_until"] is None and pair.active_until is not None:
            raise ValidationError({"active_until": _("An ended pair stays ended; form a new pair instead.")})
        pair = self.get_queryset().get(pk=pair.pk)  # with its people, for the answer
        return Response(WorkPairSerializer(pair, context=self.get_serializer_context()).data)
