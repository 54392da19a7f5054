"""Visits as the API shows them: who, when, where, status; never health data."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from access.fields import NOTE_HEALTH_FIELDS
from access.policy import policy
from clients.models import Client
from pairwork.api_errors import ClashSerializer
from pairwork.api_fields import MomentField, WindowDateField
from pairwork.models import WorkPair

from .models import OUTCOME_STATUSES, SkippedOccurrence, Visit, VisitNote, VisitParticipant, VisitStatus
from .notes import NOTE_FIELDS, editable_until
from pairwork.limits import MAX_DURATION, MAX_DURATION_MINUTES, MAX_INTERVAL_WEEKS, MAX_OCCURRENCES, MIN_DURATION, MIN_DURATION_MINUTES, REASON_MAX_LENGTH
from .services import Scope
from pairwork.timing import real_duration


class VisitClientSerializer(serializers.ModelSerializer):
    """Enough to recognise the client of a visit; the record itself is at /clients/{id}/."""

    class Meta:
        model = Client
        fields = ["id", "first_name", "last_name", "area"]
        read_only_fields = fields


class VisitPairSerializer(serializers.ModelSerializer):
    artist_name = serializers.CharField(source="artist.display_name", read_only=True)
    nurse_name = serializers.CharField(source="nurse.display_name", read_only=True)

    class Meta:
        model = WorkPair
        fields = ["id", "team", "artist", "artist_name", "nurse", "nurse_name"]
        read_only_fields = fields


class VisitParticipantSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="staff.display_name", read_only=True)

    class Meta:
        model = VisitParticipant
        fields = ["staff", "name", "role"]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    client = VisitClientSerializer(read_only=True)
    pair = VisitPairSerializer(read_only=True)
    participants = VisitParticipantSerializer(many=True, read_only=True)
    duration_minutes = serializers.IntegerField(read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id", "client", "pair", "participants", "starts_at", "ends_at", "duration_minutes", "status",
            "cancellation_reason", "series", "created_at", "updated_at",
        ]
        read_only_fields = fields


# --- Writes: input shapes only; the rules live in visits.services -----------------------


@extend_schema_field(OpenApiTypes.INT)
class _ScopedChoice(serializers.PrimaryKeyRelatedField):
    """A client or pair id among those the caller may see; anything else is "does not exist" (400)."""

    def __init__(self, *, scoped, **kwargs):
        self.scoped = scoped
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scoped(self.context["request"].user)


def _visible_clients(user):
    return Client.objects.visible_to(user)


def _visible_pairs(user):
    return policy(user).visible_pairs().with_people()


_MOMENT_HELP = (
    "With an offset (e.g. +02:00) it is taken as given; without one it is Helsinki local time, and a local time "
    "that does not exist that day (clocks forward) or happens twice (clocks back) is refused."
)
_ENDS_HELP = (
    f"Exclusive; {MIN_DURATION_MINUTES} minutes to {MAX_DURATION_MINUTES // 60} hours after starts_at in real time "
    "(across a clock change too)."
)


def _check_real_duration(data: dict) -> dict:
    """End after start and the duration within the limits, both in absolute time: a 400 on ends_at."""
    duration = real_duration(data["starts_at"], data["ends_at"])
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise serializers.ValidationError({"ends_at": [_(
            "A visit lasts from 15 minutes to 8 hours."
        ) if duration > dt.timedelta(0) else _("The end must be after the start.")]})
    return data


class ScheduleVisitSerializer(serializers.Serializer):
    """Book one joint visit (visits.services.schedule_visit)."""

    client = _ScopedChoice(scoped=_visible_clients, help_text="The client's id.")
    pair = _ScopedChoice(scoped=_visible_pairs, help_text="The work pair's id (same team as the client).")
    starts_at = MomentField(help_text=_MOMENT_HELP)
    ends_at = MomentField(help_text=_ENDS_HELP)

    def validate(self, data):
        return _check_real_duration(data)


class ScheduleSeriesSerializer(serializers.Serializer):
    """Book a weekly series (visits.services.schedule_series); give `until` or `count`."""

    client = _ScopedChoice(scoped=_visible_clients, help_text="The client's id.")
    pair = _ScopedChoice(scoped=_visible_pairs, help_text="The work pair's id (same team as the client).")
    first_starts_at = MomentField(help_text=_MOMENT_HELP)
    duration_minutes = serializers.IntegerField(
        min_value=MIN_DURATION_MINUTES, max_value=MAX_DURATION_MINUTES, help_text="In real time, across a clock change too."
    )
    interval_weeks = serializers.IntegerField(default=1, min_value=1, max_value=MAX_INTERVAL_WEEKS)
    until = WindowDateField(required=False, allow_null=True, default=None, help_text="Last day (local time).")
    count = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_OCCURRENCES)


class ChangeScopeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=Scope.choices, default=Scope.THIS,
            help_text="`this`: only this visit; `following`: it and the later planned visits of its series.", **kwargs,
        )


class RescheduleVisitSerializer(serializers.Serializer):
    starts_at = MomentField(help_text=_MOMENT_HELP)
    ends_at = MomentField(help_text=_ENDS_HELP)
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="Shown to the pair and kept in the history.")
    scope = ChangeScopeField()

    def validate(self, data):
        return _check_real_duration(data)


class CancelVisitSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="Shown to the pair and kept in the history.")
    scope = ChangeScopeField()


class SkippedOccurrenceSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    reason = serializers.ChoiceField(choices=SkippedOccurrence.Reason.choices)
    clashes = ClashSerializer(many=True, help_text="Who was busy then, as in a 409.")


class SeriesReportSerializer(serializers.Serializer):
    series = serializers.IntegerField(help_text="The series' id.")
    created = VisitSerializer(many=True)
    skipped = SkippedOccurrenceSerializer(many=True)


class ChangedVisitsSerializer(serializers.Serializer):
    """The visits a reschedule or cancel changed, in time order (one, or the rest of a series)."""

    visits = VisitSerializer(many=True)


class VisitNoteSerializer(serializers.ModelSerializer):
    """A participant's note: what was done and how it went. The client's health notes are never here."""

    author = serializers.IntegerField(source="participant.staff_id", read_only=True, help_text="The author's staff id.")
    author_name = serializers.CharField(source="participant.staff.display_name", read_only=True)
    author_role = serializers.CharField(source="participant.role", read_only=True)
    editable_until = serializers.SerializerMethodField(help_text="The author may edit the note until then (48 hours).")

    class Meta:
        model = VisitNote
        fields = ["id", "author", "author_name", "author_role", *NOTE_FIELDS, "version", "created_at", "updated_at",
                  "editable_until"]
        read_only_fields = ["id", "version", "created_at", "updated_at"]

    def to_representation(self, note: VisitNote) -> dict:
        data = super().to_representation(note)
        request = self.context.get("request")
        rules = policy(request.user if request is not None else None)
        if not rules.sees_health_data and not rules.note_author_access(note):
            for name in NOTE_HEALTH_FIELDS:
                data.pop(name, None)  # health data: never to an artist (access.fields)
        return data

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_editable_until(self, note: VisitNote) -> str:
        return serializers.DateTimeField().to_representation(editable_until(note))


class VisitOutcomeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(s, VisitStatus(s).label) for s in OUTCOME_STATUSES])


# --- Stand-ins (visits.standins) --------------------------------------------------------


class StandInReasonSerializer(serializers.Serializer):
    text = serializers.CharField(read_only=True)
    positive = serializers.BooleanField(read_only=True, help_text="True: a reason for; false: a reason against.")


class StandInPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class StandInOptionSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True, help_text="Post this back as `option` to apply it.")
    kind = serializers.ChoiceField(
        choices=["keep_nurse", "keep_artist", "other_pair", "move"], read_only=True,
        help_text="keep_nurse: another artist; keep_artist: another nurse; other_pair: both change; move: the planned "
        "pair at another time.",
    )
    title = serializers.CharField(read_only=True)
    recommended = serializers.BooleanField(read_only=True)
    artist = StandInPersonSerializer(read_only=True)
    nurse = StandInPersonSerializer(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="move only: the new start.")
    ends_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reasons = StandInReasonSerializer(many=True, read_only=True)


class StandInQuerySerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The staff id of the participant who cannot come.")


class ApplyStandInSerializer(StandInQuerySerializer):
    option = serializers.CharField(max_length=200, help_text="The `key` of one of the options listed by GET.")
