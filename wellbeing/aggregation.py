"""Wellbeing aggregates, computed in PostgreSQL.

Every figure on the dashboard is a row written here by a GROUP BY and an
INSERT ... ON CONFLICT upsert; nothing loops over responses in Python, so the
cost grows with the database, not with the app.

The aggregates follow the data in two steps. An answer's own transaction
updates its per-person-month sums (`wellbeing_personmonth`, kept by triggers:
migration 0007), so the large response and score tables are read once, when
written. Cells are then regrouped from those sums:

* `refresh_cells` after one response: recomputes only the cells that response
  can change (its month for its team and for all teams, its team's
  before/with pair work cells; for a client outcome, that instrument's
  client-change cells). The month cells of the answer's own metrics are read
  from their kept sums (`wellbeing_monthcellsum`, kept by the same triggers:
  migration 0009); the pair-work share and the before/with cells are
  regrouped from the person-month rows behind them;
* `rebuild_all` for the nightly reconcile and `manage.py rebuild_wellbeing`:
  regroups every cell, deletes cells whose source rows are gone; `full`
  also regroups the kept month cell sums and repairs any that differ; with
  `from_source=True` it first re-derives the per-person-month sums from the
  raw rows and repairs any that differ; it also stores the analyses
  (`wellbeing.evidence`: paired change, effect sizes, dose bands, the staff
  difference-in-differences), which a client outcome answer also refreshes as
  a job of its own, after its commit.

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

from . import evidence, metrics
from .models import ALL_TEAMS_SHARDS, Audience, Span, TimePoint

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
PAIR_WORK_SUFFIX = f".{metrics.PAIR_WORK_SUFFIX}"  # the migration's triggers spell it out too
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
        "pair_work_suffix": PAIR_WORK_SUFFIX,
        "change_suffix": ".change",
        **extra,
    }


# --- Staff metrics: grouped from the per-person-month sums ----------------------------------
#
# wellbeing_personmonth holds, per (team or all teams, month, metric, respondent), the sum
# and count of that person's scores; PostgreSQL keeps it equal to the source rows in the
# writing transaction (migration 0007). Every staff cell is grouped from it, so neither a
# refresh nor a rebuild reads the (large) response and score tables for staff metrics.

PERSON_KEYS = ("team_id", "period", "metric", "respondent_id")
PERSON_VALUES = ("value_sum", "answers", "monthly_sum", "monthly_answers")
_PAIR_METRIC = "right({alias}.metric, length(%(pair_work_suffix)s)) = %(pair_work_suffix)s"


def _person_sums_from_source() -> str:
    """What wellbeing_personmonth must hold, grouped from the source rows (the triggers' definition)."""
    return """
        SELECT team_id, period, metric, respondent_id, sum(value)::numeric(30, 15) AS value_sum, count(*)::int AS answers,
               coalesce(sum(value) FILTER (WHERE time_point = %(monthly)s), 0)::numeric(30, 15) AS monthly_sum,
               count(*) FILTER (WHERE time_point = %(monthly)s)::int AS monthly_answers
          FROM (SELECT r.team_id, r.period, i.code || '.' || s.code AS metric, r.respondent_id, r.time_point,
                       rs.value::numeric AS value
                  FROM wellbeing_responsescore rs
                  JOIN wellbeing_surveyresponse r ON r.id = rs.response_id
                  JOIN wellbeing_scale s ON s.id = rs.scale_id
                  JOIN wellbeing_instrument i ON i.id = s.instrument_id
                 WHERE i.audience = %(staff)s AND r.respondent_id IS NOT NULL
                UNION ALL
                SELECT r.team_id, r.period, i.code || %(pair_work_suffix)s, r.respondent_id, r.time_point, 0
                  FROM wellbeing_surveyresponse r JOIN wellbeing_instrument i ON i.id = r.instrument_id
                 WHERE i.audience = %(staff)s AND r.respondent_id IS NOT NULL AND r.time_point = %(monthly)s) c
         GROUP BY GROUPING SETS ((team_id, period, metric, respondent_id), (period, metric, respondent_id))
    """


def _took_part(where: str = "") -> str:
    """(staff, month) pairs with a delivered paired visit: the pair-work share's value, 1 or 0."""
    return f"""
        SELECT DISTINCT p.staff_id, date_trunc('month', v.starts_at AT TIME ZONE %(tz)s)::date AS period
          FROM visits_visitparticipant p
          JOIN visits_visit v ON v.id = p.visit_id
         WHERE v.status = %(completed)s {where}
    """


def _person_rows(where: str, took_where: str = "") -> str:
    """Person-month rows in `where`, the pair-work share's value filled in from the visits (one scan)."""
    pair_metric = _PAIR_METRIC.format(alias="pm")
    took = "(part.staff_id IS NOT NULL)::int"
    return f"""
        SELECT pm.team_id, pm.period, pm.metric, pm.respondent_id AS unit_id, pm.answers, pm.monthly_answers,
               CASE WHEN pair.metric THEN {took} * pm.answers ELSE pm.value_sum END AS value_sum,
               CASE WHEN pair.metric THEN {took} * pm.monthly_answers ELSE pm.monthly_sum END AS monthly_sum,
               CASE WHEN pair.metric THEN {took} * 1000000000::bigint ELSE pm.nano END AS nano,
               CASE WHEN pair.metric THEN {took} * 1000000000::bigint ELSE pm.nano_squares END AS nano_squares
          FROM wellbeing_personmonth pm
         CROSS JOIN LATERAL (SELECT {pair_metric} AS metric) pair
          LEFT JOIN ({_took_part(took_where)}) part
            ON pair.metric AND part.staff_id = pm.respondent_id AND part.period = pm.period
         WHERE {where}
    """


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


def _month_cells(where: str = "TRUE", took_where: str = "") -> str:
    """Per team and for all teams together (team NULL), per month: n, Σ and Σ² of each respondent's mean."""
    return f"""
        SELECT team_id, %(month)s::varchar AS span, period, metric, {_CELL_STATISTICS}
          FROM ({_person_rows(where, took_where)}) person
         GROUP BY team_id, period, metric
    """


# --- Month cells from their kept sums (wellbeing_monthcellsum, migration 0009) ----------------
#
# The same triggers keep, per month cell, the count, answers and nano sums of its person rows:
# one row per team cell, ALL_TEAMS_SHARDS rows per all-teams cell. A refresh reads those
# instead of regrouping every person of the month; the pair-work share is not among them
# (its value follows the visits), and the full rebuild regroups the sums and repairs them.

CELL_SUM_KEYS = ("team_id", "shard", "period", "metric")
CELL_SUM_VALUES = ("respondents", "answers", "nano", "nano_squares")


def _cell_sums_from_person_months() -> str:
    """What wellbeing_monthcellsum must hold, regrouped from the person-month rows (the triggers' definition)."""
    return f"""
        SELECT team_id, CASE WHEN team_id IS NULL THEN respondent_id %% {ALL_TEAMS_SHARDS} ELSE 0 END::smallint AS shard,
               period, metric, count(*) AS respondents, sum(answers)::bigint AS answers,
               sum(nano)::bigint AS nano, sum(nano_squares)::bigint AS nano_squares
          FROM wellbeing_personmonth
         GROUP BY 1, 2, 3, 4
    """


def _month_cells_from_sums(where: str) -> str:
    """Month cells in `where` (on wellbeing_monthcellsum c), the all-teams cells summed over their shards."""
    return f"""
        SELECT team_id, %(month)s::varchar AS span, period, metric, sum(respondents)::bigint AS respondents,
               sum(answers)::int AS responses, (sum(nano) / 1e9)::float8 AS total,
               (sum(nano_squares) / 1e9)::float8 AS total_squares
          FROM wellbeing_monthcellsum c
         WHERE {where}
         GROUP BY team_id, period, metric
        HAVING sum(respondents) > 0
    """


def _first_pair_months(where: str = "") -> str:
    return f"""
        SELECT team_id, date_trunc('month', min(active_from))::date AS first_month
          FROM pairwork_workpair
         WHERE TRUE {where}
         GROUP BY team_id
    """


def _phase_cells(where: str = "TRUE") -> str:
    """Per team: monthly answers before the team's first pair month vs from it on."""
    return f"""
        SELECT team_id, phase AS span, NULL::date AS period, metric, {_CELL_STATISTICS}
          FROM (SELECT person.team_id,
                       CASE WHEN start.first_month IS NOT NULL AND person.period >= start.first_month
                            THEN %(with_pairs)s ELSE %(before_pairs)s END::varchar AS phase,
                       metric, sum(monthly_answers) AS answers,
                       {_PERSON_VALUE.format(mean="sum(monthly_sum) / sum(monthly_answers)")}
                  FROM ({_person_rows(f"pm.team_id IS NOT NULL AND pm.monthly_answers > 0 AND {where}")}) person
                  LEFT JOIN ({_first_pair_months()}) start ON start.team_id = person.team_id
                 GROUP BY 1, 2, 3, unit_id) person
         GROUP BY team_id, phase, metric
    """


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


def _replace(
    cursor, *, table: str, keys, values, fresh_sql: str, params: dict, scope: str = "TRUE",
    prelude: str = "", fold: str | None = None,
) -> int:
    """Make `table` equal to `fresh_sql` within `scope`; returns how many rows were written or deleted.

    One statement, so one snapshot: the upsert and the delete touch disjoint
    rows (those in the fresh set, and those in scope but not in it), and the
    journal rows deleted by `fold` (a condition on wellbeing_stalecell s) are
    exactly those the fresh set was grouped after. `prelude` adds CTEs.
    """
    columns = ", ".join(keys + values)
    folded = f", folded AS (DELETE FROM wellbeing_stalecell s WHERE {fold} RETURNING 1)" if fold else ""
    cursor.execute(
        f"""
        WITH {prelude + "," if prelude else ""}
        fresh AS MATERIALIZED ({fresh_sql}),
        written AS (
            INSERT INTO {table} AS t ({columns})
            SELECT {columns} FROM fresh
             -- Unchanged rows are left out by a hashed anti-join here rather than one by one in the
             -- ON CONFLICT below: what makes a rebuild that finds little to change cheap.
             WHERE NOT EXISTS (
                   SELECT 1 FROM {table} t
                    WHERE {_key_match(keys)}
                      AND ({", ".join(f"t.{value}" for value in values)})
                          IS NOT DISTINCT FROM ({", ".join(f"fresh.{value}" for value in values)}))
            ON CONFLICT ({", ".join(keys)}) DO UPDATE
               SET {", ".join(f"{value} = EXCLUDED.{value}" for value in values)}
             WHERE ({", ".join(f"t.{value}" for value in values)})
                   IS DISTINCT FROM ({", ".join(f"EXCLUDED.{value}" for value in values)})
            RETURNING 1
        ),
        removed AS (
            DELETE FROM {table} t
             WHERE ({scope}) AND NOT EXISTS (SELECT 1 FROM fresh WHERE {_key_match(keys)})
            RETURNING 1
        ){folded}
        SELECT (SELECT count(*) FROM written) + (SELECT count(*) FROM removed)
        """,
        params,
    )
    return cursor.fetchone()[0]


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
    person_rows_repaired: int = 0
    cell_sums_repaired: int = 0  # kept month cell sums (wellbeing_monthcellsum) that differed, in a full rebuild
    analyses_changed: int = 0  # stored analyses (wellbeing.evidence) written or deleted


def _batch_settings(cursor) -> None:
    # A batch job over many rows: let the sorts and hashes stay in memory.
    cursor.execute("SET LOCAL work_mem = '128MB'")
    # JIT compiling these statements costs more than it saves (seconds at a million rows).
    cursor.execute("SET LOCAL jit = off")


# The (team, month, metric) keys in the journal, and the cells they make stale.
_STALE = "stale AS MATERIALIZED (SELECT DISTINCT team_id, period, metric FROM wellbeing_stalecell)"


def _stale_or_pair(alias: str) -> str:
    """Rows of `alias` behind a journalled cell, or of the pair-work share (it follows the visits, not the journal)."""
    return f"""(
        (({alias}.team_id, {alias}.period, {alias}.metric) IN (SELECT team_id, period, metric FROM stale))
        OR ({alias}.team_id IS NULL AND ({alias}.period, {alias}.metric) IN (SELECT period, metric FROM stale))
        OR {_PAIR_METRIC.format(alias=alias)}
    )"""


def rebuild_all(*, full: bool = False, from_source: bool = False) -> RebuildResult | None:
    """Bring every aggregate up to date; None if another rebuild is running.

    Regroups the month cells the journal names (changes whose refresh never
    ran, e.g. while Redis was down) and, always, what follows the visits and
    work pairs rather than the answers: the pair-work share, the before/with
    pair work cells, client changes, visit cells. `full` regroups every cell
    from the per-person-month sums; `from_source` first re-derives those sums
    from the response and score rows and repairs any that differ (after a
    bulk load that bypassed the triggers, say). Writes only what differs.
    """
    params = _params()
    full = full or from_source
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, 0)", [REBUILD_SINGLETON])
        if not cursor.fetchone()[0]:
            return None
        # Exclusive: waits for running cell refreshes and holds new ones back,
        # so none can overwrite this run's rows with an older view.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [WRITE_GATE])
        _batch_settings(cursor)
        repaired = 0
        if from_source:
            repaired = _replace(
                cursor, table="wellbeing_personmonth", keys=PERSON_KEYS, values=PERSON_VALUES,
                fresh_sql=_person_sums_from_source(), params=params,
            )
        cell_sums_repaired = 0
        if full:  # the kept month cell sums, regrouped from the person rows
            cell_sums_repaired = _replace(
                cursor, table="wellbeing_monthcellsum", keys=CELL_SUM_KEYS, values=CELL_SUM_VALUES,
                fresh_sql=_cell_sums_from_person_months(), params=params,
            )
        changed = _replace_team_starts(cursor, params)
        # The answers' own metrics from the month cell sums (just repaired, in a full run), every one or
        # those the journal names; the pair-work share regrouped from the person rows (it follows the visits).
        summed = f"NOT {_PAIR_METRIC.format(alias='c')}" + ("" if full else f" AND {_stale_or_pair('c')}")
        month_scope = "TRUE" if full else _stale_or_pair("t")
        month_cells = f"{_month_cells_from_sums(summed)} UNION ALL {_month_cells(_PAIR_METRIC.format(alias='pm'))}"
        changed += _replace(
            cursor,
            table="wellbeing_metricaggregate",
            keys=METRIC_KEYS,
            values=METRIC_VALUES,
            prelude=_STALE,
            fresh_sql=f"{month_cells} UNION ALL {_phase_cells()} UNION ALL {_client_change_cells('')}",
            params=params,
            scope=f"t.span <> %(month)s OR ({month_scope})",
            fold="TRUE",  # every journal row this statement's snapshot sees
        )
        changed += _replace(
            cursor, table="wellbeing_visitaggregate", keys=VISIT_KEYS, values=VISIT_VALUES,
            fresh_sql=_visit_cells(), params=params,
        )
        # The stored analyses (wellbeing.evidence) from the same snapshot's source rows: in this
        # nightly job, never in refresh_cells, so that an answer's own refresh stays cheap.
        analyses_changed = evidence.store_analyses()
        _touch_state(cursor, full=True)
        cursor.execute(
            "SELECT (SELECT count(*) FROM wellbeing_metricaggregate), (SELECT count(*) FROM wellbeing_visitaggregate)"
        )
        metric_rows, visit_rows = cursor.fetchone()
    return RebuildResult(
        rows_changed=changed, metric_rows=metric_rows, visit_rows=visit_rows, person_rows_repaired=repaired,
        cell_sums_repaired=cell_sums_repaired, analyses_changed=analyses_changed,
    )


def refresh_cells(*, team_id: int, period: dt.date, instrument_code: str) -> int:
    """Recompute the cells one response of `instrument_code` in (team, month) can change.

    For a staff instrument: that month's cells of the team and of all teams,
    and (for a monthly instrument) the team's before/with pair work cells,
    each regrouped from the few person-month rows behind it.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.audience, i.time_points @> to_jsonb(%s::text),
                      array(SELECT DISTINCT every.code || '.' || s.code
                              FROM wellbeing_instrument every JOIN wellbeing_scale s ON s.instrument_id = every.id
                             WHERE every.code = i.code)
                 FROM wellbeing_instrument i WHERE i.code = %s ORDER BY i.version DESC LIMIT 1""",
            [TimePoint.MONTHLY.value, instrument_code],
        )
        row = cursor.fetchone()
        if row is None:  # the instrument vanished: nothing to do
            return 0
        audience, monthly, metric_names = row
        if monthly:
            metric_names.append(instrument_code + PAIR_WORK_SUFFIX)
        params = _params(team=team_id, period=period, code=instrument_code, metrics=metric_names)
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 0)", [WRITE_GATE])
        if audience == Audience.CLIENT:
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
            # The answers' own metrics from their kept sums; the pair-work share regrouped (it follows the visits).
            fresh = _month_cells_from_sums(
                "c.period = %(period)s AND (c.team_id = %(team)s OR c.team_id IS NULL) AND c.metric = ANY (%(metrics)s)"
                f" AND NOT {_PAIR_METRIC.format(alias='c')}"
            )
            if monthly:
                fresh += " UNION ALL " + _month_cells(
                    "pm.period = %(period)s AND (pm.team_id = %(team)s OR pm.team_id IS NULL)"
                    f" AND pm.metric = ANY (%(metrics)s) AND {_PAIR_METRIC.format(alias='pm')}",
                    took_where=(
                        "AND v.starts_at >= (%(period)s::timestamp AT TIME ZONE %(tz)s)"
                        " AND v.starts_at < ((%(period)s + interval '1 month')::timestamp AT TIME ZONE %(tz)s)"
                    ),
                )
            scope = (
                "t.metric = ANY (%(metrics)s) AND t.span = %(month)s AND t.period = %(period)s"
                " AND (t.team_id = %(team)s OR t.team_id IS NULL)"
            )
            if monthly:  # only monthly answers count before/with pair work
                fresh += f" UNION ALL {_phase_cells('pm.team_id = %(team)s AND pm.metric = ANY (%(metrics)s)')}"
                scope = (
                    f"({scope}) OR (t.metric = ANY (%(metrics)s) AND t.team_id = %(team)s"
                    " AND t.span IN (%(before_pairs)s, %(with_pairs)s))"
                )
            changed += _replace(
                cursor, table="wellbeing_metricaggregate", keys=METRIC_KEYS, values=METRIC_VALUES,
                fresh_sql=fresh, params=params, scope=scope,
                fold="s.team_id = %(team)s AND s.period = %(period)s AND s.metric = ANY (%(metrics)s)",
            )
        _touch_state(cursor, full=False)
    return changed
