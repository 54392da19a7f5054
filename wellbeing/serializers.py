"""Survey instruments as the API shows them, in the language of the request."""
from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from pairwork.models import Team
from visits.models import VisitSeries

from .models import Instrument, Item, Scale, SurveyResponse, TimePoint


class ScaleSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Scale
        fields = ["code", "position", "name", "rule", "max_missing"]
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer):
    scale = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    text = serializers.CharField(read_only=True)
    min_label = serializers.CharField(read_only=True)
    max_label = serializers.CharField(read_only=True)

    class Meta:
        model = Item
        fields = [
            "code", "position", "scale", "text", "scale_min", "scale_max", "min_label", "max_label",
            "reverse_scored", "required",
        ]
        read_only_fields = fields


class InstrumentSerializer(serializers.ModelSerializer):
    """A questionnaire version with its scales and items. Texts follow Accept-Language (fi, sv, en)."""

    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    time_points = serializers.ListField(child=serializers.CharField(), read_only=True)
    scales = ScaleSerializer(many=True, read_only=True)
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = Instrument
        fields = ["id", "code", "version", "name", "description", "audience", "time_points", "is_active", "scales", "items"]
        read_only_fields = fields


# --- Survey responses -----------------------------------------------------------------------------

class ResponseKind:
    PULSE = "post_visit_pulse"
    MONTHLY = "monthly"
    CLIENT_OUTCOME = "client_outcome"
    CHOICES = [PULSE, MONTHLY, CLIENT_OUTCOME]


class SurveyResponseSerializer(serializers.ModelSerializer):
    """One filled-in questionnaire: its answers by item code and its scale scores by scale code."""

    instrument = serializers.SlugRelatedField(slug_field="code", read_only=True)
    instrument_version = serializers.IntegerField(source="instrument.version", read_only=True)
    answers = serializers.SerializerMethodField()
    scores = serializers.SerializerMethodField()

    class Meta:
        model = SurveyResponse
        fields = [
            "id", "instrument", "instrument_version", "time_point", "respondent", "client", "team", "visit", "series",
            "period", "submitted_at", "answers", "scores",
        ]
        read_only_fields = fields

    def get_answers(self, response) -> dict[str, int | None]:
        return {answer.item.code: answer.value for answer in response.answers.all()}

    def get_scores(self, response) -> dict[str, float]:
        return {score.scale.code: score.value for score in response.scores.all()}


class SubmitResponseSerializer(serializers.Serializer):
    """What to answer and the answers. Which of visit, team, client and time_point are needed depends on `kind`."""

    kind = serializers.ChoiceField(
        choices=ResponseKind.CHOICES,
        help_text="post_visit_pulse (artist or nurse of the visit), monthly (artist or nurse, one of your teams), "
        "client_outcome (a nurse who visits the client, with the client).",
    )
    answers = serializers.DictField(
        child=serializers.IntegerField(allow_null=True), help_text="Answers as {item_code: value}; null leaves an item unanswered."
    )
    visit = serializers.IntegerField(required=False, min_value=1, help_text="post_visit_pulse: the visit's id.")
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, help_text="monthly: one of your teams.")
    client = serializers.IntegerField(required=False, min_value=1, help_text="client_outcome: the client's id.")
    time_point = serializers.ChoiceField(
        choices=[TimePoint.BASELINE, TimePoint.FOLLOW_UP], required=False, help_text="client_outcome: baseline or follow_up."
    )
    series = serializers.PrimaryKeyRelatedField(
        queryset=VisitSeries.objects.all(), required=False, allow_null=True, help_text="client_outcome: the client's visit series (optional)."
    )

    NEEDS = {
        ResponseKind.PULSE: ("visit",),
        ResponseKind.MONTHLY: ("team",),
        ResponseKind.CLIENT_OUTCOME: ("client", "time_point"),
    }

    def validate(self, data):
        missing = {name: [_("This field is required.")] for name in self.NEEDS[data["kind"]] if data.get(name) is None}
        if missing:
            raise serializers.ValidationError(missing)
        return data


# --- Dashboard ------------------------------------------------------------------------------------

class DashboardColumnSerializer(serializers.Serializer):
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["text", "count", "mean", "share", "money"])


class DashboardCellSerializer(serializers.Serializer):
    value = serializers.JSONField(allow_null=True, help_text="The figure (a number or a label); null when suppressed or missing.")
    text = serializers.CharField(help_text="The figure as the page shows it, e.g. 'fewer than 5'.")
    suppressed = serializers.BooleanField(help_text="True when the figure is hidden (small-cell suppression).")


class DashboardRowSerializer(serializers.Serializer):
    cells = DashboardCellSerializer(many=True)
    suppressed = serializers.BooleanField(help_text="True when any figure of the row is hidden.")


class DashboardTableSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    question = serializers.CharField()
    columns = DashboardColumnSerializer(many=True)
    rows = DashboardRowSerializer(many=True)
    chart = serializers.JSONField(allow_null=True, help_text="The first of `charts` (suppressed points are null).")
    charts = serializers.JSONField(
        help_text="The charts the page draws, one per measure: each a Chart.js configuration with its `title` (the survey's "
                  "wording), at most six series; `intervals` holds each point's 95% interval, `reference` marks all teams."
    )
    chart_summary = serializers.CharField()


class DashboardTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DashboardFiltersSerializer(serializers.Serializer):
    teams = DashboardTeamSerializer(many=True, help_text="The teams the figures cover (each one a `team` to ask for).")
    start = serializers.DateField()
    end = serializers.DateField()
    show_totals = serializers.BooleanField(help_text="The tables have the all-teams rows.")
    per_team = serializers.BooleanField(
        help_text="The tables have a row for each of `teams`; false in an organisation-wide view without a `team`, "
                  "which has the all-teams rows only."
    )


class DashboardSerializer(serializers.Serializer):
    filters = DashboardFiltersSerializer()
    suppression_threshold = serializers.IntegerField()
    suppressed_label = serializers.CharField()
    rebuilt_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    cost_per_day = serializers.DecimalField(max_digits=8, decimal_places=2)
    cost_set_at = serializers.DateTimeField(allow_null=True)
    tables = DashboardTableSerializer(many=True)
    analyses = DashboardTableSerializer(
        many=True,
        help_text="The stored analyses (computed by the aggregation job, never by the request), as tables with the "
                  "dashboard's suppression: evidence_staff, evidence_client, evidence_dose. Charts are empty.",
    )


class DashboardOneTableSerializer(serializers.Serializer):
    filters = DashboardFiltersSerializer()
    suppression_threshold = serializers.IntegerField()
    suppressed_label = serializers.CharField()
    table = DashboardTableSerializer()
