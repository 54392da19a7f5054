"""The stored analyses: computed by the aggregation job from the source rows, read by the dashboard.

`store_analyses` reads the few rows each analysis needs (one row per client
and scale with its baseline, latest follow-up and delivered paired visits;
one row per person, team and month of the monthly survey, streamed with a
binary COPY and grouped into the fit's cells with numpy), runs the pure
functions of `wellbeing.analysis` (SciPy, statsmodels) and makes the
`AnalysisResult` table equal to what they return, writing only rows that
differ. It runs inside `aggregation.rebuild_all` (the nightly reconcile, the
dashboard's "Refresh now", `manage.py rebuild_wellbeing`) and, after a client
outcome is recorded, as its own job (`tasks.refresh_analyses`) — never inside
the per-answer cell refresh, which stays cheap.

The page, the API and the CSV never compute a statistic: they read these rows
(`wellbeing.dashboard.evidence`), which also decides what is hidden.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from visits.models import VisitStatus

from . import analysis, metrics
from .models import AnalysisKind, AnalysisResult, Audience, Scale, TeamPairStart, TimePoint
from .suppression import THRESHOLD

# pg_advisory_xact_lock(namespace, key): one writer of the analyses at a time (see aggregation's locks).
ANALYSIS_LOCK = 574206

# The staff metrics whose effect of pair work is estimated against time.
DID_METRICS = (metrics.WORK_ABILITY, metrics.SICK_LEAVE_DAYS)
# A band for the clients whose follow-up came before any delivered paired visit: stored so the
# bands add up to the client-change total (suppression counts it as a hidden part), never shown.
NO_VISITS_BAND = (0, 0)
STORED_BANDS = (NO_VISITS_BAND, *analysis.DOSE_BANDS)

# The fields a stored row is compared on (everything but its key and the time it was computed).
VALUE_FIELDS = (
    "band_high", "first_month", "last_month", "n", "estimate", "ci_low", "ci_high",
    "effect_size", "effect_size_ci_low", "effect_size_ci_high", "minimal_important_change", "improved",
    "share_improved", "share_ci_low", "share_ci_high", "too_few", "n_teams", "n_treated_teams",
    "n_comparison_teams", "n_months", "covariance",
)


@dataclass(frozen=True)
class ClientChange:
    """One client's change on one scale: the team of the latest follow-up, its month, the delivered paired visits by then."""

    client_id: int
    team_id: int
    metric: str  # '<instrument>.<scale>.change'
    month: dt.date
    baseline: float
    follow_up: float
    visits: int

    @property
    def change(self) -> float:
        return self.follow_up - self.baseline


# The same baseline and latest follow-up as aggregation._client_change_cells, so the n agree with the client-change table.
CLIENT_CHANGES_SQL = """
    WITH scored AS (
        SELECT r.id, r.client_id, r.team_id, r.period, r.time_point, r.submitted_at,
               i.code || '.' || s.code AS scale, rs.value::numeric AS value
          FROM wellbeing_responsescore rs
          JOIN wellbeing_surveyresponse r ON r.id = rs.response_id
          JOIN wellbeing_scale s ON s.id = rs.scale_id
          JOIN wellbeing_instrument i ON i.id = r.instrument_id
         WHERE i.audience = %(client)s AND r.client_id IS NOT NULL
           AND r.time_point IN (%(baseline)s, %(follow_up)s)
    ), baseline AS (
        SELECT DISTINCT ON (client_id, scale) client_id, scale, value
          FROM scored WHERE time_point = %(baseline)s
         ORDER BY client_id, scale, submitted_at, id
    ), latest_follow_up AS (
        SELECT DISTINCT ON (client_id, scale) client_id, team_id, period, submitted_at, scale, value
          FROM scored WHERE time_point = %(follow_up)s
         ORDER BY client_id, scale, submitted_at DESC, id DESC
    )
    SELECT f.client_id, f.team_id, f.scale, f.period, b.value::float8, f.value::float8,
           (SELECT count(*) FROM visits_visit v
             WHERE v.client_id = f.client_id AND v.status = %(completed)s AND v.pair_id IS NOT NULL
               AND v.starts_at <= f.submitted_at)::int
      FROM latest_follow_up f JOIN baseline b USING (client_id, scale)
     ORDER BY f.scale, f.client_id
"""

# Each person's monthly answer per team and month; team-months answered by fewer than THRESHOLD
# people are left out, as the staff table hides them.
_STAFF_MONTHS = """
    SELECT team_id, period, metric, respondent_id, (monthly_sum / monthly_answers)::float8 AS value
      FROM (SELECT pm.*, count(*) OVER (PARTITION BY team_id, period, metric) AS people
              FROM wellbeing_personmonth pm
             WHERE pm.team_id IS NOT NULL AND pm.monthly_answers > 0 AND pm.metric = ANY (%(metrics)s)) person
     WHERE people >= %(threshold)s
"""
STAFF_MONTHS_SQL = f"{_STAFF_MONTHS} ORDER BY metric, team_id, period, respondent_id"
# One DiD metric's staff person-months, streamed with COPY in PostgreSQL's binary format: a million
# answers make a few hundred thousand rows, which grouped queries would sort again for every step of the
# fit. Each row: team, month (days since 2000-01-01), person and the person's monthly mean.
STAFF_ROWS_COPY = """
    COPY (SELECT team_id::int8, (period - DATE '2000-01-01')::int4, respondent_id::int8,
                 monthly_sum::float8 / monthly_answers
            FROM wellbeing_personmonth
           WHERE team_id IS NOT NULL AND monthly_answers > 0 AND metric = %(metric)s) TO STDOUT (FORMAT binary)
"""
DAY_ZERO = dt.date(2000, 1, 1)
# A binary COPY row of STAFF_ROWS_COPY: the field count, then each field's byte length and value (big-endian).
_STAFF_ROW = [("fields", ">i2"), ("team_length", ">i4"), ("team", ">i8"), ("day_length", ">i4"), ("day", ">i4"),
              ("person_length", ">i4"), ("person", ">i8"), ("value_length", ">i4"), ("value", ">f8")]
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags 0, no header extension
_COPY_TRAILER = b"\xff\xff"


def client_changes() -> list[ClientChange]:
    with connection.cursor() as cursor:
        cursor.execute(
            CLIENT_CHANGES_SQL,
            {
                "client": Audience.CLIENT.value, "baseline": TimePoint.BASELINE.value,
                "follow_up": TimePoint.FOLLOW_UP.value, "completed": VisitStatus.COMPLETED.value,
            },
        )
        return [
            ClientChange(client, team, f"{scale}.{metrics.CHANGE_SUFFIX}", month, baseline, follow_up, visits)
            for client, team, scale, month, baseline, follow_up, visits in cursor.fetchall()
        ]


def staff_observations(metric_names: tuple[str, ...] = DID_METRICS) -> dict[str, list[analysis.Observation]]:
    """The same person-months as `staff_designs` reads, one `Observation` each (what the tests fit independently)."""
    observations = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(STAFF_MONTHS_SQL, {"metrics": list(metric_names), "threshold": THRESHOLD})
        for team_id, period, metric, person, value in cursor.fetchall():
            observations[metric].append(analysis.Observation(team_id, period, value, person))
    return observations


@dataclass(frozen=True)
class StaffDesign:
    """A metric's (team, month) cells, each person once per month, the rows behind them and its person clusters."""

    cells: tuple[analysis.CellSums, ...]
    rows: int
    first_month: dt.date
    last_month: dt.date
    persons: analysis.PersonScores | None = None

    @property
    def team_months(self) -> frozenset:
        return frozenset((cell.team, cell.month) for cell in self.cells)


def _staff_rows(metric: str) -> "np.ndarray":
    """The rows of `STAFF_ROWS_COPY` for one metric, as a numpy record array (team, day, person, value)."""
    import io

    import numpy as np

    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        cursor.copy_expert(cursor.mogrify(STAFF_ROWS_COPY, {"metric": metric}).decode(), buffer)
    data = buffer.getvalue()
    if not (data.startswith(_COPY_HEADER) and data.endswith(_COPY_TRAILER)):
        raise ValueError("Unexpected COPY header or trailer")
    rows = np.frombuffer(data[len(_COPY_HEADER):-len(_COPY_TRAILER)], dtype=np.dtype(_STAFF_ROW))
    # No field is NULL (the query's conditions), so every row has the same four fields and lengths.
    if len(rows) and not (
        (rows["fields"] == 4).all() and (rows["team_length"] == 8).all() and (rows["day_length"] == 4).all()
        and (rows["person_length"] == 8).all() and (rows["value_length"] == 8).all()
    ):
        raise ValueError("Unexpected COPY row layout")
    return rows


def staff_designs(metric_names: tuple[str, ...] = DID_METRICS) -> dict[str, StaffDesign]:
    """Per DiD metric, its cells and person clusters, from one read of its person-months.

    Team-months answered by fewer than THRESHOLD people are left out, as the staff table hides them.
    """
    import numpy as np

    designs = {}
    for metric in metric_names:
        rows = _staff_rows(metric)
        team_labels, team = np.unique(rows["team"], return_inverse=True)
        day_labels, day = np.unique(rows["day"], return_inverse=True)
        _, cell_of, people = np.unique(team * len(day_labels) + day, return_inverse=True, return_counts=True)
        # The rows of the team-months shown, lowest team first (a person's month counts in their lowest team).
        shown = np.flatnonzero(people[cell_of] >= THRESHOLD)
        if not len(shown):
            continue
        shown = shown[np.argsort(team[shown], kind="stable")]
        cells, persons = analysis.cells_of_person_months(
            team[shown], day[shown], rows["value"][shown], rows["person"][shown],
            team_labels.tolist(), [DAY_ZERO + dt.timedelta(days=days) for days in day_labels.tolist()],
        )
        designs[metric] = StaffDesign(
            cells=tuple(cells), rows=len(shown), persons=persons,
            first_month=min(cell.month for cell in cells), last_month=max(cell.month for cell in cells),
        )
    return designs


def _scales_by_change_metric() -> dict[str, Scale]:
    """Each client scale's newest version (its direction and minimal important change), by its change metric."""
    scales = {}
    for scale in Scale.objects.filter(instrument__audience=Audience.CLIENT).select_related("instrument").order_by(
        "instrument__version"
    ):
        scales[f"{scale.instrument.code}.{scale.code}.{metrics.CHANGE_SUFFIX}"] = scale
    return scales


def _months(rows: list[ClientChange]) -> dict:
    return {"first_month": min(row.month for row in rows), "last_month": max(row.month for row in rows)}


def _client_change_row(team_id, metric: str, rows: list[ClientChange], scale: Scale | None) -> AnalysisResult:
    changes = [row.change for row in rows]
    change = analysis.paired_change((row.baseline, row.follow_up) for row in rows)
    effect = analysis.paired_effect_size(changes)
    result = AnalysisResult(
        kind=AnalysisKind.CLIENT_CHANGE, team_id=team_id, metric=metric, n=change.n,
        estimate=change.mean, ci_low=change.ci_low, ci_high=change.ci_high, **_months(rows),
    )
    if effect is not None:
        result.effect_size, result.effect_size_ci_low, result.effect_size_ci_high = effect.d, effect.ci_low, effect.ci_high
    if scale is not None and scale.minimal_important_change is not None:
        mic = scale.minimal_important_change
        share = analysis.share_reaching_change(changes, mic, scale.higher_is_better)
        result.minimal_important_change = mic
        result.improved = sum(analysis.reaches_minimal_change(c, mic, scale.higher_is_better) for c in changes)
        result.share_improved, result.share_ci_low, result.share_ci_high = share.mean, share.ci_low, share.ci_high
    return result


def _band_rows(team_id, metric: str, rows: list[ClientChange]) -> list[AnalysisResult]:
    found = []
    for band, members in zip(STORED_BANDS, analysis.dose_bands([(row.visits, row.change) for row in rows], STORED_BANDS)):
        if members.change is None:
            continue
        in_band = [row for row in rows if row.visits >= band[0] and (band[1] is None or row.visits <= band[1])]
        found.append(
            AnalysisResult(
                kind=AnalysisKind.DOSE_BAND, team_id=team_id, metric=metric, band_low=band[0], band_high=band[1],
                n=members.change.n, estimate=members.change.mean, ci_low=members.change.ci_low,
                ci_high=members.change.ci_high, **_months(in_band),
            )
        )
    return found


def _did_row(metric: str, design: StaffDesign, starts: dict) -> AnalysisResult:
    """The metric's DiD row, fitted from its cells when the teams and months allow an estimate (no query)."""
    result = analysis.did_design(design.team_months, starts)
    if not result.too_few:
        result = analysis.difference_in_differences_from_cells(design.cells, starts, persons=design.persons)
    row = AnalysisResult(
        kind=AnalysisKind.STAFF_DID, team_id=None, metric=metric,
        first_month=design.first_month, last_month=design.last_month,
        n_teams=result.n_teams, n_treated_teams=result.n_treated_teams,
        n_comparison_teams=result.n_comparison_teams, n_months=result.n_months,
    )
    if result.too_few:
        row.n, row.too_few = design.rows, result.reason
    else:
        row.n, row.estimate, row.ci_low, row.ci_high = result.n_observations, result.estimate, result.ci_low, result.ci_high
        row.covariance = result.covariance
    return row


def compute_analyses() -> list[AnalysisResult]:
    """Every analysis from the committed source rows (unsaved rows)."""
    results: list[AnalysisResult] = []
    scales = _scales_by_change_metric()
    grouped = defaultdict(list)
    for row in client_changes():
        grouped[(row.team_id, row.metric)].append(row)
        grouped[(None, row.metric)].append(row)
    for (team_id, metric), rows in sorted(grouped.items(), key=lambda item: (item[0][1], item[0][0] or 0)):
        results.append(_client_change_row(team_id, metric, rows, scales.get(metric)))
        results += _band_rows(team_id, metric, rows)
    starts = dict(TeamPairStart.objects.values_list("team_id", "first_month"))
    for metric, design in sorted(staff_designs().items()):
        results.append(_did_row(metric, design, starts))
    return results


# Stored to this many decimals: a least-squares fit may differ in its last bits from run to run (threaded
# BLAS sums in any order), and a rerun on the same rows must change nothing. Far below any shown figure.
STORED_DECIMALS = 10


def _settled(row: AnalysisResult) -> AnalysisResult:
    for name in VALUE_FIELDS:
        value = getattr(row, name)
        if isinstance(value, float):
            setattr(row, name, round(value, STORED_DECIMALS))
    return row


def _key(row: AnalysisResult) -> tuple:
    return (row.kind, row.team_id, row.metric, row.band_low)


def store_analyses(*, always: bool = False) -> int:
    """Make AnalysisResult equal to `compute_analyses()`; returns how many rows were written or deleted.

    Idempotent: an unchanged row is left alone (its id and computed_at too), so a second run changes nothing.
    Skipped (0) when no input was written since the last run (the journal of migration 0011 is empty),
    unless `always`: a refit over every person-month costs seconds and would find the same rows.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [ANALYSIS_LOCK])
        # The journal rows this statement sees; a write committed after it stays for the next run.
        cursor.execute("WITH seen AS (DELETE FROM wellbeing_analysisinputchange RETURNING 1) SELECT count(*) FROM seen")
        if cursor.fetchone()[0] == 0 and not always:
            return 0
        fresh = {_key(row): _settled(row) for row in compute_analyses()}
        stored = {_key(row): row for row in AnalysisResult.objects.select_for_update()}
        now = timezone.now()
        created, updated = [], []
        for key, row in fresh.items():
            old = stored.get(key)
            if old is None:
                row.computed_at = now
                created.append(row)
            elif any(getattr(old, name) != getattr(row, name) for name in VALUE_FIELDS):
                for name in VALUE_FIELDS:
                    setattr(old, name, getattr(row, name))
                old.computed_at = now
                updated.append(old)
        gone = [row.pk for key, row in stored.items() if key not in fresh]
        AnalysisResult.objects.filter(pk__in=gone).delete()
        AnalysisResult.objects.bulk_create(created)
        if updated:
            AnalysisResult.objects.bulk_update(updated, [*VALUE_FIELDS, "computed_at"])
    return len(created) + len(updated) + len(gone)
