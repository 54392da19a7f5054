"""Visits over the API: read within scope; schedule, reschedule and cancel through
visits.services like the pages (nothing here decides whether a time is free or
who may book it). A SchedulingConflict they raise is answered 409 by
pairwork.api_errors, a ValidationError 400 on its field, PermissionDenied 403."""
from __future__ import annotations

import datetime as dt

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, views, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from access import guard, page_cache
from access.choices import Channel, ObjectType
from access.log import log_listing
from access.models import AccessLog
from access.policy import Policy, policy
from pairwork.api_errors import with_errors
from pairwork.api_lookups import path_id
from access.api_permissions import CoordinatorsOnly, CoordinatorWrites, PairMembersWrite
from pairwork.models import Team

from . import services, standins
from .conflicts import clashes_from_records
from pairwork.limits import MAX_DURATION_MINUTES, MIN_DURATION_MINUTES, validate_date_in_window
from .free_times import DEFAULT_LIMIT, MAX_LIMIT, next_free_times
from .models import Visit, VisitParticipant, VisitStatus
from .note_api import visit_for_outcome
from .outcomes import record_visit_outcome
from .serializers import (
    CancelVisitSerializer,
    ChangedVisitsSerializer,
    RescheduleVisitSerializer,
    ScheduleSeriesSerializer,
    ScheduleVisitSerializer,
    SeriesReportSerializer,
    SkippedOccurrenceSerializer,
    ApplyStandInSerializer,
    StandInOptionSerializer,
    StandInQuerySerializer,
    VisitOutcomeSerializer,
    VisitSerializer,
)

CHANNEL = Channel.API


def _start_of_day(day: dt.date) -> dt.datetime:
    """Local midnight (Europe/Helsinki), aware."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _participants() -> Prefetch:
    return Prefetch("participants", queryset=VisitParticipant.objects.select_related("staff__user"))


class VisitFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(method="filter_date_from", label="Visits that end on or after this day (local time)",
                                          validators=[validate_date_in_window])
    date_to = django_filters.DateFilter(method="filter_date_to", label="Visits that start on or before this day (local time)",
                                        validators=[validate_date_in_window])
    team = django_filters.ModelChoiceFilter(field_name="team", queryset=Team.objects.all())
    pair = django_filters.ModelChoiceFilter(queryset=lambda request: policy(request.user).visible_pairs())
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
    create=extend_schema(
        summary="Schedule a visit",
        description="As the scheduling page: coordinators of the client's team and administrators. "
        "A client or pair outside your scope is refused on its field as if it did not exist.",
        request=ScheduleVisitSerializer,
        responses=with_errors({201: VisitSerializer}, 400, 403, 409),
    ),
    series=extend_schema(
        summary="Schedule a weekly series",
        description="Free occurrences are created; taken ones are skipped and reported with who was busy when.",
        request=ScheduleSeriesSerializer,
        responses=with_errors({201: SeriesReportSerializer}, 400, 403),
    ),
    reschedule=extend_schema(
        summary="Move a visit (or it and the rest of its series)",
        description="One clash refuses the whole move (409) and nothing changes.",
        request=RescheduleVisitSerializer,
        responses=with_errors({200: ChangedVisitsSerializer}, 400, 403, 404, 409),
    ),
    cancel=extend_schema(
        summary="Cancel a visit (or it and the rest of its series)",
        description="The visits stay, marked cancelled with the reason; their time becomes free.",
        request=CancelVisitSerializer,
        responses=with_errors({200: ChangedVisitsSerializer}, 400, 403, 404),
    ),
    stand_ins=[
        extend_schema(
            methods=["GET"], summary="Stand-ins for a participant who cannot come",
            description="Ranked, best (recommended) first, in continuity order: keep the familiar nurse with another "
            "artist; keep the artist with another of the client's familiar nurses; another free pair of the team; the "
            "next time the planned pair is free. Only free people within their weekly availability are listed.",
            parameters=[StandInQuerySerializer], responses=with_errors({200: StandInOptionSerializer(many=True)}, 400, 403, 404),
        ),
        extend_schema(
            methods=["POST"], summary="Apply a stand-in",
            description="Changes who takes part in this visit only (the planned pair stays), or moves it for a move "
            "option. 409 when the stand-in was booked meanwhile; nothing changes then.",
            request=ApplyStandInSerializer, responses=with_errors({200: VisitSerializer}, 400, 403, 404, 409),
        ),
    ],
    outcome=extend_schema(
        summary="Mark how the visit went",
        description="The visit's own artist or nurse, from the day of the visit until 48 hours after it.",
        request=VisitOutcomeSerializer,
        responses=with_errors({200: VisitSerializer}, 400, 403, 404),
    ),
)
@extend_schema(tags=["visits"])
class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Joint visits within your scope; outside it, 404. Coordinators and administrators write."""

    permission_classes = [CoordinatorWrites]
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    ordering_fields = ["starts_at", "ends_at", "created_at"]
    ordering = ["starts_at", "id"]

    def get_queryset(self):
        return Visit.objects.visible_to(self.request.user).with_people()

    def get_object(self):
        visit, self.access = guard.fetch(self.request.user, ObjectType.VISIT, path_id(self.kwargs["pk"]), channel=CHANNEL)
        prefetch_related_objects([visit], _participants())
        return visit

    @page_cache.cached_list
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        log_listing(user=request.user, client_ids=[visit.client_id for visit in page], object_type=ObjectType.VISIT, channel=CHANNEL)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    # --- Writes: parse, call the one service, answer ------------------------------------

    def get_permissions(self):
        if self.action == "outcome":
            return [PairMembersWrite()]
        if self.action == "stand_ins":
            return [CoordinatorsOnly()]
        return super().get_permissions()

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _read_back(self, visits) -> list[dict]:
        """The visits as the API shows them, read back with their people in a fixed number of queries."""
        fresh = Visit.objects.with_people().filter(pk__in=[v.pk for v in visits])
        return self.get_serializer(fresh.order_by("starts_at", "id"), many=True).data

    def _visit_to_change(self) -> Visit:
        """A visit the caller manages, or a logged refusal and 404; the service logs the change itself."""
        visit, _access = guard.fetch(
            self.request.user, ObjectType.VISIT, path_id(self.kwargs["pk"]), rule=Policy.visit_manager_access,
            action=AccessLog.Action.UPDATE, channel=CHANNEL,
        )
        return visit

    def create(self, request, *args, **kwargs):
        data = self._input(ScheduleVisitSerializer)
        visit = services.schedule_visit(**data, by=request.user, channel=CHANNEL)
        [created] = self._read_back([visit])
        return Response(created, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"])
    def series(self, request):
        data = self._input(ScheduleSeriesSerializer)
        result = services.schedule_series(
            client=data["client"], pair=data["pair"], first_starts_at=data["first_starts_at"],
            duration=dt.timedelta(minutes=data["duration_minutes"]), interval_weeks=data["interval_weeks"],
            until=data["until"], count=data["count"], by=request.user, channel=CHANNEL,
        )
        skipped = [
            {
                "starts_at": skip.starts_at, "ends_at": skip.ends_at, "reason": skip.reason,
                "clashes": clashes_from_records(skip.clashes, viewer=request.user, client=data["client"]),
            }
            for skip in result.skipped
        ]
        # Naming the other clients someone was busy with is a read of their data (as on the series page).
        log_listing(
            user=request.user, object_type=ObjectType.VISIT, channel=CHANNEL,
            client_ids=[c.other_client_id for item in skipped for c in item["clashes"] if c.other_client_name],
        )
        report = {
            "series": result.series.pk,
            "created": self._read_back(result.created),
            "skipped": SkippedOccurrenceSerializer(
                [{**item, "clashes": [c.as_dict() for c in item["clashes"]]} for item in skipped], many=True
            ).data,
        }
        return Response(report, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        visit = self._visit_to_change()
        data = self._input(RescheduleVisitSerializer)
        moved = services.reschedule_visit(visit=visit, **data, by=request.user, channel=CHANNEL)
        return Response({"visits": self._read_back(moved)})

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        visit = self._visit_to_change()
        data = self._input(CancelVisitSerializer)
        cancelled = services.cancel_visit(visit=visit, **data, by=request.user, channel=CHANNEL)
        return Response({"visits": self._read_back(cancelled)})

    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        visit = visit_for_outcome(request, self.kwargs["pk"])
        data = self._input(VisitOutcomeSerializer)
        visit = record_visit_outcome(visit=visit, by=request.user, status=data["status"], channel=CHANNEL)
        [marked] = self._read_back([visit])
        return Response(marked)


    @action(detail=True, methods=["get", "post"], url_path="stand-ins", url_name="stand-ins")
    def stand_ins(self, request, pk=None):
        """Options for `person` (GET), or apply one (POST) through visits.standins."""
        if request.method == "POST":
            visit = self._visit_to_change()
            data = self._input(ApplyStandInSerializer)
        else:
            visit, _access = guard.fetch(
                request.user, ObjectType.VISIT, path_id(self.kwargs["pk"]), rule=Policy.visit_manager_access, channel=CHANNEL,
            )
            query = StandInQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            data = query.validated_data
        absent = next((p.staff for p in visit.participants.all() if p.staff_id == data["person"]), None)
        if absent is None:
            raise DjangoValidationError({"person": gettext("This person does not take part in this visit.")})
        if request.method == "POST":
            option = standins.find_option(visit, absent, data["option"], request.user)
            standins.apply_option(visit=visit, absent_person=absent, option=option, by=request.user, channel=CHANNEL)
            [changed] = self._read_back([visit])
            return Response(changed)
        options = standins.stand_in_options(visit, absent, request.user)
        for index, option in enumerate(options):
            option.recommended = index == 0
        return Response(StandInOptionSerializer(options, many=True).data)

# --- The next free times for a client (visits.free_times) ------------------------------------


class FreeTimeQuerySerializer(serializers.Serializer):
    """The query parameters of the free-time search; every one optional."""

    pair = serializers.IntegerField(required=False, min_value=1, help_text="Only this pair (of the client's team).")
    duration_minutes = serializers.IntegerField(
        required=False, default=60, min_value=MIN_DURATION_MINUTES, max_value=MAX_DURATION_MINUTES
    )
    date_from = serializers.DateField(required=False, help_text="First local day; default today.",
                                      validators=[validate_date_in_window])
    date_to = serializers.DateField(required=False, help_text="Last local day; default four weeks on.",
                                    validators=[validate_date_in_window])
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), required=False, allow_empty=True,
        help_text="0 = Monday … 6 = Sunday, repeated (weekdays=0&weekdays=3); default the client's preferred weekdays.",
    )
    time_from = serializers.TimeField(required=False, help_text="Local start of the time of day; with time_to.")
    time_to = serializers.TimeField(required=False, help_text="Local end of the time of day; with time_from.")
    any_time = serializers.BooleanField(required=False, default=False,
                                        help_text="Ignore the client's preferred weekdays and time of day.")
    limit = serializers.IntegerField(required=False, default=DEFAULT_LIMIT, min_value=1, max_value=MAX_LIMIT)

    def validate(self, data):
        if ("time_from" in data) != ("time_to" in data):
            raise serializers.ValidationError({"time_to": _("Give both time_from and time_to, or neither.")})
        if "time_from" in data and data["time_to"] <= data["time_from"]:
            raise serializers.ValidationError({"time_to": _("The end of the time of day must be after its start.")})
        return data


class FreeTimeReasonSerializer(serializers.Serializer):
    text = serializers.CharField()
    positive = serializers.BooleanField(help_text="For (true) or against (false) this pair.")


class FreeTimeSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    pair = serializers.IntegerField(source="pair.pk")
    artist = serializers.CharField(source="pair.artist.display_name")
    nurse = serializers.CharField(source="pair.nurse.display_name")
    recommended = serializers.BooleanField()
    reasons = FreeTimeReasonSerializer(many=True)


class FreeTimesSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    blocked = serializers.CharField(allow_blank=True, help_text="Why nothing can be booked for the client at all, else empty.")
    free_times = FreeTimeSerializer(many=True)


@extend_schema(
    tags=["visits"],
    summary="The next free times for a client",
    description="Slots when the client and both people of a pair are free: within both people's weekly availability, "
    "outside the client's absences, with the team's travel time around visits at other addresses, never across a "
    "clock change. Earliest days first; within a day the pairs in the order of the pair suggestions. Each slot can "
    "be booked with POST /api/v1/visits/ (409 if it was taken meanwhile). Coordinators of the client's team and "
    "administrators; anyone else 404.",
    parameters=[
        OpenApiParameter("client_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The client's id."),
        FreeTimeQuerySerializer,
    ],
    responses=with_errors({200: FreeTimesSerializer}, 400, 403, 404),
)
class ClientFreeTimesView(views.APIView):
    """The next free times of one client (visits.free_times)."""

    def get(self, request, client_pk=None):
        client, _access = guard.fetch(
            request.user, ObjectType.CLIENT, path_id(client_pk), channel=CHANNEL,
            rule=lambda rules, found: rules.manager_access(found.team_id),
        )
        query = FreeTimeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        pair = None
        if "pair" in data:
            pair = policy(request.user).visible_pairs().filter(pk=data["pair"], team_id=client.team_id).with_people().first()
            if pair is None:
                raise serializers.ValidationError({"pair": [_("No such pair in the client's team.")]})
        date_from = data.get("date_from") or timezone.localdate()
        if "time_from" in data:
            hours = (data["time_from"], data["time_to"])
        else:
            hours = None if data["any_time"] else client.preferred_hours
        weekdays = data.get("weekdays")
        if weekdays is None and not data["any_time"]:
            weekdays = client.preferred_weekdays or None
        found = next_free_times(
            client, pair=pair, duration=dt.timedelta(minutes=data["duration_minutes"]), date_from=date_from,
            date_to=data.get("date_to") or date_from + dt.timedelta(days=27), weekdays=weekdays or None,
            time_of_day=hours, viewer=request.user, limit=data["limit"],
        )
        return Response(_free_times_payload(client.pk, found))


def _free_times_payload(client_id: int, found) -> dict:
    return FreeTimesSerializer({"client": client_id, "blocked": found.blocked, "free_times": found.slots}).data
