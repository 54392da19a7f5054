"""Wellbeing over the API: instruments (read), survey responses (through wellbeing.services)
and the managers' dashboard aggregates (through wellbeing.dashboard, exactly as the page).

Nothing here decides who may answer what, validates an answer, computes a
figure or decides which cell is hidden: the services, the dashboard module and
wellbeing.suppression do, for the pages and the API alike.
"""
from __future__ import annotations

import django_filters
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from access import guard, page_cache
from access.choices import Channel, ObjectType
from access.log import log_access, log_listing
from access.models import AccessLog
from access.policy import HEALTH_READERS, VISITING_ROLES, Policy, policy
from pairwork.api_errors import with_errors
from pairwork.api_lookups import path_id
from pairwork.roles import role_of

from . import selectors, services
from .dashboard import SUPPRESSED, build_dashboard, dashboard_scope, filters_for, suppressed_label
from .forms import DashboardFilterForm
from .models import Answer, Audience, Instrument, Item, ResponseScore, Scale, SurveyResponse, TimePoint
from .serializers import (
    DashboardOneTableSerializer,
    DashboardSerializer,
    InstrumentSerializer,
    ResponseKind,
    SubmitResponseSerializer,
    SurveyResponseSerializer,
)
from .suppression import THRESHOLD

CHANNEL = Channel.API
RESPONSE_OBJECT = "survey_response"


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

    list = page_cache.cached_list(mixins.ListModelMixin.list)

    serializer_class = InstrumentSerializer
    filterset_class = InstrumentFilter
    ordering_fields = ["code", "version"]
    ordering = ["code", "-version"]

    def get_queryset(self):
        return Instrument.objects.prefetch_related(
            Prefetch("scales", queryset=Scale.objects.order_by("position")),
            Prefetch("items", queryset=Item.objects.select_related("scale").order_by("position")),
        )


# --- Survey responses -----------------------------------------------------------------------------

class ResponseReaders(permissions.BasePermission):
    """Artists and nurses answer and read their own; nurses, coordinators and administrators also read
    client outcome answers within scope. Managers see aggregates only (the dashboard), never a response."""

    def has_permission(self, request, view) -> bool:
        role = role_of(request.user)
        if request.method in permissions.SAFE_METHODS:
            return role in VISITING_ROLES | HEALTH_READERS
        return role in VISITING_ROLES


# Keys of a service's ValidationError that are fields of the request; every other key is an item code.
_REQUEST_FIELDS = {"team", "time_point", "series", "visit", "client", NON_FIELD_ERRORS}


def _as_api_error(error: DjangoValidationError) -> ApiValidationError:
    """The service's messages on the request's fields, and an item's under answers.<item_code>."""
    if not hasattr(error, "error_dict"):
        return ApiValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})
    detail, items = {}, {}
    for field, messages in error.message_dict.items():
        if field == NON_FIELD_ERRORS:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = messages
        elif field in _REQUEST_FIELDS:
            detail[field] = messages
        else:
            items[field] = messages
    if items:
        detail["answers"] = items
    return ApiValidationError(detail)


class SurveyResponseFilter(django_filters.FilterSet):
    instrument = django_filters.CharFilter(field_name="instrument__code")
    time_point = django_filters.ChoiceFilter(choices=TimePoint.choices)
    client = django_filters.NumberFilter(field_name="client_id")
    visit = django_filters.NumberFilter(field_name="visit_id")
    period = django_filters.DateFilter()

    class Meta:
        model = SurveyResponse
        fields = ["instrument", "time_point", "client", "visit", "period"]


@extend_schema_view(
    list=extend_schema(
        summary="List survey responses",
        description="Your own answers (artists, nurses), and the outcome answers of clients you may see "
        "(the client's nurses, the team's coordinators, administrators). Each client shown gets a row in its "
        "access log. Managers see aggregates only: 403.",
        responses=with_errors({200: SurveyResponseSerializer(many=True)}, 400, 403, 404),
    ),
    retrieve=extend_schema(
        summary="A survey response",
        description="A client's outcome answers are logged in the client's access log, a refusal too (404).",
        responses=with_errors({200: SurveyResponseSerializer}, 403, 404),
    ),
    create=extend_schema(
        summary="Answer a survey",
        description="post_visit_pulse: the visit's own artist or nurse, once per visit. monthly: an artist or nurse, "
        "once a month, for one of their teams. client_outcome: a nurse who visits the client records the "
        "baseline (once) or a follow-up; logged in the client's access log. A visit or client outside your scope "
        "is 404 (logged). Wrong answers get a message under answers.<item_code>.",
        request=SubmitResponseSerializer,
        responses=with_errors({201: SurveyResponseSerializer}, 400, 403, 404),
    ),
)
@extend_schema(tags=["wellbeing"])
class SurveyResponseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ResponseReaders]
    serializer_class = SurveyResponseSerializer
    filterset_class = SurveyResponseFilter
    ordering_fields = ["submitted_at", "period"]
    ordering = ["-submitted_at", "-id"]

    @staticmethod
    def _with_details(queryset):
        return queryset.select_related("instrument").prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("item").order_by("item__position")),
            Prefetch("scores", queryset=ResponseScore.objects.select_related("scale").order_by("scale__position")),
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SurveyResponse.objects.none()
        return self._with_details(selectors.readable_responses(self.request.user))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        log_listing(
            user=request.user, client_ids=[r.client_id for r in page if r.client_id], object_type=RESPONSE_OBJECT, channel=CHANNEL
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self) -> SurveyResponse:
        pk = path_id(self.kwargs["pk"])
        response = self._with_details(SurveyResponse.objects.select_related("client")).filter(pk=pk).first()
        if response is None:
            raise NotFound
        if response.client_id is not None:
            access = policy(self.request.user).outcome_read_access(response.client)
            log_access(
                user=self.request.user, client_id=response.client_id, object_type=RESPONSE_OBJECT, object_id=pk,
                action=AccessLog.Action.VIEW, access=access, channel=CHANNEL,
            )
            if not access:
                raise NotFound
        elif response.respondent_id is None or response.respondent_id != getattr(
            policy(self.request.user).profile, "pk", None
        ):
            raise NotFound
        return response

    def create(self, request, *args, **kwargs):
        serializer = SubmitResponseSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            response = self._submit(request.user, data)
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        fresh = self._with_details(SurveyResponse.objects.all()).get(pk=response.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    def _submit(self, user, data) -> SurveyResponse:
        kind, answers = data["kind"], data["answers"]
        if kind == ResponseKind.PULSE:
            visit, _access = guard.fetch(
                user, ObjectType.VISIT, data["visit"], rule=Policy.participant_access, log_as=RESPONSE_OBJECT,
                action=AccessLog.Action.CREATE, channel=CHANNEL,
            )
            return services.submit_post_visit_pulse(visit=visit, staff=policy(user).profile, answers=answers, by=user)
        if kind == ResponseKind.MONTHLY:
            return services.submit_monthly_survey(staff=policy(user).profile, team=data["team"], answers=answers, by=user)
        client, _access = guard.fetch(
            user, ObjectType.CLIENT, data["client"], rule=Policy.outcome_record_access, log_as=RESPONSE_OBJECT,
            action=AccessLog.Action.CREATE, channel=CHANNEL,
        )
        return services.record_client_outcome(
            client=client, time_point=data["time_point"], answers=answers, series=data.get("series"), by=user, channel=CHANNEL,
        )


# --- Dashboard aggregates -------------------------------------------------------------------------

class DashboardViewers(permissions.BasePermission):
    """Managers (their own teams, or all when organisation-wide) and administrators: wellbeing.dashboard.scope."""

    def has_permission(self, request, view) -> bool:
        # Kept on the request: the view reads the same scope without asking the database again.
        request.dashboard_scope = dashboard_scope(request.user)
        return request.dashboard_scope is not None


DASHBOARD_FILTERS = [
    OpenApiParameter("team", OpenApiTypes.INT, description="One of your teams: its rows only. Default: organisation-wide "
                     "viewers get the all-teams figures only (no row per team, `filters.per_team` false; ask for each team "
                     "of `filters.teams` by its id, or download the dashboard's CSV files, which have every team); other "
                     "managers get a row for each of their teams."),
    OpenApiParameter("start", OpenApiTypes.STR, pattern=r"^\d{4}-\d{2}$", description="From month, YYYY-MM (default: 11 months before the end)."),
    OpenApiParameter("end", OpenApiTypes.STR, pattern=r"^\d{4}-\d{2}$", description="To month, YYYY-MM (default: this month); at most 36 months."),
]


def _table_data(table) -> dict:
    """A dashboard table as data: each figure with the page's text, hidden figures null and marked suppressed."""
    rows = []
    for row, shown in zip(table.rows, table.display_rows()):
        cells = [
            {"value": None if value is SUPPRESSED else value, "text": text, "suppressed": value is SUPPRESSED}
            for value, (text, _is_number) in zip(row.values, shown)
        ]
        rows.append({"cells": cells, "suppressed": any(cell["suppressed"] for cell in cells)})
    return {
        "slug": table.slug, "title": table.title, "question": table.question,
        "columns": [{"label": str(column.label), "kind": column.kind} for column in table.columns],
        "rows": rows, "chart": table.chart, "charts": table.charts, "chart_summary": table.chart_summary,
    }


class _OneObjectSchema(AutoSchema):
    """The dashboard's "list" answers one object (filters and tables), not an array: document it as it is."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


@extend_schema_view(
    list=extend_schema(
        summary="The wellbeing dashboard",
        operation_id="v1_dashboard_list",  # one object, but the id it has always had
        description="All tables of the managers' dashboard, built as the page builds them from the aggregate tables, "
        "with the page's small-cell suppression: a hidden figure is null with suppressed: true. Without `team` an "
        "organisation-wide viewer gets the all-teams figures only, as the page shows them; each team's with `team`. "
        "`analyses` holds the "
        "stored analyses as tables: evidence_staff (difference-in-differences of pair work against time, or why there "
        "are too few teams or months), evidence_client (mean paired change, Cohen's d for paired data and the share "
        "reaching the minimal important change, each with its 95% interval) and evidence_dose (change by delivered "
        "paired visits, 1–3, 4–7, 8+).",
        parameters=DASHBOARD_FILTERS,
        responses=with_errors({200: DashboardSerializer}, 400, 403),
    ),
    retrieve=extend_schema(
        summary="One dashboard table",
        description="One table of the dashboard (pulse, staff, staff_phases, client_change, visits, sick_leave_cost, "
        "evidence_staff, evidence_client, evidence_dose), "
        "the same as in the full dashboard and its CSV export.",
        parameters=[OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The table's slug."),
                    *DASHBOARD_FILTERS],
        responses=with_errors({200: DashboardOneTableSerializer}, 400, 403, 404),
    ),
)
@extend_schema(tags=["wellbeing"])
class DashboardViewSet(viewsets.ViewSet):
    schema = _OneObjectSchema()
    permission_classes = [DashboardViewers]
    lookup_field = "slug"
    lookup_value_regex = "[a-z_]+"

    def _board(self, request):
        scope = getattr(request, "dashboard_scope", None) or dashboard_scope(request.user)
        form = DashboardFilterForm(request.query_params or None, teams=scope.teams)
        if form.is_bound and not form.is_valid():
            raise ApiValidationError({
                (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): list(messages)
                for field, messages in form.errors.items()
            })
        data = form.cleaned_data if form.is_bound else {}
        filters = filters_for(scope, team_id=data.get("team", ""), start=data.get("start"), end=data.get("end"))
        meta = {
            "filters": {
                "teams": [{"id": team.pk, "name": team.name} for team in filters.teams],
                "start": filters.start, "end": filters.end, "show_totals": filters.show_totals,
                "per_team": filters.per_team,
            },
            "suppression_threshold": THRESHOLD,
            "suppressed_label": suppressed_label(),
        }
        return build_dashboard(filters), meta

    @page_cache.cached_list
    def list(self, request):
        board, meta = self._board(request)
        data = {
            **meta, "rebuilt_at": board.rebuilt_at, "updated_at": board.updated_at, "cost_per_day": board.cost_per_day,
            "cost_set_at": board.cost_set_at, "tables": [_table_data(table) for table in board.tables],
            "analyses": [_table_data(table) for table in board.evidence],
        }
        return Response(DashboardSerializer(data).data)

    def retrieve(self, request, slug=None):
        board, meta = self._board(request)
        table = board.table(slug)
        if table is None:
            raise NotFound
        return Response(DashboardOneTableSerializer({**meta, "table": _table_data(table)}).data)
