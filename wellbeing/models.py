"""Survey instruments as data, and the responses given to them."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from pairwork.models import StaffProfile, Team
from visits.models import Visit, VisitSeries

# A client's follow-up measurement is due this many weeks after the baseline,
# unless the instrument says otherwise.
DEFAULT_FOLLOW_UP_WEEKS = 8


def _translated(obj, field: str) -> str:
    """The field in the active language, falling back to Finnish."""
    language = (get_language() or "fi")[:2]
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_fi")


class Audience(models.TextChoices):
    STAFF = "staff", _("Staff")
    CLIENT = "client", _("Client")


class TimePoint(models.TextChoices):
    POST_VISIT = "post_visit", _("After a visit")
    MONTHLY = "monthly", _("Monthly")
    BASELINE = "baseline", _("Baseline")
    FOLLOW_UP = "follow_up", _("Follow-up")


class ScoringRule(models.TextChoices):
    SUM = "sum", _("Sum")
    MEAN = "mean", _("Mean")


class InstrumentQuerySet(models.QuerySet):
    def current(self) -> "InstrumentQuerySet":
        return self.filter(is_active=True)

    def for_time_point(self, time_point: str) -> "InstrumentQuerySet":
        return self.filter(time_points__contains=[time_point])


class Instrument(models.Model):
    """A questionnaire, versioned: a version that has answers is never edited."""

    code = models.SlugField(_("code"), max_length=60, help_text=_("Stable identifier, e.g. post_visit_pulse."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name_fi = models.CharField(_("name (Finnish)"), max_length=160)
    name_sv = models.CharField(_("name (Swedish)"), max_length=160, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=160, blank=True)
    description_fi = models.TextField(_("description (Finnish)"), blank=True)
    description_sv = models.TextField(_("description (Swedish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    time_points = models.JSONField(_("time points"), default=list, help_text=_("When it is answered, e.g. [\"baseline\", \"follow_up\"]."))
    is_active = models.BooleanField(_("in use"), default=True)
    follow_up_weeks = models.PositiveSmallIntegerField(
        _("follow-up after (weeks)"),
        default=DEFAULT_FOLLOW_UP_WEEKS,
        validators=[MinValueValidator(1), MaxValueValidator(104)],
        help_text=_("For client instruments: the follow-up is due this many weeks after the baseline."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def name(self) -> str:
        return _translated(self, "name")

    @property
    def description(self) -> str:
        return _translated(self, "description")


class Scale(models.Model):
    """A scored group of items (a subscale) with its scoring rule."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="scales", verbose_name=_("instrument"))
    code = models.SlugField(_("code"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_fi = models.CharField(_("name (Finnish)"), max_length=160)
    name_sv = models.CharField(_("name (Swedish)"), max_length=160, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=160, blank=True)
    rule = models.CharField(_("scoring rule"), max_length=10, choices=ScoringRule.choices, default=ScoringRule.MEAN)
    max_missing = models.PositiveSmallIntegerField(
        _("missing items tolerated"), default=0, help_text=_("A score is computed only when at most this many items are unanswered.")
    )
    higher_is_better = models.BooleanField(
        _("higher score is better"), default=True, help_text=_("Clear this for scales such as loneliness, where a lower score is an improvement.")
    )
    minimal_important_change = models.FloatField(
        _("minimal important change"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The smallest change in the scale's score that matters to a client; used for the share of clients who improved."),
    )

    class Meta:
        ordering = ["instrument", "position"]
        verbose_name = _("scale")
        verbose_name_plural = _("scales")
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="scale_code_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _translated(self, "name")


class Item(models.Model):
    """A question with a numeric answer scale."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items", verbose_name=_("instrument"))
    scale = models.ForeignKey(
        Scale, on_delete=models.SET_NULL, null=True, blank=True, related_name="items", verbose_name=_("scale")
    )
    code = models.SlugField(_("code"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text_fi = models.CharField(_("question (Finnish)"), max_length=300)
    text_sv = models.CharField(_("question (Swedish)"), max_length=300, blank=True)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    scale_min = models.SmallIntegerField(_("lowest answer"), default=1)
    scale_max = models.SmallIntegerField(_("highest answer"), default=5)
    min_label_fi = models.CharField(_("lowest label (Finnish)"), max_length=80, blank=True)
    min_label_sv = models.CharField(_("lowest label (Swedish)"), max_length=80, blank=True)
    min_label_en = models.CharField(_("lowest label (English)"), max_length=80, blank=True)
    max_label_fi = models.CharField(_("highest label (Finnish)"), max_length=80, blank=True)
    max_label_sv = models.CharField(_("highest label (Swedish)"), max_length=80, blank=True)
    max_label_en = models.CharField(_("highest label (English)"), max_length=80, blank=True)
    reverse_scored = models.BooleanField(_("reverse scored"), default=False)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["instrument", "position"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="item_code_unique"),
            models.CheckConstraint(condition=Q(scale_max__gt=models.F("scale_min")), name="item_scale_max_above_min"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _translated(self, "text")

    @property
    def min_label(self) -> str:
        return _translated(self, "min_label")

    @property
    def max_label(self) -> str:
        return _translated(self, "max_label")

    def scored(self, value: int) -> int:
        """The value as it counts in a score: reverse items flipped within the scale."""
        return self.scale_min + self.scale_max - value if self.reverse_scored else value


class SurveyResponse(models.Model):
    """One filled-in questionnaire: by a staff member, or by a client with a nurse."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses", verbose_name=_("instrument"))
    time_point = models.CharField(_("time point"), max_length=12, choices=TimePoint.choices)
    respondent = models.ForeignKey(
        StaffProfile, on_delete=models.CASCADE, null=True, blank=True, related_name="survey_responses", verbose_name=_("respondent")
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="survey_responses", verbose_name=_("client")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    # The team at answering time: aggregates group by it, and it must not
    # move when someone changes teams later.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="survey_responses", verbose_name=_("team"))
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_responses", verbose_name=_("visit")
    )
    series = models.ForeignKey(
        VisitSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_responses", verbose_name=_("visit series")
    )
    period = models.DateField(_("month"), help_text=_("First day of the month the answers concern."))
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(
                condition=(Q(respondent__isnull=False) & Q(client__isnull=True))
                | (Q(respondent__isnull=True) & Q(client__isnull=False)),
                name="response_staff_xor_client",
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="response_period_is_month_start"),
            models.UniqueConstraint(
                fields=["respondent", "instrument", "visit"],
                condition=Q(visit__isnull=False, respondent__isnull=False),
                name="response_one_pulse_per_visit",
            ),
            models.UniqueConstraint(
                fields=["respondent", "instrument", "period"],
                condition=Q(time_point="monthly", respondent__isnull=False),
                name="response_one_monthly_per_month",
            ),
            models.UniqueConstraint(
                fields=["client", "instrument"],
                condition=Q(time_point="baseline", client__isnull=False),
                name="response_one_client_baseline",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "period", "instrument"]),
            models.Index(fields=["client", "time_point"]),
            # The per-month refresh after each answer reads one month of one instrument.
            models.Index(fields=["period", "instrument"], name="response_period_instrument"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.get_time_point_display()} {self.period:%Y-%m}"


class Answer(models.Model):
    """One item's answer; empty when the respondent skipped an optional item."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item"))
    value = models.SmallIntegerField(_("value"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="answer_once_per_item")]

    def __str__(self) -> str:
        return f"{self.item.code}={self.value}"


class ResponseScore(models.Model):
    """A scale score of one response, computed when the response is saved."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="scores", verbose_name=_("response"))
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="scores", verbose_name=_("scale"))
    value = models.FloatField(_("score"))
    answered = models.PositiveSmallIntegerField(_("items answered"))

    class Meta:
        verbose_name = _("response score")
        verbose_name_plural = _("response scores")
        constraints = [models.UniqueConstraint(fields=["response", "scale"], name="responsescore_once_per_scale")]

    def __str__(self) -> str:
        return f"{self.scale.code}={self.value:.2f}"


# --- Aggregates -------------------------------------------------------------------
#
# Everything below is derived data: `wellbeing.aggregation` rebuilds it from
# the responses (and visits) with GROUP BY queries in PostgreSQL, and the
# dashboard reads nothing else. Dropping every row and running
# `manage.py rebuild_wellbeing` gives the same tables back.


class PersonMonth(models.Model):
    """One staff member's answers to one metric in one month, in one team (or all teams together).

    The sums every staff cell is grouped from. PostgreSQL keeps them equal to
    the response and score rows: statement triggers (migration 0007) add and
    subtract each written or deleted row in the writing transaction itself,
    so an answer's sums are stored with the answer and a cell refresh only
    regroups a few rows. Nothing else writes here; `aggregation.rebuild_all(from_source=True)`
    re-derives the table from the source rows, should a bulk load have gone around it.

    For a monthly instrument's pair-work share (metric `<code>.pair_work_share`)
    each monthly answer's value is 1 if the person took part in a delivered visit
    that month (StaffMonthVisits), else 0; the visit triggers (migration 0010)
    move it when a visit is completed, undone, moved or its participants change.
    """

    # Rows come and go with the answers (the triggers), whose own foreign keys
    # keep people and teams real; deleting a person deletes their answers
    # first, which removes these rows. No constraint of their own: checking a
    # million derived rows again at commit would double the cost of a bulk load.
    team = models.ForeignKey(
        Team, on_delete=models.DO_NOTHING, null=True, related_name="+", verbose_name=_("team"),
        help_text=_("Empty: all teams together."), db_index=False, db_constraint=False,  # the unique key starts with it
    )
    period = models.DateField(_("month"))
    metric = models.CharField(_("metric"), max_length=140)
    respondent = models.ForeignKey(
        StaffProfile, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("respondent"),
        db_index=False, db_constraint=False,
    )
    # numeric: sums that are added to and subtracted from stay exact, whatever the order.
    value_sum = models.DecimalField(_("sum of scores"), max_digits=30, decimal_places=15)
    answers = models.IntegerField(_("answers"))
    monthly_sum = models.DecimalField(_("sum of monthly scores"), max_digits=30, decimal_places=15)
    monthly_answers = models.IntegerField(_("monthly answers"))
    # The person's mean and squared mean in fixed point (nano-units): see aggregation.
    nano = models.GeneratedField(
        expression=models.Func(
            models.F("value_sum"), models.Func(models.F("answers"), 0, function="nullif"),
            template="(round(%(expressions)s * 1e9))::bigint", arg_joiner=" / ",
        ),
        output_field=models.BigIntegerField(), db_persist=True,
    )
    nano_squares = models.GeneratedField(
        expression=models.Func(
            models.F("value_sum"), models.Func(models.F("answers"), 0, function="nullif"),
            template="(round((%(expressions)s) ^ 2 * 1e9))::bigint", arg_joiner=" / ",
        ),
        output_field=models.BigIntegerField(), db_persist=True,
    )

    class Meta:
        verbose_name = _("person-month sums")
        verbose_name_plural = _("person-month sums")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "period", "metric", "respondent"], nulls_distinct=False, name="personmonth_unique"
            ),
        ]
        indexes = [
            # The team rows with monthly answers, each person's months in order: what the full rebuild regroups
            # the person phase sums from, read from the index alone (a quarter of the rows, a fifth of the bytes).
            models.Index(
                fields=["team", "metric", "respondent", "period"], include=["monthly_sum", "monthly_answers"],
                condition=models.Q(team__isnull=False, monthly_answers__gt=0), name="personmonth_phase_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.period:%Y-%m} {self.respondent_id}: {self.answers}"


# How many rows each month cell of all teams together is kept in: every staff answer changes its
# all-teams cells, so one shared row per cell would make concurrent answers queue on its lock.
ALL_TEAMS_SHARDS = 16


class MonthCellSum(models.Model):
    """A month cell's statistics over its person-month rows, kept by the same triggers as PersonMonth.

    What a month cell is grouped from in a refresh: a team's cell is one row,
    the all-teams cell the sum of ALL_TEAMS_SHARDS rows (a person's share lives
    in the shard of their id), so an answer writes only its team's rows and one
    shard's, and a refresh reads a handful of rows rather than every person's.
    The counts are exact integers (person means in nano-units, as in PersonMonth),
    so the sums equal a regroup of the person rows whatever the order of answers;
    the full rebuild regroups them and repairs any that differ.
    """

    team = models.ForeignKey(
        Team, on_delete=models.DO_NOTHING, null=True, related_name="+", verbose_name=_("team"),
        help_text=_("Empty: all teams together."), db_index=False, db_constraint=False,  # the unique key starts with it
    )
    shard = models.SmallIntegerField(_("shard"))
    period = models.DateField(_("month"))
    metric = models.CharField(_("metric"), max_length=140)
    respondents = models.BigIntegerField(_("respondents"))
    answers = models.BigIntegerField(_("answers"))
    nano = models.BigIntegerField(_("sum of person means (nano-units)"))
    nano_squares = models.BigIntegerField(_("sum of squared person means (nano-units)"))

    class Meta:
        verbose_name = _("month cell sums")
        verbose_name_plural = _("month cell sums")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "period", "metric", "shard"], nulls_distinct=False, name="monthcellsum_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.period:%Y-%m} {self.metric} [{self.shard}]: {self.respondents}"


class StaffMonthVisits(models.Model):
    """How many delivered (completed) visits a person took part in, in one month: the pair-work share's value.

    Kept by triggers on visits and participants (migration 0010) in the
    visit's own transaction; when the count crosses zero, the same triggers
    move the person's pair-work share rows of that month. A monthly answer
    writes a row with 0 if there is none, to lock it: so an answer and a visit
    of the same person and month wait for each other instead of both reading
    the other's old state.
    """

    staff = models.ForeignKey(
        StaffProfile, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("staff"),
        db_index=False, db_constraint=False,  # the unique key starts with it
    )
    period = models.DateField(_("month"))
    visits = models.IntegerField(_("delivered visits taken part in"))

    class Meta:
        verbose_name = _("delivered visits of a person-month")
        verbose_name_plural = _("delivered visits of person-months")
        constraints = [models.UniqueConstraint(fields=["staff", "period"], name="staffmonthvisits_unique")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.period:%Y-%m}: {self.visits}"


class PersonPhase(models.Model):
    """One person's monthly answers to one metric in one team, before or from the team's first pair month.

    Kept by the person-month triggers (migration 0010) from each person-month
    row's monthly sums, on the side of TeamPairStart the row's month falls; the
    aggregation re-derives a team's rows when its first pair month moves. What
    the before/with pair work cells are summed from, so a monthly answer does
    not regroup every person-month of its team.
    """

    team = models.ForeignKey(
        Team, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("team"), db_index=False, db_constraint=False,
    )
    metric = models.CharField(_("metric"), max_length=140)
    phase = models.CharField(_("phase"), max_length=16)  # Span.BEFORE_PAIRS or Span.WITH_PAIRS
    respondent = models.ForeignKey(
        StaffProfile, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("respondent"),
        db_index=False, db_constraint=False,
    )
    monthly_sum = models.DecimalField(_("sum of monthly scores"), max_digits=30, decimal_places=15)
    monthly_answers = models.IntegerField(_("monthly answers"))
    # The person's mean over the phase in nano-units, as in PersonMonth.
    nano = models.GeneratedField(
        expression=models.Func(
            models.F("monthly_sum"), models.Func(models.F("monthly_answers"), 0, function="nullif"),
            template="(round(%(expressions)s * 1e9))::bigint", arg_joiner=" / ",
        ),
        output_field=models.BigIntegerField(), db_persist=True,
    )
    nano_squares = models.GeneratedField(
        expression=models.Func(
            models.F("monthly_sum"), models.Func(models.F("monthly_answers"), 0, function="nullif"),
            template="(round((%(expressions)s) ^ 2 * 1e9))::bigint", arg_joiner=" / ",
        ),
        output_field=models.BigIntegerField(), db_persist=True,
    )

    class Meta:
        verbose_name = _("person phase sums")
        verbose_name_plural = _("person phase sums")
        constraints = [
            models.UniqueConstraint(fields=["team", "metric", "phase", "respondent"], name="personphase_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.metric} {self.phase} {self.respondent_id}: {self.monthly_answers}"


class PhaseCellSum(models.Model):
    """A before/with pair work cell's statistics over its PersonPhase rows, kept by the same triggers."""

    team = models.ForeignKey(
        Team, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("team"), db_index=False, db_constraint=False,
    )
    metric = models.CharField(_("metric"), max_length=140)
    phase = models.CharField(_("phase"), max_length=16)
    respondents = models.BigIntegerField(_("respondents"))
    answers = models.BigIntegerField(_("answers"))
    nano = models.BigIntegerField(_("sum of person means (nano-units)"))
    nano_squares = models.BigIntegerField(_("sum of squared person means (nano-units)"))

    class Meta:
        verbose_name = _("phase cell sums")
        verbose_name_plural = _("phase cell sums")
        constraints = [models.UniqueConstraint(fields=["team", "metric", "phase"], name="phasecellsum_unique")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.metric} {self.phase}: {self.respondents}"


class StaleCell(models.Model):
    """A journal of (team, month, metric) whose person-month sums changed since their cells were grouped.

    Written by the same triggers as PersonMonth, in the answer's transaction;
    a cell refresh or the nightly reconcile regroups the cells and deletes the
    rows it saw, in one statement, so a change that commits meanwhile stays in
    the journal for the next run. Insert-only (no unique key), so concurrent
    answers never wait on each other here.
    """

    team = models.ForeignKey(
        Team, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("team"), db_index=False, db_constraint=False
    )
    period = models.DateField(_("month"))
    metric = models.CharField(_("metric"), max_length=140)

    class Meta:
        verbose_name = _("cell to regroup")
        verbose_name_plural = _("cells to regroup")
        indexes = [models.Index(fields=["team", "period", "metric"], name="stalecell_key")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.period:%Y-%m} {self.metric}"


class AnalysisInputChange(models.Model):
    """A journal: a statement wrote rows the stored analyses are computed from, since they were last computed.

    Written by statement triggers (migration 0011) on the answers, scores,
    scales, visits, participants, pairs and team starts, in the writing
    transaction; `evidence.store_analyses` deletes the rows it saw and, when
    there were none, leaves the analyses as they are instead of refitting
    them over every person-month (seconds at a million answers). Insert-only,
    so concurrent writers never wait on each other here.
    """

    at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("change to the analyses' inputs")
        verbose_name_plural = _("changes to the analyses' inputs")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S}"


class Span(models.TextChoices):
    """The stretch of time an aggregate row covers."""

    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    BEFORE_PAIRS = "before_pairs", _("Before pair work")
    WITH_PAIRS = "with_pairs", _("With pair work")
    ALL_TIME = "all_time", _("All time")


class MetricAggregateQuerySet(models.QuerySet):
    def in_span(self, *spans: str) -> "MetricAggregateQuerySet":
        return self.filter(span__in=spans)


class MetricAggregate(models.Model):
    """Sufficient statistics of one metric for one team (or all teams) and span.

    The unit is the respondent: a staff member's answers in the cell are first
    averaged per person, so `respondents` is the n that the small-cell rule
    counts and the confidence interval uses. For client outcomes the value is
    each client's change from baseline to latest follow-up.
    """

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("team"),
        help_text=_("Empty: all teams together."),
    )
    span = models.CharField(_("span"), max_length=20, choices=Span.choices)
    period = models.DateField(_("period"), null=True, blank=True, help_text=_("First day of the month or quarter."))
    metric = models.CharField(_("metric"), max_length=140)
    respondents = models.PositiveIntegerField(_("respondents"))
    responses = models.PositiveIntegerField(_("responses"))
    total = models.FloatField(_("sum of values"))
    total_squares = models.FloatField(_("sum of squared values"))

    objects = MetricAggregateQuerySet.as_manager()

    class Meta:
        verbose_name = _("metric aggregate")
        verbose_name_plural = _("metric aggregates")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "span", "period", "metric"], nulls_distinct=False, name="metricaggregate_cell_unique"
            ),
        ]
        # The dashboard re-reads a metric's cells of one team (or of all teams) when they change.
        indexes = [models.Index(models.F("metric"), Coalesce("team", 0), name="metricaggregate_metric_team")]

    def __str__(self) -> str:
        return f"{self.metric} {self.span} {self.period or ''} n={self.respondents}"


class VisitAggregate(models.Model):
    """Visits of one team (or all teams) in one month, by outcome."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("team"),
        help_text=_("Empty: all teams together."),
    )
    period = models.DateField(_("month"))
    planned = models.PositiveIntegerField(_("planned"))
    delivered = models.PositiveIntegerField(_("delivered"))
    no_shows = models.PositiveIntegerField(_("no-shows"))
    declined = models.PositiveIntegerField(_("client declined"))
    cancelled = models.PositiveIntegerField(_("cancelled"))
    with_familiar_nurse = models.PositiveIntegerField(_("delivered with a familiar nurse"))
    clients = models.PositiveIntegerField(_("clients"))

    class Meta:
        verbose_name = _("visit aggregate")
        verbose_name_plural = _("visit aggregates")
        constraints = [
            models.UniqueConstraint(fields=["team", "period"], nulls_distinct=False, name="visitaggregate_cell_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} planned={self.planned} delivered={self.delivered}"


class TeamPairStart(models.Model):
    """The month a team's first work pair started: splits 'before' from 'with' pair work."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("team"))
    first_month = models.DateField(_("first month with pair work"))

    class Meta:
        verbose_name = _("start of pair work")
        verbose_name_plural = _("starts of pair work")

    def __str__(self) -> str:
        return f"{self.team_id}: {self.first_month:%Y-%m}"


class CellVersion(models.Model):
    """The version of the dashboard's aggregate cells, per metric and team, of the visit cells and of the team starts.

    Written by statement triggers (migration 0012) on the metric and visit
    aggregates and the team starts, in the writing transaction: each statement
    that changes rows gives each metric and team it touched ("<metric>/<team
    id>", "<metric>/" for all teams; or "@visits", "@team_starts") a new
    number from a sequence. A row, not a bare sequence, so a reader sees a new
    version exactly when it sees the change: the dashboard's decided cells
    (wellbeing.dashboard.cells) are kept per version, and only changed cells
    are re-read, only their metrics re-decided.
    """

    cell = models.CharField(_("cells"), max_length=160, primary_key=True)
    version = models.BigIntegerField(_("version"))

    class Meta:
        verbose_name = _("version of aggregate cells")
        verbose_name_plural = _("versions of aggregate cells")

    def __str__(self) -> str:
        return f"{self.cell}: {self.version}"


class AggregationState(models.Model):
    """One row: when the aggregates were last rebuilt in full and last touched at all."""

    rebuilt_at = models.DateTimeField(_("last complete rebuild"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last update"), null=True, blank=True)

    class Meta:
        verbose_name = _("aggregation state")
        verbose_name_plural = _("aggregation state")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="aggregationstate_single_row")]

    def __str__(self) -> str:
        return f"{self.rebuilt_at}"


class SickLeaveCostQuerySet(models.QuerySet):
    def current(self) -> "SickLeaveCost | None":
        return self.order_by("-set_at", "-id").first()


class SickLeaveCost(models.Model):
    """The assumed cost of one sick-leave day; each change is a new row, the latest counts."""

    DEFAULT_PER_DAY = 350

    cost_per_day = models.DecimalField(_("cost per sick-leave day (€)"), max_digits=8, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("set by")
    )
    set_at = models.DateTimeField(_("set"), default=timezone.now)

    objects = SickLeaveCostQuerySet.as_manager()

    class Meta:
        ordering = ["-set_at"]
        verbose_name = _("sick-leave cost")
        verbose_name_plural = _("sick-leave costs")
        constraints = [models.CheckConstraint(condition=Q(cost_per_day__gt=0), name="sickleavecost_positive")]

    def __str__(self) -> str:
        return f"{self.cost_per_day} €"


class MonthlySurveyReminder(models.Model):
    """A reminder e-mail sent for a month's survey, so a re-run never sends it twice."""

    staff = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff"))
    period = models.DateField(_("month"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("monthly survey reminder")
        verbose_name_plural = _("monthly survey reminders")
        constraints = [models.UniqueConstraint(fields=["staff", "period"], name="monthlysurveyreminder_once")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.period:%Y-%m}"


class OutcomeMeasurementReminder(models.Model):
    """The one reminder e-mail sent for a client's baseline or follow-up, so a re-run never sends it again."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", verbose_name=_("client"))
    time_point = models.CharField(_("time point"), max_length=12, choices=TimePoint.choices)
    nurse = models.ForeignKey(
        StaffProfile, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("reminded nurse")
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("outcome measurement reminder")
        verbose_name_plural = _("outcome measurement reminders")
        constraints = [
            models.UniqueConstraint(fields=["client", "time_point"], name="outcomemeasurementreminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.time_point}"


class AnalysisKind(models.TextChoices):
    CLIENT_CHANGE = "client_change", _("Client change, baseline to follow-up")
    DOSE_BAND = "dose_band", _("Client change by delivered paired visits")
    STAFF_DID = "staff_did", _("Staff: pair work against time")


class AnalysisResult(models.Model):
    """One stored analysis, written by the aggregation job (`wellbeing.evidence.store_analyses`), read by the page.

    Derived data like the aggregates above: the dashboard, its API and CSV
    compute no statistics, they read these rows (and hide the small ones).

    * client_change: per team (or all teams) and client scale, over all time:
      the mean paired change (follow-up − baseline) with its 95% t interval,
      Cohen's d_z with its noncentral-t interval, and the share of clients
      whose change reaches the scale's minimal important change (Wilson interval);
    * dose_band: the same mean change for the clients with `band_low`…`band_high`
      delivered paired visits (band_low 0: the clients without one, stored so that
      suppression can count them, never shown);
    * staff_did: all teams only, per staff metric: the difference-in-differences
      estimate of pair work against time with its interval, or `too_few` with the reason.
    """

    kind = models.CharField(_("analysis"), max_length=20, choices=AnalysisKind.choices)
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("team"),
        help_text=_("Empty: all teams together."),
    )
    metric = models.CharField(_("metric"), max_length=140)
    band_low = models.PositiveSmallIntegerField(_("paired visits, from"), null=True, blank=True)
    band_high = models.PositiveSmallIntegerField(_("paired visits, to"), null=True, blank=True)
    first_month = models.DateField(_("first month used"), null=True, blank=True)
    last_month = models.DateField(_("last month used"), null=True, blank=True)
    n = models.PositiveIntegerField(_("clients or observations (n)"))
    estimate = models.FloatField(_("estimate"), null=True, blank=True)
    ci_low = models.FloatField(_("95% CI, lower"), null=True, blank=True)
    ci_high = models.FloatField(_("95% CI, upper"), null=True, blank=True)
    effect_size = models.FloatField(_("Cohen's d (paired)"), null=True, blank=True)
    effect_size_ci_low = models.FloatField(_("d, 95% CI lower"), null=True, blank=True)
    effect_size_ci_high = models.FloatField(_("d, 95% CI upper"), null=True, blank=True)
    minimal_important_change = models.FloatField(_("minimal important change"), null=True, blank=True)
    improved = models.PositiveIntegerField(_("clients reaching the minimal important change"), null=True, blank=True)
    share_improved = models.FloatField(_("share reaching the minimal important change"), null=True, blank=True)
    share_ci_low = models.FloatField(_("share, 95% CI lower"), null=True, blank=True)
    share_ci_high = models.FloatField(_("share, 95% CI upper"), null=True, blank=True)
    too_few = models.CharField(_("too few for an estimate"), max_length=30, blank=True)
    n_teams = models.PositiveSmallIntegerField(_("teams"), null=True, blank=True)
    n_treated_teams = models.PositiveSmallIntegerField(_("teams starting pair work"), null=True, blank=True)
    n_comparison_teams = models.PositiveSmallIntegerField(_("comparison teams"), null=True, blank=True)
    n_months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    covariance = models.CharField(_("standard errors"), max_length=20, blank=True)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("analysis result")
        verbose_name_plural = _("analysis results")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "team", "metric", "band_low"], nulls_distinct=False, name="analysisresult_unique"
            ),
        ]

    def __str__(self) -> str:
        band = f" {self.band_low}–{self.band_high or ''}" if self.band_low is not None else ""
        return f"{self.kind} {self.metric}{band} team={self.team_id} n={self.n}"
