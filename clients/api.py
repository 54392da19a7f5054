"""Clients, their service circle and their access log over the API.

The same rules and services as the pages: scope from access.policy, writes
through clients.records. Every read of client data is logged with channel
"api" (a list as one row per client shown); a write is logged by its service,
a refusal by the guard. Objects outside the caller's scope answer 404.
"""
from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings

from access import guard, page_cache
from access.choices import Channel, ObjectType
from access.log import log_listing
from access.models import AccessLog
from access.policy import Access, Policy
from pairwork.api_errors import LIST_VALIDATION_ERROR, with_errors
from pairwork.api_lookups import path_id
from access.api_permissions import CareStaffOnly, CoordinatorWrites
from pairwork.choices import Language
from pairwork.limits import validate_date_in_window

from .models import Client, ServiceCircleEntry
from .records import create_client, set_service_circle, update_client
from .serializers import AccessLogEntrySerializer, ClientSerializer, ServiceCircleEntrySerializer

CHANNEL = Channel.API

CLIENT_PK = OpenApiParameter("client_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The client's id.")


def client_for_request(request, pk) -> tuple[Client, Access]:
    """The client of an API request, or 404; the guard logs the read, a service the change it makes."""
    action = AccessLog.Action.VIEW if request.method in ("GET", "HEAD", "OPTIONS") else AccessLog.Action.UPDATE
    return guard.fetch(request.user, ObjectType.CLIENT, path_id(pk), action=action, channel=CHANNEL)


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
    create=extend_schema(summary="Register a client", responses=with_errors({201: ClientSerializer}, 400, 403)),
    update=extend_schema(summary="Change a client", responses=with_errors({200: ClientSerializer}, 400, 403, 404)),
    partial_update=extend_schema(summary="Change a client (partly)", responses=with_errors({200: ClientSerializer}, 400, 403, 404)),
)
@extend_schema(tags=["clients"])
class ClientViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Client records. Artists receive the visit subset (no health notes); coordinators register and change."""

    permission_classes = [CoordinatorWrites]
    serializer_class = ClientSerializer
    filterset_class = ClientFilter
    ordering_fields = ["last_name", "first_name", "created_at", "updated_at"]
    ordering = ["last_name", "first_name", "id"]

    def get_queryset(self):
        return Client.objects.visible_to(self.request.user)

    def get_object(self):
        client, self.access = client_for_request(self.request, self.kwargs["pk"])
        return client

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "access": getattr(self, "access", None)}

    @page_cache.cached_list
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        log_listing(user=request.user, client_ids=[c.pk for c in page], object_type=ObjectType.CLIENT, channel=CHANNEL)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def perform_create(self, serializer):
        serializer.instance = create_client(data=serializer.validated_data, by=self.request.user, channel=CHANNEL)

    def perform_update(self, serializer):
        serializer.instance = update_client(
            client=serializer.instance, data=serializer.validated_data, by=self.request.user, channel=CHANNEL
        )


@extend_schema_view(
    list=extend_schema(
        summary="A client's service circle",
        responses=with_errors({200: ServiceCircleEntrySerializer(many=True)}, 403, 404),
    ),
    retrieve=extend_schema(summary="A service circle entry", responses=with_errors({200: ServiceCircleEntrySerializer}, 403, 404)),
)
@extend_schema(tags=["clients"], parameters=[CLIENT_PK])
class ServiceCircleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The other services a client receives and their contact people.

    Part of the care record: coordinators, nurses of the client's visits and
    administrators read it; coordinators and administrators replace it.
    """

    permission_classes = [CareStaffOnly & CoordinatorWrites]
    serializer_class = ServiceCircleEntrySerializer
    ordering_fields = ["service", "organisation"]
    ordering = ["service", "id"]

    @property
    def pagination_class(self):
        # The replaced circle is answered whole, not as a page (and documented so).
        return None if getattr(self, "action", None) == "replace" else api_settings.DEFAULT_PAGINATION_CLASS

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The client is resolved once, after authentication and permissions,
        # so an outsider learns nothing and each request is logged once.
        self.client, self.access = client_for_request(request, self.kwargs["client_pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ServiceCircleEntry.objects.none()
        return ServiceCircleEntry.objects.filter(client=self.client)

    @extend_schema(
        summary="Replace the client's service circle",
        description="The whole circle in one request, as on the client's page: entries not sent are removed, "
        "and every entry gets a new id.",
        request=ServiceCircleEntrySerializer(many=True),
        responses={
            **with_errors({200: ServiceCircleEntrySerializer(many=True)}, 403, 404),
            400: LIST_VALIDATION_ERROR,
        },
    )
    def replace(self, request, *args, **kwargs):
        entries = ServiceCircleEntrySerializer(data=request.data, many=True)
        entries.is_valid(raise_exception=True)
        created = set_service_circle(client=self.client, entries=entries.validated_data, by=request.user, channel=CHANNEL)
        return Response(ServiceCircleEntrySerializer(created, many=True).data)


class AccessLogFilter(django_filters.FilterSet):
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="From this day (inclusive)", validators=[validate_date_in_window])
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="To this day (inclusive)", validators=[validate_date_in_window])

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
    """The client's access log, newest first: for the coordinators of the client's team and administrators.

    Anyone else gets 404, and the refused attempt is itself logged.
    """

    serializer_class = AccessLogEntrySerializer
    filterset_class = AccessLogFilter
    ordering_fields = ["at"]
    ordering = ["-at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AccessLog.objects.none()
        client, _ = guard.fetch(
            self.request.user, ObjectType.CLIENT, path_id(self.kwargs["client_pk"]), channel=CHANNEL,
            log_as=ObjectType.ACCESS_LOG, rule=Policy.access_log_access,
        )
        return AccessLog.objects.for_client(client.pk)
