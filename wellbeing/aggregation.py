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
  client-change cells), each read from its kept sums: the month cells from
  `wellbeing_monthcellsum` (migration 0009), the before/with cells from
  `wellbeing_phasecellsum` (migration 0010), both kept by the same triggers;
  the pair-work share is a metric like any other there, its value following
  the visits (their own triggers, migration 0010);
* `rebuild_all` for the nightly reconcile and `manage.py rebuild_wellbeing`:
  regroups the month cells the journal names and every cell read from few
  rows (before/with, client change, visits), deletes cells whose source rows
  are gone; `full` regroups every month cell and first regroups the kept
  cell and phase sums from the person-month rows and repairs any that
  differ; with `from_source=True` it first re-derives the visit counts and
  per-person-month sums from the raw rows and repairs any that differ; it
  also stores the analyses
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
import time
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
# Per team: the triggers (wellbeing migration 0010) hold it shared while they add a monthly answer to a
# side of the team's first pair month; moving that month and re-deriving the team's phase sums holds it alone.
PHASE_LOCK = 574207

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


def _person_sums_from_source() -> str:
    """What wellbeing_personmonth must hold, grouped from the source rows (the triggers' definition)."""
    return f"""
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
                SELECT r.team_id, r.period, i.code || %(pair_work_suffix)s, r.respondent_id, r.time_point,
                       (part.staff_id IS NOT NULL)::int
                  FROM wellbeing_surveyresponse r JOIN wellbeing_instrument i ON i.id = r.instrument_id
                  LEFT JOIN ({_took_part()}) part ON part.staff_id = r.respondent_id AND part.period = r.period
                 WHERE i.audience = %(staff)s AND r.respondent_id IS NOT NULL AND r.time_point = %(monthly)s) c
         GROUP BY GROUPING SETS ((team_id, period, metric, respondent_id), (period, metric, respondent_id))
    """


STAFF_VISIT_KEYS = ("staff_id", "period")


def _staff_month_visits_from_source() -> str:
    """What wellbeing_staffmonthvisits must hold (leaving out the zero rows answers lock), from the visits."""
    return """
        SELECT p.staff_id, date_trunc('month', v.starts_at AT TIME ZONE %(tz)s)::date AS period, count(*)::int AS visits
          FROM visits_visitparticipant p
          JOIN visits_visit v ON v.id = p.visit_id
         WHERE v.status = %(completed)s
         GROUP BY 1, 2
    """


def _took_part() -> str:
    """(staff, month) pairs with a delivered visit taken part in: the pair-work share's value, 1 or 0."""
    return f"SELECT staff_id, period FROM ({_staff_month_visits_from_source()}) counted"


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


# --- Before/with pair work cells from their kept sums (wellbeing_phasecellsum, migration 0010) -----
#
# The same triggers keep each person's monthly sums per team, metric and side of the team's first pair
# month (wellbeing_personphase) and, per such cell, the count, answers and nano sums of its people.

PHASE_KEYS = ("team_id", "metric", "phase", "respondent_id")
PHASE_VALUES = ("monthly_sum", "monthly_answers")
PHASE_CELL_KEYS = ("team_id", "metric", "phase")


def _person_phases_from_person_months(where: str = "TRUE") -> str:
    """What wellbeing_personphase must hold (teams in `where`, on pm), regrouped from the person-month rows.

    A month is on the with-pairs side from its team's first pair month on (TeamPairStart), else before. Read
    per team that has a first month, which is then a constant, and for the teams without one (all before):
    both walk the partial index of the team rows with monthly answers (migration 0013) in its order, so each
    person's months stream into their sums without a hash of every row.
    """
    return f"""
        SELECT s.team_id, person.metric, side.phase, person.respondent_id,
               side.monthly_sum::numeric(30, 15) AS monthly_sum, side.monthly_answers::int AS monthly_answers
          FROM wellbeing_teampairstart s
         CROSS JOIN LATERAL (
               SELECT pm.metric, pm.respondent_id,
                      sum(pm.monthly_sum) FILTER (WHERE pm.period >= s.first_month) AS with_sum,
                      sum(pm.monthly_answers) FILTER (WHERE pm.period >= s.first_month) AS with_answers,
                      sum(pm.monthly_sum) FILTER (WHERE pm.period < s.first_month) AS before_sum,
                      sum(pm.monthly_answers) FILTER (WHERE pm.period < s.first_month) AS before_answers
                 FROM wellbeing_personmonth pm
                WHERE pm.team_id = s.team_id AND pm.team_id IS NOT NULL AND pm.monthly_answers > 0 AND {where}
                GROUP BY pm.metric, pm.respondent_id
               ) person
         CROSS JOIN LATERAL (VALUES (%(with_pairs)s::varchar, person.with_sum, person.with_answers),
                                    (%(before_pairs)s::varchar, person.before_sum, person.before_answers)
                            ) AS side (phase, monthly_sum, monthly_answers)
         WHERE side.monthly_answers IS NOT NULL
        UNION ALL
        SELECT pm.team_id, pm.metric, %(before_pairs)s::varchar, pm.respondent_id,
               sum(pm.monthly_sum)::numeric(30, 15), sum(pm.monthly_answers)::int
          FROM wellbeing_personmonth pm
         WHERE pm.team_id IS NOT NULL AND pm.monthly_answers > 0 AND {where}
           AND pm.team_id <> ALL (ARRAY(SELECT team_id FROM wellbeing_teampairstart))
         GROUP BY pm.team_id, pm.metric, pm.respondent_id
    """


def _phase_cell_sums_from_person_phases(where: str = "TRUE") -> str:
    """What wellbeing_phasecellsum must hold (teams in `where`), regrouped from the person phase rows."""
    return f"""
        SELECT team_id, metric, phase, count(*) AS respondents, sum(monthly_answers)::bigint AS answers,
               sum(nano)::bigint AS nano, sum(nano_squares)::bigint AS nano_squares
          FROM wellbeing_personphase p
         WHERE {where}
         GROUP BY 1, 2, 3
    """


def _phase_cells(where: str = "TRUE") -> str:
    """The before/with pair work cells in `where` (on wellbeing_phasecellsum c), read from their kept sums."""
    return f"""
        SELECT team_id, phase AS span, NULL::date AS period, metric, respondents, answers::int AS responses,
               (nano / 1e9)::float8 AS total, (nano_squares / 1e9)::float8 AS total_squares
          FROM wellbeing_phasecellsum c
         WHERE c.respondents > 0 AND {where}
    """


def _repair_phase_sums(cursor, params: dict, teams: str = "") -> int:
    """Make the person phase sums and their cells equal a regroup of the person months (of `teams`, an array param)."""
    only = (lambda alias: f"{alias}.team_id = ANY ({teams})") if teams else (lambda alias: "TRUE")
    repaired = _replace(
        cursor, table="wellbeing_personphase", keys=PHASE_KEYS, values=PHASE_VALUES,
        fresh_sql=_person_phases_from_person_months(only("pm")), params=params, scope=only("t"),
    )
    return repaired + _replace(
        cursor, table="wellbeing_phasecellsum", keys=PHASE_CELL_KEYS, values=CELL_SUM_VALUES,
        fresh_sql=_phase_cell_sums_from_person_phases(only("p")), params=params, scope=only("t"),
    )


_TEXT_KEYS = ("metric", "phase")


def _differ(keys: tuple[str, ...], values: tuple[str, ...]) -> str:
    """A full join of `fresh` and the kept rows `t`: pairs whose values differ, or a row on one side only.

    Text keys are matched byte for byte (COLLATE "C", the same equality), so that should PostgreSQL sort
    for a merge join rather than hash, it does not compare tens of thousands of keys by the locale's rules.
    """
    match = " AND ".join(
        f'fresh.{key} COLLATE "C" = t.{key} COLLATE "C"' if key in _TEXT_KEYS else _key_match((key,)) for key in keys
    )
    return (
        f"ON {match} WHERE ({', '.join(f'fresh.{value}' for value in values)})"
        f" IS DISTINCT FROM ({', '.join(f't.{value}' for value in values)})"
    )


def _kept_sums_that_differ(cursor, params: dict) -> tuple[int, int]:
    """How many kept month cell sums, and person phase and phase cell sums, differ from a regroup of the person months.

    One read-only statement, so it writes nothing when all is equal (the usual case) and PostgreSQL may share
    its scans among parallel workers (a statement that writes cannot); each regroup is compared with its
    kept rows by a hashed full join of a few thousand rows. The person phases are read through their partial
    index; the phase cells are regrouped from the kept person phases, as `_repair_phase_sums` does.
    """
    cursor.execute(
        f"""
        SELECT (SELECT count(*) FROM ({_cell_sums_from_person_months()}) fresh
                  FULL JOIN wellbeing_monthcellsum t {_differ(CELL_SUM_KEYS, CELL_SUM_VALUES)}),
               (SELECT count(*) FROM ({_person_phases_from_person_months()}) fresh
                  FULL JOIN wellbeing_personphase t {_differ(PHASE_KEYS, PHASE_VALUES)})
               + (SELECT count(*) FROM ({_phase_cell_sums_from_person_phases()}) fresh
                  FULL JOIN wellbeing_phasecellsum t {_differ(PHASE_CELL_KEYS, CELL_SUM_VALUES)})
        """,
        params,
    )
    return cursor.fetchone()


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
    """Make TeamPairStart follow the pairs; a team whose first month moved (rare) has its phase sums re-derived.

    The team's phase lock waits for answers being written to its sides and holds
    new ones back, so none lands on the old side after the re-derivation read.
    """
    where = "AND team_id = %(team)s" if team_id is not None else ""
    cursor.execute(
        f"""SELECT coalesce(pairs.team_id, kept.team_id)
              FROM ({_first_pair_months(where)}) pairs
              FULL JOIN (SELECT * FROM wellbeing_teampairstart WHERE TRUE {where}) kept ON kept.team_id = pairs.team_id
             WHERE pairs.first_month IS DISTINCT FROM kept.first_month
             ORDER BY 1""",
        params,
    )
    moved = [team for (team,) in cursor.fetchall()]
    if not moved:
        return 0
    for team in moved:  # sorted, as the triggers take them
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [PHASE_LOCK, team])
    params = {**params, "moved": moved}
    changed = _replace(
        cursor,
        table="wellbeing_teampairstart",
        keys=("team_id",),
        values=("first_month",),
        fresh_sql=_first_pair_months("AND team_id = ANY (%(moved)s)"),
        params=params,
        scope="t.team_id = ANY (%(moved)s)",
    )
    _repair_phase_sums(cursor, params, "%(moved)s")
    return changed


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
    analyses_seconds: float = 0.0  # of the run's time, the stored analyses' refit (a model fit, not a regroup)


def _batch_settings(cursor) -> None:
    # A batch job over many rows: let the sorts and hashes stay in memory.
    cursor.execute("SET LOCAL work_mem = '128MB'")
    # JIT compiling these statements costs more than it saves (seconds at a million rows).
    cursor.execute("SET LOCAL jit = off")


# The (team, month, metric) keys in the journal, and the cells they make stale.
_STALE = "stale AS MATERIALIZED (SELECT DISTINCT team_id, period, metric FROM wellbeing_stalecell)"


def _stale(alias: str) -> str:
    """Rows of `alias` behind a journalled cell (its team's, and so the all-teams cell)."""
    return f"""(
        (({alias}.team_id, {alias}.period, {alias}.metric) IN (SELECT team_id, period, metric FROM stale))
        OR ({alias}.team_id IS NULL AND ({alias}.period, {alias}.metric) IN (SELECT period, metric FROM stale))
    )"""


def rebuild_all(*, full: bool = False, from_source: bool = False) -> RebuildResult | None:
    """Bring every aggregate up to date; None if another rebuild is running.

    Regroups the month cells the journal names (changes whose refresh never
    ran, e.g. while Redis was down) and, always, the cells read from few rows:
    before/with pair work (from their kept sums), client changes, visit cells.
    `full` first regroups the kept cell and phase sums from the
    per-person-month sums, repairs any that differ, and regroups every month
    cell; `from_source` first re-derives the visit counts and the
    per-person-month sums from the visit, response and score rows and repairs
    any that differ (after a bulk load that bypassed the triggers, say).
    Writes only what differs.
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
                cursor, table="wellbeing_staffmonthvisits", keys=STAFF_VISIT_KEYS, values=("visits",),
                fresh_sql=_staff_month_visits_from_source(), params=params, scope="t.visits <> 0",
            )
            repaired += _replace(
                cursor, table="wellbeing_personmonth", keys=PERSON_KEYS, values=PERSON_VALUES,
                fresh_sql=_person_sums_from_source(), params=params,
            )
        changed = _replace_team_starts(cursor, params)
        cell_sums_repaired = 0
        if full:  # the kept cell and phase sums, regrouped from the person rows; repaired where they differ
            cells_differ, phases_differ = _kept_sums_that_differ(cursor, params)
            if cells_differ:
                cell_sums_repaired = _replace(
                    cursor, table="wellbeing_monthcellsum", keys=CELL_SUM_KEYS, values=CELL_SUM_VALUES,
                    fresh_sql=_cell_sums_from_person_months(), params=params,
                )
            if phases_differ:
                cell_sums_repaired += _repair_phase_sums(cursor, params)
        # Every month cell from its kept sums (just repaired, in a full run), or those the journal names.
        changed += _replace(
            cursor,
            table="wellbeing_metricaggregate",
            keys=METRIC_KEYS,
            values=METRIC_VALUES,
            prelude=_STALE,
            fresh_sql=(
                f"{_month_cells_from_sums('TRUE' if full else _stale('c'))}"
                f" UNION ALL {_phase_cells()} UNION ALL {_client_change_cells('')}"
            ),
            params=params,
            scope=f"t.span <> %(month)s OR {'TRUE' if full else _stale('t')}",
            fold="TRUE",  # every journal row this statement's snapshot sees
        )
        changed += _replace(
            cursor, table="wellbeing_visitaggregate", keys=VISIT_KEYS, values=VISIT_VALUES,
            fresh_sql=_visit_cells(), params=params,
        )
        # The stored analyses (wellbeing.evidence): in this nightly job, never in refresh_cells, so that an
        # answer's own refresh stays cheap; refitted when an input was written since (the journal), or from the source rows.
        fitting = time.perf_counter()
        analyses_changed = evidence.store_analyses(always=from_source)
        analyses_seconds = time.perf_counter() - fitting
        _touch_state(cursor, full=True)
        cursor.execute(
            "SELECT (SELECT count(*) FROM wellbeing_metricaggregate), (SELECT count(*) FROM wellbeing_visitaggregate)"
        )
        metric_rows, visit_rows = cursor.fetchone()
    return RebuildResult(
        rows_changed=changed, metric_rows=metric_rows, visit_rows=visit_rows, person_rows_repaired=repaired,
        cell_sums_repaired=cell_sums_repaired, analyses_changed=analyses_changed, analyses_seconds=analyses_seconds,
    )


def refresh_cells(*, team_id: int, period: dt.date, instrument_code: str) -> int:
    """Recompute the cells one response of `instrument_code` in (team, month) can change.

    For a staff instrument: that month's cells of the team and of all teams,
    and (for a monthly instrument) the team's before/with pair work cells,
    each read from its kept sums (a handful of rows).
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
            fresh = _month_cells_from_sums(
                "c.period = %(period)s AND (c.team_id = %(team)s OR c.team_id IS NULL) AND c.metric = ANY (%(metrics)s)"
            )
            scope = (
                "t.metric = ANY (%(metrics)s) AND t.span = %(month)s AND t.period = %(period)s"
                " AND (t.team_id = %(team)s OR t.team_id IS NULL)"
            )
            if monthly:  # only monthly answers count before/with pair work
                fresh += f" UNION ALL {_phase_cells('c.team_id = %(team)s AND c.metric = ANY (%(metrics)s)')}"
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
