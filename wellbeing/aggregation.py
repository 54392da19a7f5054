"""Wellbeing aggregates, computed in PostgreSQL.

Every figure on the dashboard is a row written here by a GROUP BY over the
source rows and an INSERT ... ON CONFLICT upsert; nothing loops over
responses in Python, so the cost grows with the database, not with the app.

Two entry points:

* `refresh_cells` after one response: recomputes only the cells that response
  can change (its month for every team and for all teams, its team's
  before/with pair work cells; for a client outcome, that instrument's
  client-change cells);
* `rebuild_all` for the nightly reconcile and `manage.py rebuild_wellbeing`:
  recomputes every cell, deletes cells whose source rows are gone.

Both are idempotent: a row is only written when its values differ, so a
second run changes nothing. Concurrency is settled with PostgreSQL advisory
locks (no Redis needed): a rebuild runs alone (a second one skips), and a
cell refresh waits while a rebuild or a refresh of the same month or team
runs, so the last writer always computed from the newest committed rows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from visits.models import VisitStatus

from .models import Audience, Span, TimePoint

# pg_advisory_xact_lock(namespace, key) pairs. The namespaces are arbitrary
# but fixed: they only need to differ from other apps' locks.
REBUILD_SINGLETON = 574201
WRITE_GATE = 574202
MONTH_LOCK = 574203
TEAM_LOCK = 574204
CLIENT_INSTRUMENT_LOCK = 574205

PHASE_SPANS = (Span.BEFORE_PAIRS.value, Span.WITH_PAIRS.value)
METRIC_KEYS = ("team_id", "span", "period", "metric")
METRIC_VALUES = ("respondents", "responses", "total", "total_squares")
VISIT_KEYS = ("team_id", "period")
VISIT_VALUES = ("planned", "delivered", "no_shows", "declined", "cancelled", "with_familiar_nurse", "clients")


def _params(**extra) -> dict:
    return {
        "tz": settings.TIME_ZONE,
        "staff": Audience.STAFF.value,
        "client": Audience.CLIENT.value,
        "monthly": TimePoint.MONTHLY.value,
        "baseline": TimePoint.BASELINE.value,
        "follow_up": TimePoint.FOLLOW_UP.value,
        "month": Span.MONTH.value,
        "quarter": Span.QUARTER.value,
        "all_time": Span.ALL_TIME.value,
        "before_pairs": Span.BEFORE_PAIRS.value,
        "with_pairs": Span.WITH_PAIRS.value,
        "completed": VisitStatus.COMPLETED.value,
        "no_show": VisitStatus.NO_SHOW.value,
        "declined": VisitStatus.CLIENT_DECLINED.value,
        "cancelled": VisitStatus.CANCELLED.value,
        "cancelled_on_arrival": VisitStatus.CANCELLED_ON_ARRIVAL.value,
        "pair_work_suffix": ".pair_work_share",
        "change_suffix": ".change",
        **extra,
    }


# --- Staff metrics: one pass over the raw rows into per-person sums --------------------------

def _build_person_table(cursor, where: str, params: dict) -> None:
    """wellbeing_person: per (team, month, metric, respondent) the sum and count of values.

    The only statement that reads the (large) response and score tables for
    staff metrics; every staff cell is then grouped from this much smaller
    table. Metrics are numbered in a tiny map first, so the big pass groups
    by integers and PostgreSQL hash-joins the map instead of looping over it.
    Scores are summed as float8, exact for the whole-number answers of the
    shipped staff instruments. Monthly answers are also summed apart, for
    the before/with pair work cells.
    """
    cursor.execute("DROP TABLE IF EXISTS pg_temp.wellbeing_metric_map")
    cursor.execute(
        """
        CREATE TEMP TABLE wellbeing_metric_map ON COMMIT DROP AS
        SELECT s.id AS scale_id, NULL::bigint AS instrument_id, i.code || '.' || s.code AS metric
          FROM wellbeing_scale s JOIN wellbeing_instrument i ON i.id = s.instrument_id
         WHERE i.audience = %(staff)s
        UNION ALL
        SELECT NULL, i.id, i.code || %(pair_work_suffix)s
          FROM wellbeing_instrument i
         WHERE i.audience = %(staff)s AND i.time_points @> to_jsonb(%(monthly)s::text)
        """,
        params,
    )
    cursor.execute(
        """ALTER TABLE wellbeing_metric_map ADD COLUMN metric_no int;
           UPDATE wellbeing_metric_map m SET metric_no = numbered.no
             FROM (SELECT metric, dense_rank() OVER (ORDER BY metric)::int AS no FROM wellbeing_metric_map) numbered
            WHERE numbered.metric = m.metric;
           ANALYZE wellbeing_metric_map;"""
    )
    cursor.execute("DROP TABLE IF EXISTS pg_temp.wellbeing_person")
    cursor.execute(
        f"""
        CREATE TEMP TABLE wellbeing_person ON COMMIT DROP AS
        SELECT r.team_id, r.period, map.metric_no, r.respondent_id AS unit_id,
               sum(rs.value) AS value_sum, count(*)::int AS answers,
               coalesce(sum(rs.value) FILTER (WHERE r.time_point = %(monthly)s), 0) AS monthly_sum,
               count(*) FILTER (WHERE r.time_point = %(monthly)s)::int AS monthly_answers
          FROM wellbeing_responsescore rs
          JOIN wellbeing_surveyresponse r ON r.id = rs.response_id
          JOIN wellbeing_metric_map map ON map.scale_id = rs.scale_id
         WHERE r.respondent_id IS NOT NULL {where}
         GROUP BY r.team_id, r.period, map.metric_no, r.respondent_id
        UNION ALL
        -- Derived for every monthly staff instrument: did the respondent take part
        -- in a delivered paired visit that month (1) or not (0)?
        SELECT team_id, period, metric_no, unit_id, took_part, answers, took_part, answers
          FROM (SELECT team_id, period, metric_no, unit_id, sum(took_part) AS took_part, count(*)::int AS answers
          FROM (SELECT r.team_id, r.period, map.metric_no, r.respondent_id AS unit_id,
                       CASE WHEN EXISTS (
                           SELECT 1
                             FROM visits_visitparticipant p
                             JOIN visits_visit v ON v.id = p.visit_id
                            WHERE p.staff_id = r.respondent_id
                              AND v.status = %(completed)s
                              AND v.starts_at >= (r.period::timestamp AT TIME ZONE %(tz)s)
                              AND v.starts_at < ((r.period + interval '1 month')::timestamp AT TIME ZONE %(tz)s)
                       ) THEN 1.0 ELSE 0.0 END::float8 AS took_part
                  FROM wellbeing_surveyresponse r
                  JOIN wellbeing_metric_map map ON map.instrument_id = r.instrument_id
                 WHERE r.time_point = %(monthly)s AND r.respondent_id IS NOT NULL {where}) monthly
         GROUP BY team_id, period, metric_no, unit_id) per_person
        """,
        params,
    )
    # Fresh statistics, so the grouping below is planned for the real row count.
    cursor.execute("ANALYZE wellbeing_person")


# Each person's mean is kept in fixed point (nano-units, bigint) before it is
# summed: integer sums are exact and order-independent, so two runs produce
# identical rows and the "only write when different" upsert really changes
# nothing the second time; the rounding (1e-9 per person) is far below what
# any figure shows.
_PERSON_VALUE = "round({mean} * 1e9)::bigint AS nano, round(({mean}) ^ 2 * 1e9)::bigint AS nano_squares"
_CELL_STATISTICS = """
    count(*) AS respondents, sum(answers)::int AS responses,
    (sum(nano) / 1e9)::float8 AS total, (sum(nano_squares) / 1e9)::float8 AS total_squares
"""


def _named(cells_sql: str) -> str:
    return f"""
        SELECT cells.team_id, cells.span, cells.period, names.metric,
               cells.respondents, cells.responses, cells.total, cells.total_squares
          FROM ({cells_sql}) cells
          JOIN (SELECT DISTINCT metric_no, metric FROM wellbeing_metric_map) names USING (metric_no)
    """


def _month_cells(where: str = "TRUE") -> str:
    """Per team and for all teams together, per month: each respondent's mean, then n, Σ, Σ²."""
    team_mean = "value_sum / answers"
    return _named(f"""
        SELECT team_id, %(month)s::varchar AS span, period, metric_no, {_CELL_STATISTICS}
          FROM (SELECT team_id, period, metric_no, answers, {_PERSON_VALUE.format(mean=team_mean)}
                  FROM wellbeing_person WHERE {where}) person
         GROUP BY team_id, period, metric_no
        UNION ALL
        SELECT NULL, %(month)s::varchar, period, metric_no, {_CELL_STATISTICS}
          FROM (SELECT period, metric_no, sum(answers) AS answers,
                       {_PERSON_VALUE.format(mean="sum(value_sum) / sum(answers)")}
                  FROM wellbeing_person WHERE {where}
                 GROUP BY period, metric_no, unit_id) person
         GROUP BY period, metric_no
    """)


def _first_pair_months(where: str = "") -> str:
    return f"""
        SELECT team_id, date_trunc('month', min(active_from))::date AS first_month
          FROM pairwork_workpair
         WHERE TRUE {where}
         GROUP BY team_id
    """


def _phase_cells(where: str = "TRUE") -> str:
    """Per team: monthly answers before the team's first pair month vs from it on."""
    return _named(f"""
        SELECT team_id, phase AS span, NULL::date AS period, metric_no, {_CELL_STATISTICS}
          FROM (SELECT person.team_id,
                       CASE WHEN start.first_month IS NOT NULL AND person.period >= start.first_month
                            THEN %(with_pairs)s ELSE %(before_pairs)s END::varchar AS phase,
                       metric_no, sum(monthly_answers) AS answers,
                       {_PERSON_VALUE.format(mean="sum(monthly_sum) / sum(monthly_answers)")}
                  FROM wellbeing_person person
                  LEFT JOIN ({_first_pair_months()}) start ON start.team_id = person.team_id
                 WHERE person.monthly_answers > 0 AND {where}
                 GROUP BY 1, 2, 3, unit_id) person
         GROUP BY team_id, phase, metric_no
    """)


def _client_change_cells(where: str) -> str:
    """Each client's change from baseline to latest follow-up, per quarter and all time, per team and all teams."""
    return f"""
        SELECT * FROM (
            WITH scored AS (
                SELECT r.id, r.client_id, r.team_id, r.period, r.time_point, r.submitted_at,
                       i.code || '.' || s.code AS scale, rs.value::numeric AS value
                  FROM wellbeing_responsescore rs
                  JOIN wellbeing_surveyresponse r ON r.id = rs.response_id
                  JOIN wellbeing_scale s ON s.id = rs.scale_id
                  JOIN wellbeing_instrument i ON i.id = r.instrument_id
                 WHERE i.audience = %(client)s AND r.client_id IS NOT NULL
                   AND r.time_point IN (%(baseline)s, %(follow_up)s) {where}
            ), baseline AS (
                SELECT DISTINCT ON (client_id, scale) client_id, scale, value
                  FROM scored WHERE time_point = %(baseline)s
                 ORDER BY client_id, scale, submitted_at, id
            ), latest_follow_up AS (
                SELECT DISTINCT ON (client_id, scale) client_id, team_id, period, scale, value
                  FROM scored WHERE time_point = %(follow_up)s
                 ORDER BY client_id, scale, submitted_at DESC, id DESC
            ), change AS (
                SELECT f.team_id, date_trunc('quarter', f.period)::date AS quarter,
                       f.scale || %(change_suffix)s AS metric, f.value - b.value AS value, 1 AS answers
                  FROM latest_follow_up f JOIN baseline b USING (client_id, scale)
            )
            SELECT CASE WHEN GROUPING(team_id) = 1 THEN NULL ELSE team_id END AS team_id,
                   CASE WHEN GROUPING(quarter) = 1 THEN %(all_time)s ELSE %(quarter)s END::varchar AS span,
                   quarter AS period, metric, count(*) AS respondents, count(*)::int AS responses,
                   -- numeric: exact and order-independent (client rows are few)
                   round(sum(value), 9)::float8 AS total, round(sum(value * value), 9)::float8 AS total_squares
              FROM change
             GROUP BY GROUPING SETS ((team_id, quarter, metric), (quarter, metric), (team_id, metric), (metric))
        ) client_cells
    """


def _visit_cells() -> str:
    """Visits by the month they were planned for, by outcome, with a familiar nurse or not."""
    return """
        SELECT CASE WHEN GROUPING(pair.team_id) = 1 THEN NULL ELSE pair.team_id END AS team_id,
               month.period,
               count(*) AS planned,
               count(*) FILTER (WHERE v.status = %(completed)s) AS delivered,
               count(*) FILTER (WHERE v.status = %(no_show)s) AS no_shows,
               count(*) FILTER (WHERE v.status = %(declined)s) AS declined,
               count(*) FILTER (WHERE v.status IN (%(cancelled)s, %(cancelled_on_arrival)s)) AS cancelled,
               count(*) FILTER (
                   WHERE v.status = %(completed)s AND EXISTS (
                       SELECT 1
                         FROM visits_visitparticipant nurse
                         JOIN clients_carerelationship known
                           ON known.nurse_id = nurse.staff_id AND known.client_id = v.client_id
                        WHERE nurse.visit_id = v.id AND nurse.role = 'nurse')
               ) AS with_familiar_nurse,
               count(DISTINCT v.client_id) AS clients
          FROM visits_visit v
          JOIN pairwork_workpair pair ON pair.id = v.pair_id
         CROSS JOIN LATERAL (SELECT date_trunc('month', v.starts_at AT TIME ZONE %(tz)s)::date AS period) month
         GROUP BY GROUPING SETS ((pair.team_id, month.period), (month.period))
    """


# --- Writing: upsert what changed, delete what has no source rows any more ------------------

def _key_match(keys: tuple[str, ...]) -> str:
    # COALESCE rather than IS NOT DISTINCT FROM, so PostgreSQL can hash the anti-join.
    sentinels = {"team_id": "0", "period": "'infinity'::date"}
    return " AND ".join(
        f"COALESCE(fresh.{key}, {sentinels[key]}) = COALESCE(t.{key}, {sentinels[key]})" if key in sentinels
        else f"fresh.{key} = t.{key}"
        for key in keys
    )


def _replace(cursor, *, table: str, keys, values, fresh_sql: str, params: dict, scope: str = "TRUE") -> int:
    """Make `table` equal to `fresh_sql` within `scope`; returns how many rows were written or deleted."""
    columns = ", ".join(keys + values)
    cursor.execute("DROP TABLE IF EXISTS pg_temp.wellbeing_fresh")
    cursor.execute(f"CREATE TEMP TABLE wellbeing_fresh ON COMMIT DROP AS {fresh_sql}", params)
    cursor.execute(
        f"""
        INSERT INTO {table} AS t ({columns})
        SELECT {columns} FROM wellbeing_fresh
        ON CONFLICT ({", ".join(keys)}) DO UPDATE
           SET {", ".join(f"{value} = EXCLUDED.{value}" for value in values)}
         WHERE ({", ".join(f"t.{value}" for value in values)})
               IS DISTINCT FROM ({", ".join(f"EXCLUDED.{value}" for value in values)})
        """
    )
    written = cursor.rowcount
    cursor.execute(
        f"DELETE FROM {table} t WHERE ({scope}) AND NOT EXISTS (SELECT 1 FROM wellbeing_fresh fresh WHERE {_key_match(keys)})",
        params,
    )
    return written + cursor.rowcount


def _replace_team_starts(cursor, params: dict, team_id: int | None = None) -> int:
    where, scope = ("AND team_id = %(team)s", "t.team_id = %(team)s") if team_id is not None else ("", "TRUE")
    return _replace(
        cursor,
        table="wellbeing_teampairstart",
        keys=("team_id",),
        values=("first_month",),
        fresh_sql=_first_pair_months(where),
        params=params,
        scope=scope,
    )


def _touch_state(cursor, *, full: bool) -> None:
    if full:
        cursor.execute(
            """INSERT INTO wellbeing_aggregationstate (id, rebuilt_at, updated_at) VALUES (1, now(), now())
               ON CONFLICT (id) DO UPDATE SET rebuilt_at = EXCLUDED.rebuilt_at, updated_at = EXCLUDED.updated_at"""
        )
    else:
        cursor.execute(
            """INSERT INTO wellbeing_aggregationstate (id, rebuilt_at, updated_at) VALUES (1, NULL, now())
               ON CONFLICT (id) DO UPDATE SET updated_at = EXCLUDED.updated_at"""
        )


@dataclass(frozen=True)
class RebuildResult:
    rows_changed: int
    metric_rows: int
    visit_rows: int


def rebuild_all() -> RebuildResult | None:
    """Recompute every aggregate from the source rows; None if another rebuild is running."""
    params = _params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, 0)", [REBUILD_SINGLETON])
        if not cursor.fetchone()[0]:
            return None
        # Exclusive: waits for running cell refreshes and holds new ones back,
        # so none can overwrite this run's rows with an older view.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [WRITE_GATE])
        # A batch job over many rows: let the sorts and hashes stay in memory.
        cursor.execute("SET LOCAL work_mem = '128MB'")
        # JIT compiling these statements costs more than it saves (seconds at a million rows).
        cursor.execute("SET LOCAL jit = off")
        changed = _replace_team_starts(cursor, params)
        _build_person_table(cursor, "", params)
        changed += _replace(
            cursor,
            table="wellbeing_metricaggregate",
            keys=METRIC_KEYS,
            values=METRIC_VALUES,
            fresh_sql=f"{_month_cells()} UNION ALL {_phase_cells()} UNION ALL {_client_change_cells('')}",
            params=params,
        )
        changed += _replace(
            cursor, table="wellbeing_visitaggregate", keys=VISIT_KEYS, values=VISIT_VALUES,
            fresh_sql=_visit_cells(), params=params,
        )
        _touch_state(cursor, full=True)
        cursor.execute(
            "SELECT (SELECT count(*) FROM wellbeing_metricaggregate), (SELECT count(*) FROM wellbeing_visitaggregate)"
        )
        metric_rows, visit_rows = cursor.fetchone()
    return RebuildResult(rows_changed=changed, metric_rows=metric_rows, visit_rows=visit_rows)


def refresh_cells(*, team_id: int, period: dt.date, instrument_code: str) -> int:
    """Recompute the cells one response of `instrument_code` in (team, month) can change."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT audience FROM wellbeing_instrument WHERE code = %s LIMIT 1", [instrument_code])
        row = cursor.fetchone()
        if row is None:  # the instrument vanished: nothing to do
            return 0
        params = _params(team=team_id, period=period, code=instrument_code)
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 0)", [WRITE_GATE])
        if row[0] == Audience.CLIENT:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [CLIENT_INSTRUMENT_LOCK])
            changed = _replace(
                cursor,
                table="wellbeing_metricaggregate",
                keys=METRIC_KEYS,
                values=METRIC_VALUES,
                fresh_sql=_client_change_cells("AND i.code = %(code)s"),
                params=params,
                scope="split_part(t.metric, '.', 1) = %(code)s AND t.span IN (%(quarter)s, %(all_time)s)",
            )
        else:
            # Always month before team, so two refreshes cannot wait on each other.
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [MONTH_LOCK, period.year * 100 + period.month])
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [TEAM_LOCK, team_id])
            changed = _replace_team_starts(cursor, params, team_id)
            _build_person_table(
                cursor,
                "AND r.instrument_id IN (SELECT id FROM wellbeing_instrument WHERE code = %(code)s)"
                " AND (r.period = %(period)s OR (r.team_id = %(team)s AND r.time_point = %(monthly)s))",
                params,
            )
            changed += _replace(
                cursor,
                table="wellbeing_metricaggregate",
                keys=METRIC_KEYS,
                values=METRIC_VALUES,
                fresh_sql=(
                    f"{_month_cells('period = %(period)s')} UNION ALL {_phase_cells('person.team_id = %(team)s')}"
                ),
                params=params,
                scope=(
                    "split_part(t.metric, '.', 1) = %(code)s AND ("
                    " (t.span = %(month)s AND t.period = %(period)s)"
                    " OR (t.team_id = %(team)s AND t.span IN (%(before_pairs)s, %(with_pairs)s)))"
                ),
            )
        _touch_state(cursor, full=False)
    return changed
