"""Clients, their service circle and their access log over the API.

Scope comes from pairwork.scoping; every read of a client record is logged
with channel "api", a list as one row per client shown. Objects outside the
caller's scope answer 404, and the denial is logged too.
"""
from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from pairwork import scoping
from pairwork.api_errors import with_errors
from pairwork.api_lookups import path_id
from pairwork.api_permissions import CareStaffOnly, CoordinatorsOnly, CoordinatorWrites
from pairwork.choices import Language

from .models import AccessLog, Client, ServiceCircleEntry
from .serializers import AccessLogEntrySerializer, ClientSerializer, ServiceCircleEntrySerializer
from .services import (
    add_service_circle_entry,
    create_client,
    remove_service_circle_entry,
    update_client,
    update_service_circle_entry,
)

CHANNEL = "api"

CLIENT_PK = OpenApiParameter("client_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The client's id.")


def client_in_scope(request, pk, *, action=AccessLog.Action.VIEW) -> tuple[Client, scoping.Access]:
    """The client if the caller may see it, else 404.

    A read is logged here (allowed or denied). For a change only a refusal is
    logged here: the service logs the change itself, once.
    """
    pk = path_id(pk)
    if action == AccessLog.Action.VIEW:
        return scoping.get_client_or_404(request.user, pk, channel=CHANNEL)
    client = scoping.visible_clients(request.user).select_related("team").filter(pk=pk).first()
    if client is None:
        scoping.get_client_or_404(request.user, pk, action=action, channel=CHANNEL)  # logs the denial, raises 404
        raise Http404
    return client, scoping.client_access(request.user, client)


class ClientFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(field_name="archived_at", lookup_expr="isnull", label="Active (not archived)")
    language = django_filters.ChoiceFilter(choices=Language.choices)

    class Meta:
        model = Client
        fields = ["team", "area", "language", "active"]


@extend_schema_view(
    list=extend_schema(
        summary="List clients",
        description="Coordinators: their teams' clients. Artists and nurses: the clients of their visits. "
        "Managers: none. Each client shown is written to its access log.",
        responses=with_errors({200: ClientSerializer(many=True)}, 400, 403, 404),
    ),
    retrieve=extend_schema(summary="A client", responses=with_errors({200: ClientSerializer}, 403, 404)),
    create=extend_schema(summary="Create a client", responses=with_errors({201: ClientSerializer}, 400, 403)),
    update=extend_schema(summary="Change a client", responses=with_errors({200: ClientSerializer}, 400, 403, 404)),
    partial_update=extend_schema(summary="Change a client (partly)", responses=with_errors({200: ClientSerializer}, 400, 403, 404)),
)
@extend_schema(tags=["clients"])
class ClientViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Client records. Artists receive the visit subset (no health notes); coordinators create and change."""

    permission_classes = [CoordinatorWrites]
    serializer_class = ClientSerializer
    filterset_class = ClientFilter
    ordering_fields = ["last_name", "first_name", "created_at", "updated_at"]
    ordering = ["last_name", "first_name", "id"]

    def get_queryset(self):
        return scoping.visible_clients(self.request.user)

    def get_object(self):
        action = AccessLog.Action.VIEW if self.action == "retrieve" else AccessLog.Action.UPDATE
        client, self.access = client_in_scope(self.request, self.kwargs["pk"], action=action)
        return client

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "access": getattr(self, "access", None)}

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        scoping.log_list_access(user=request.user, rows=[(c.pk, c.pk) for c in page], object_type="client", channel=CHANNEL)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def perform_create(self, serializer):
        serializer.instance = create_client(by=self.request.user, channel=CHANNEL, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = update_client(
            client=serializer.instance, by=self.request.user, channel=CHANNEL, **serializer.validated_data
        )


@extend_schema_view(
    list=extend_schema(summary="A client's service circle", responses=with_errors({200: ServiceCircleEntrySerializer(many=True)}, 403, 404)),
    retrieve=extend_schema(summary="A service circle entry", responses=with_errors({200: ServiceCircleEntrySerializer}, 403, 404)),
    create=extend_schema(summary="Add a service to the circle", responses=with_errors({201: ServiceCircleEntrySerializer}, 400, 403, 404)),
    update=extend_schema(summary="Change a service circle entry", responses=with_errors({200: ServiceCircleEntrySerializer}, 400, 403, 404)),
    partial_update=extend_schema(
        summary="Change a service circle entry (partly)", responses=with_errors({200: ServiceCircleEntrySerializer}, 400, 403, 404)
    ),
    destroy=extend_schema(summary="Remove a service circle entry", responses=with_errors({204: None}, 403, 404)),
)
@extend_schema(tags=["clients"], parameters=[CLIENT_PK])
class ServiceCircleViewSet(viewsets.ModelViewSet):
    """The other services a client receives and their contact people.

    Part of the care record: coordinators, nurses of the client's visits and
    administrators read it; coordinators and administrators change it.
    """

    permission_classes = [CareStaffOnly & CoordinatorWrites]
    serializer_class = ServiceCircleEntrySerializer
    ordering_fields = ["service", "organisation"]
    ordering = ["service", "id"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Resolve the client once, after authentication and permissions, so that
        # an outsider learns nothing and every access is logged exactly once.
        action = AccessLog.Action.VIEW if request.method in ("GET", "HEAD", "OPTIONS") else AccessLog.Action.UPDATE
        self.client, self.access = client_in_scope(request, self.kwargs["client_pk"], action=action)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ServiceCircleEntry.objects.none()
        return ServiceCircleEntry.objects.filter(client=self.client).select_related("client")

    def perform_create(self, serializer):
        serializer.instance = add_service_circle_entry(
            client=self.client, by=self.request.user, channel=CHANNEL, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = update_service_circle_entry(
            entry=serializer.instance, by=self.request.user, channel=CHANNEL, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        remove_service_circle_entry(entry=instance, by=self.request.user, channel=CHANNEL)


class AccessLogFilter(django_filters.FilterSet):
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="From this day (inclusive)")
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="To this day (inclusive)")

    class Meta:
        model = AccessLog
        fields = ["since", "until", "allowed", "action", "channel"]


@extend_schema_view(
    list=extend_schema(
        summary="Who accessed the client's data",
        responses=with_errors({200: AccessLogEntrySerializer(many=True)}, 400, 403, 404),
    ),
)
@extend_schema(tags=["clients"], parameters=[CLIENT_PK])
class ClientAccessLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The client's access log, newest first: for the coordinators of the client's team and administrators."""

    permission_classes = [CoordinatorsOnly]
    serializer_class = AccessLogEntrySerializer
    filterset_class = AccessLogFilter
    ordering_fields = ["at"]
    ordering = ["-at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AccessLog.objects.none()
        client, _ = client_in_scope(self.request, self.kwargs["client_pk"])
        return AccessLog.objects.for_client(client.pk)

