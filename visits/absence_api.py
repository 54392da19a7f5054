"""Staff absences over the API: /api/v1/absences/. Staff data, not client data: no access-log rows.

Read within `Policy.absence_scope` (a coordinator's teams' people, one's own;
everything for an administrator), outside it 404. Writes go through
visits.absences like the pages: record (coordinators of the person's team,
administrators; an artist or nurse their own sick leave), shorten with PATCH
(a new end), withdraw with POST .../withdraw/ (kept, marked withdrawn).
"""
from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from access.policy import VISITING_ROLES, policy
from pairwork.api_errors import with_errors
from pairwork.api_lookups import path_id
from pairwork.limits import validate_date_in_window
from pairwork.timing import LocalTimeError, aware_from_input
from rest_framework.exceptions import NotFound

from . import absences
from .models import AbsenceKind, StaffAbsence


class AbsenceSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.display_name", read_only=True)
    period = serializers.SerializerMethodField(help_text=_("The absence in words, in Helsinki time."))
    affected_visits = serializers.SerializerMethodField(
        help_text=_("Ids of the person's active visits in the absence (none once withdrawn).")
    )

    class Meta:
        model = StaffAbsence
        fields = [
            "id", "person", "person_name", "kind", "starts_at", "ends_at", "all_day", "period", "note",
            "created_at", "withdrawn_at", "affected_visits",
        ]
        read_only_fields = fields

    def get_period(self, absence) -> str:
        return absences.absence_period(absence)

    def get_affected_visits(self, absence) -> list[int]:
        affected = self.context.get("affected")
        if affected is None:
            return list(absences.affected_visits(absence).values_list("pk", flat=True))
        return [visit.pk for visit in affected.get(absence.pk, [])]


@extend_schema_field(OpenApiTypes.INT)
class _PersonField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        user = self.context["request"].user
        return policy(user).visible_staff().filter(role__in=VISITING_ROLES).select_related("user")


class RecordAbsenceSerializer(serializers.Serializer):
    """Whole days (`all_day` with `first_day` and `last_day`) or from a moment to a moment."""

    person = _PersonField(help_text=_("An artist or nurse of your team; yourself for sick leave."))
    kind = serializers.ChoiceField(choices=AbsenceKind.choices)
    all_day = serializers.BooleanField(default=False)
    first_day = serializers.DateField(required=False, validators=[validate_date_in_window])
    last_day = serializers.DateField(required=False, validators=[validate_date_in_window])
    starts_at = serializers.DateTimeField(required=False, help_text=_("Without an offset: Helsinki wall-clock time."))
    ends_at = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=absences.NOTE_MAX_LENGTH, default="")

    def validate(self, data):
        if data["all_day"]:
            missing = {key: _("Required for an all-day absence.") for key in ("first_day", "last_day") if key not in data}
            if missing:
                raise serializers.ValidationError(missing)
            if data["last_day"] < data["first_day"]:
                raise serializers.ValidationError({"last_day": _("The last day is before the first day.")})
            data["starts_at"], data["ends_at"] = absences.all_day_range(data["first_day"], data["last_day"])
            return data
        missing = {key: _("Required unless all_day is true.") for key in ("starts_at", "ends_at") if key not in data}
        if missing:
            raise serializers.ValidationError(missing)
        for key in ("starts_at", "ends_at"):
            try:
                data[key] = aware_from_input(data[key])
            except LocalTimeError as error:
                raise serializers.ValidationError({key: str(error.message)}) from None
        return data


class ShortenAbsenceSerializer(serializers.Serializer):
    ends_at = serializers.DateTimeField(required=False, help_text=_("The new, earlier end."))
    last_day = serializers.DateField(required=False, validators=[validate_date_in_window],
                                     help_text=_("Or the new last day: the absence ends at the following midnight."))

    def validate(self, data):
        if "last_day" in data:
            return {"ends_at": absences.all_day_range(data["last_day"], data["last_day"])[1]}
        if "ends_at" not in data:
            raise serializers.ValidationError({"ends_at": _("Give the new end or the new last day.")})
        try:
            return {"ends_at": aware_from_input(data["ends_at"])}
        except LocalTimeError as error:
            raise serializers.ValidationError({"ends_at": str(error.message)}) from None


class AbsenceFilter(django_filters.FilterSet):
    person = django_filters.NumberFilter(field_name="person_id")
    kind = django_filters.ChoiceFilter(choices=AbsenceKind.choices)
    current = django_filters.BooleanFilter(method="filter_current", label="Only absences not yet over and not withdrawn")

    class Meta:
        model = StaffAbsence
        fields = ["person", "kind", "current"]

    def filter_current(self, queryset, name, value):
        if value:
            return queryset.active().filter(ends_at__gt=timezone.now())
        return queryset


@extend_schema_view(
    list=extend_schema(summary="List absences", description="Absences of your teams' people (coordinators), your own "
                       "(artists, nurses), everyone's (administrators).",
                       responses=with_errors({200: AbsenceSerializer(many=True)}, 400, 403, 404)),
    retrieve=extend_schema(summary="An absence", responses=with_errors({200: AbsenceSerializer}, 403, 404)),
    create=extend_schema(
        summary="Record an absence",
        description="The person's visits in the period are flagged and the team's coordinators e-mailed; new bookings "
        "for the person in it are refused with 409.",
        request=RecordAbsenceSerializer, responses=with_errors({201: AbsenceSerializer}, 400, 403),
    ),
    partial_update=extend_schema(
        summary="Shorten an absence", request=ShortenAbsenceSerializer,
        responses=with_errors({200: AbsenceSerializer}, 400, 403, 404),
    ),
    withdraw=extend_schema(
        summary="Withdraw an absence", description="Kept, marked withdrawn; its visits are no longer flagged.",
        request=None, responses=with_errors({200: AbsenceSerializer}, 400, 403, 404),
    ),
)
@extend_schema(tags=["absences"])
class AbsenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AbsenceSerializer
    filterset_class = AbsenceFilter
    ordering_fields = ["starts_at", "ends_at", "created_at"]
    ordering = ["starts_at", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return StaffAbsence.objects.visible_to(self.request.user).select_related("person__user")

    def get_object(self):
        absence = self.get_queryset().filter(pk=path_id(self.kwargs["pk"])).first()
        if absence is None:
            raise NotFound
        return absence

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        serializer = self.get_serializer(page, many=True, context={**self.get_serializer_context(),
                                                                    "affected": absences.affected_by_person(page)})
        return self.get_paginated_response(serializer.data)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _answer(self, absence, code=status.HTTP_200_OK):
        fresh = StaffAbsence.objects.select_related("person__user").get(pk=absence.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        data = self._input(RecordAbsenceSerializer)
        absence = absences.record_absence(
            person=data["person"], kind=data["kind"], starts_at=data["starts_at"], ends_at=data["ends_at"],
            all_day=data["all_day"], note=data["note"], by=request.user,
        )
        return self._answer(absence, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        absence = self.get_object()
        data = self._input(ShortenAbsenceSerializer)
        return self._answer(absences.shorten_absence(absence=absence, ends_at=data["ends_at"], by=request.user))

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        absence = self.get_object()
        return self._answer(absences.withdraw_absence(absence=absence, by=request.user))
