"""Aggregates that follow the visits and the first pair month, kept by PostgreSQL.

Two things were regrouped from scratch on every rebuild and every monthly
refresh: the pair-work share (read from the visits) and the before/with pair
work cells (every person-month of the team). Now the database keeps them:

* `wellbeing_staffmonthvisits` counts, per person and month, the delivered
  visits they took part in; statement triggers on visits and participants
  keep it. When a count crosses zero, the same trigger moves that person's
  pair-work share rows of the month (value 1 or 0 per monthly answer) through
  the person-month statement below, so their month cell sums and the journal
  follow like any answer's. A monthly answer reads its value from that row,
  locked first (written with 0 if missing): an answer and a visit of the same
  person and month then wait for each other instead of each missing the other.
* `wellbeing_personphase` holds each person's monthly sums per team, metric
  and side of the team's first pair month (TeamPairStart), and
  `wellbeing_phasecellsum` the before/with cells over them; the person-month
  statement adds each changed row's monthly delta and moves the cell shares
  (new minus old, in nano-units). Which side a month is on is read from
  TeamPairStart, which only the aggregation writes: it takes
  pg_advisory_xact_lock(574207, team) before moving a team's first month and
  re-deriving its phase rows, and these triggers take the shared lock of the
  teams they write first, so no answer lands on the old side unseen.

Locks are taken in one order on every path: the person-month visit rows
(sorted), then the teams' phase locks (sorted), then the sums.

The visit month is the local month of `starts_at` in settings.TIME_ZONE at
the time of migrating (the aggregation's own reading uses the same setting).
"""
import django.db.models.deletion
from django.db import migrations, models

import importlib

from django.conf import settings

PHASE_LOCK = 574207  # aggregation.PHASE_LOCK

# The statement every path ends in: apply signed contributions (team_id, period, metric, respondent_id,
# time_point, value, sign) to the person-month sums, their month cells, the journal, the person phase sums
# and their cells. Returns the ids of emptied person-month and person-phase rows.
DELTA = r"""
CREATE FUNCTION wellbeing_person_delta_sql(contributions text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$ SELECT format($q$
    WITH delta AS MATERIALIZED (
        SELECT * FROM (SELECT team_id, period, metric, respondent_id,
                              sum(sign * value) AS value_sum, sum(sign)::int AS answers,
                              coalesce(sum(sign * value) FILTER (WHERE time_point = 'monthly'), 0) AS monthly_sum,
                              coalesce(sum(sign) FILTER (WHERE time_point = 'monthly'), 0)::int AS monthly_answers
                         FROM (%s) c
                        GROUP BY GROUPING SETS ((team_id, period, metric, respondent_id), (period, metric, respondent_id))
                      ) grouped
         -- An UPDATE that moves nothing (e.g. a visit link set to NULL) writes nothing.
         WHERE (value_sum, answers, monthly_sum, monthly_answers) <> (0, 0, 0, 0)
    ),
    upserted AS (
        INSERT INTO wellbeing_personmonth AS t
               (team_id, period, metric, respondent_id, value_sum, answers, monthly_sum, monthly_answers)
        SELECT team_id, period, metric, respondent_id, value_sum, answers, monthly_sum, monthly_answers FROM delta
        ON CONFLICT (team_id, period, metric, respondent_id) DO UPDATE
           SET value_sum = t.value_sum + EXCLUDED.value_sum,
               answers = t.answers + EXCLUDED.answers,
               monthly_sum = t.monthly_sum + EXCLUDED.monthly_sum,
               monthly_answers = t.monthly_answers + EXCLUDED.monthly_answers
        RETURNING t.id, t.answers, t.value_sum, t.team_id, t.period, t.metric, t.respondent_id
    ),
    -- Their team cells (and so the all-teams cell) are to be regrouped.
    marked AS (
        INSERT INTO wellbeing_stalecell (team_id, period, metric)
        SELECT DISTINCT team_id, period, metric FROM upserted WHERE team_id IS NOT NULL
    ),
    -- Each changed person row's share of its month cell, after and before (the row's values less this delta).
    shares AS (
        SELECT u.team_id, CASE WHEN u.team_id IS NULL THEN u.respondent_id %% 16 ELSE 0 END AS shard,
               u.period, u.metric, state.sign, state.answers,
               CASE WHEN state.answers > 0 THEN round(state.value_sum / state.answers * 1e9)::bigint ELSE 0 END AS nano,
               CASE WHEN state.answers > 0 THEN round((state.value_sum / state.answers) ^ 2 * 1e9)::bigint ELSE 0 END
                   AS nano_squares
          FROM upserted u
          JOIN delta d ON d.period = u.period AND d.metric = u.metric AND d.respondent_id = u.respondent_id
                      AND d.team_id IS NOT DISTINCT FROM u.team_id
         CROSS JOIN LATERAL (VALUES (1, u.answers, u.value_sum),
                                    (-1, u.answers - d.answers, (u.value_sum - d.value_sum)::numeric(30, 15))
                            ) AS state (sign, answers, value_sum)
    ),
    -- Sorted, so two answers touching the same cells lock their rows in the same order.
    celled AS (
        INSERT INTO wellbeing_monthcellsum AS t
               (team_id, shard, period, metric, respondents, answers, nano, nano_squares)
        SELECT team_id, shard, period, metric,
               sum(sign * (answers > 0)::int), sum(sign * greatest(answers, 0)), sum(sign * nano), sum(sign * nano_squares)
          FROM shares
         GROUP BY team_id, shard, period, metric
         ORDER BY team_id, shard, period, metric
        ON CONFLICT (team_id, period, metric, shard) DO UPDATE
           SET respondents = t.respondents + EXCLUDED.respondents,
               answers = t.answers + EXCLUDED.answers,
               nano = t.nano + EXCLUDED.nano,
               nano_squares = t.nano_squares + EXCLUDED.nano_squares
    ),
    -- The team rows' monthly change, on the side of the team's first pair month their month is on.
    phase_delta AS MATERIALIZED (
        SELECT d.team_id, d.metric,
               CASE WHEN s.first_month IS NOT NULL AND d.period >= s.first_month
                    THEN 'with_pairs' ELSE 'before_pairs' END::varchar AS phase,
               d.respondent_id, sum(d.monthly_sum) AS monthly_sum, sum(d.monthly_answers)::int AS monthly_answers
          FROM delta d LEFT JOIN wellbeing_teampairstart s ON s.team_id = d.team_id
         WHERE d.team_id IS NOT NULL AND (d.monthly_sum, d.monthly_answers) <> (0, 0)
         GROUP BY 1, 2, 3, 4
    ),
    phased AS (
        INSERT INTO wellbeing_personphase AS t (team_id, metric, phase, respondent_id, monthly_sum, monthly_answers)
        SELECT team_id, metric, phase, respondent_id, monthly_sum, monthly_answers FROM phase_delta
         ORDER BY team_id, metric, phase, respondent_id
        ON CONFLICT (team_id, metric, phase, respondent_id) DO UPDATE
           SET monthly_sum = t.monthly_sum + EXCLUDED.monthly_sum,
               monthly_answers = t.monthly_answers + EXCLUDED.monthly_answers
        RETURNING t.id, t.team_id, t.metric, t.phase, t.respondent_id, t.monthly_sum, t.monthly_answers
    ),
    phase_shares AS (
        SELECT p.team_id, p.metric, p.phase, state.sign, state.answers,
               CASE WHEN state.answers > 0 THEN round(state.value_sum / state.answers * 1e9)::bigint ELSE 0 END AS nano,
               CASE WHEN state.answers > 0 THEN round((state.value_sum / state.answers) ^ 2 * 1e9)::bigint ELSE 0 END
                   AS nano_squares
          FROM phased p
          JOIN phase_delta d USING (team_id, metric, phase, respondent_id)
         CROSS JOIN LATERAL (VALUES (1, p.monthly_answers, p.monthly_sum),
                                    (-1, p.monthly_answers - d.monthly_answers,
                                     (p.monthly_sum - d.monthly_sum)::numeric(30, 15))
                            ) AS state (sign, answers, value_sum)
    ),
    phase_celled AS (
        INSERT INTO wellbeing_phasecellsum AS t (team_id, metric, phase, respondents, answers, nano, nano_squares)
        SELECT team_id, metric, phase,
               sum(sign * (answers > 0)::int), sum(sign * greatest(answers, 0)), sum(sign * nano), sum(sign * nano_squares)
          FROM phase_shares
         GROUP BY team_id, metric, phase
         ORDER BY team_id, metric, phase
        ON CONFLICT (team_id, metric, phase) DO UPDATE
           SET respondents = t.respondents + EXCLUDED.respondents,
               answers = t.answers + EXCLUDED.answers,
               nano = t.nano + EXCLUDED.nano,
               nano_squares = t.nano_squares + EXCLUDED.nano_squares
    )
    SELECT (SELECT array_agg(id) FROM upserted WHERE answers <= 0),
           (SELECT array_agg(id) FROM phased WHERE monthly_answers <= 0)$q$, contributions) $fn$;

"""

# Answers: as in migration 0009, but the pair-work share's value is read from the person's visit count (locked
# first), the teams' phase locks are taken, and the statement is the shared one above.
FOLLOW_ANSWERS = r"""
CREATE OR REPLACE FUNCTION wellbeing_follow_person_months() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    signed text;
    contributions text;
    emptied bigint[];
    emptied_phases bigint[];
BEGIN
    signed := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT n.*, 1 AS sign FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT o.*, -1 AS sign FROM old_rows o'
        ELSE 'SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 AS sign FROM old_rows o'
    END;
    IF TG_TABLE_NAME = 'wellbeing_responsescore' THEN
        EXECUTE format($q$
            SELECT count(pg_advisory_xact_lock_shared(%2$s, team_id::int))
              FROM (SELECT DISTINCT r.team_id FROM (%1$s) d JOIN wellbeing_surveyresponse r ON r.id = d.response_id
                     WHERE r.time_point = 'monthly' AND r.respondent_id IS NOT NULL ORDER BY 1) teams$q$,
            signed, PHASE_LOCK_KEY);
        contributions := format($q$
            SELECT r.team_id, r.period, i.code || '.' || s.code AS metric, r.respondent_id, r.time_point,
                   d.value::numeric AS value, d.sign
              FROM (%s) d
              JOIN wellbeing_surveyresponse r ON r.id = d.response_id
              JOIN wellbeing_scale s ON s.id = d.scale_id
              JOIN wellbeing_instrument i ON i.id = s.instrument_id
             WHERE i.audience = 'staff' AND r.respondent_id IS NOT NULL$q$, signed);
    ELSE
        -- Lock (writing 0 if missing) the person-months' visit counts the pair-work share reads, then the teams.
        EXECUTE format($q$
            INSERT INTO wellbeing_staffmonthvisits AS t (staff_id, period, visits)
            SELECT DISTINCT respondent_id, period, 0 FROM (%s) d
             WHERE d.respondent_id IS NOT NULL AND d.time_point = 'monthly'
             ORDER BY 1, 2
            ON CONFLICT (staff_id, period) DO UPDATE SET visits = t.visits$q$, signed);
        EXECUTE format($q$
            SELECT count(pg_advisory_xact_lock_shared(%2$s, team_id::int))
              FROM (SELECT DISTINCT team_id FROM (%1$s) d
                     WHERE d.time_point = 'monthly' AND d.respondent_id IS NOT NULL ORDER BY 1) teams$q$,
            signed, PHASE_LOCK_KEY);
        -- A response's scores (normally none yet at INSERT, all of them when it is deleted first or
        -- moved), and its pair-work share: 1 if the person took part in a delivered visit that month.
        contributions := format($q$
            SELECT d.team_id, d.period, i.code || '.' || s.code AS metric, d.respondent_id, d.time_point,
                   rs.value::numeric AS value, d.sign
              FROM (%1$s) d
              JOIN wellbeing_responsescore rs ON rs.response_id = d.id
              JOIN wellbeing_scale s ON s.id = rs.scale_id
              JOIN wellbeing_instrument i ON i.id = s.instrument_id
             WHERE i.audience = 'staff' AND d.respondent_id IS NOT NULL
            UNION ALL
            SELECT d.team_id, d.period, i.code || '.pair_work_share', d.respondent_id, d.time_point,
                   coalesce((SELECT (v.visits > 0)::int FROM wellbeing_staffmonthvisits v
                              WHERE v.staff_id = d.respondent_id AND v.period = d.period), 0), d.sign
              FROM (%1$s) d
              JOIN wellbeing_instrument i ON i.id = d.instrument_id
             WHERE i.audience = 'staff' AND d.respondent_id IS NOT NULL AND d.time_point = 'monthly'$q$, signed);
    END IF;
    EXECUTE wellbeing_person_delta_sql(contributions) INTO emptied, emptied_phases;
    IF emptied IS NOT NULL THEN
        DELETE FROM wellbeing_personmonth WHERE id = ANY (emptied);
    END IF;
    IF emptied_phases IS NOT NULL THEN
        DELETE FROM wellbeing_personphase WHERE id = ANY (emptied_phases);
    END IF;
    RETURN NULL;
END;
$fn$;
""".replace("PHASE_LOCK_KEY", str(PHASE_LOCK))

# Visits and participants: count each person-month's delivered visits; where a count crosses zero, move
# the pair-work share of that person's monthly answers of the month (old value out, new value in).
FOLLOW_VISITS = r"""
CREATE FUNCTION wellbeing_follow_visits() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    signed text;
    taking_part text;
    flipped_staff bigint[];
    flipped_periods date[];
    took int[];
    emptied bigint[];
    emptied_phases bigint[];
BEGIN
    signed := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT n.*, 1 AS sign FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT o.*, -1 AS sign FROM old_rows o'
        ELSE 'SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 AS sign FROM old_rows o'
    END;
    -- A visit's participants (none yet at INSERT, normally), or a participant's visit (gone if deleted first):
    -- either order of deleting or inserting the two counts once.
    IF TG_TABLE_NAME = 'visits_visit' THEN
        taking_part := format($q$
            SELECT p.staff_id, d.starts_at, d.sign FROM (%s) d JOIN visits_visitparticipant p ON p.visit_id = d.id
             WHERE d.status = 'completed'$q$, signed);
    ELSE
        taking_part := format($q$
            SELECT d.staff_id, v.starts_at, d.sign FROM (%s) d JOIN visits_visit v ON v.id = d.visit_id
             WHERE v.status = 'completed'$q$, signed);
    END IF;
    EXECUTE format($q$
        WITH change AS MATERIALIZED (
            SELECT * FROM (SELECT staff_id, date_trunc('month', starts_at AT TIME ZONE %2$L)::date AS period,
                                  sum(sign)::int AS visits
                             FROM (%1$s) c GROUP BY 1, 2) grouped
             WHERE visits <> 0
        ),
        counted AS (
            INSERT INTO wellbeing_staffmonthvisits AS t (staff_id, period, visits)
            SELECT staff_id, period, visits FROM change ORDER BY 1, 2
            ON CONFLICT (staff_id, period) DO UPDATE SET visits = t.visits + EXCLUDED.visits
            RETURNING t.staff_id, t.period, t.visits
        )
        SELECT array_agg(c.staff_id), array_agg(c.period), array_agg((c.visits > 0)::int)
          FROM counted c JOIN change d USING (staff_id, period)
         WHERE (c.visits > 0) <> (c.visits - d.visits > 0)$q$, taking_part, 'TIME_ZONE')
        INTO flipped_staff, flipped_periods, took;
    IF flipped_staff IS NULL THEN
        RETURN NULL;
    END IF;
    -- A new statement (so it sees answers committed while it waited for the counts' locks).
    PERFORM count(pg_advisory_xact_lock_shared(PHASE_LOCK_KEY, team_id::int))
       FROM (SELECT DISTINCT r.team_id
               FROM unnest(flipped_staff, flipped_periods) f (staff_id, period)
               JOIN wellbeing_surveyresponse r
                 ON r.respondent_id = f.staff_id AND r.period = f.period AND r.time_point = 'monthly'
              ORDER BY 1) teams;
    EXECUTE wellbeing_person_delta_sql($q$
        SELECT r.team_id, r.period, i.code || '.pair_work_share' AS metric, r.respondent_id, r.time_point,
               state.value, state.sign
          FROM unnest($1, $2, $3) f (staff_id, period, took)
          JOIN wellbeing_surveyresponse r
            ON r.respondent_id = f.staff_id AND r.period = f.period AND r.time_point = 'monthly'
          JOIN wellbeing_instrument i ON i.id = r.instrument_id
         CROSS JOIN LATERAL (VALUES (f.took::numeric, 1), ((1 - f.took)::numeric, -1)) AS state (value, sign)
         WHERE i.audience = 'staff'$q$)
        INTO emptied, emptied_phases USING flipped_staff, flipped_periods, took;
    RETURN NULL;
END;
$fn$;
""".replace("PHASE_LOCK_KEY", str(PHASE_LOCK)).replace("'TIME_ZONE'", "'" + settings.TIME_ZONE + "'")

VISIT_TRIGGERS = "\n".join(
    f"""CREATE TRIGGER wellbeing_{table}_{operation.lower()}_staff_month_visits
            AFTER {operation} ON visits_{table} REFERENCING {transition}
            FOR EACH STATEMENT EXECUTE FUNCTION wellbeing_follow_visits();"""
    for table in ("visit", "visitparticipant")
    for operation, transition in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    )
)

# What is stored already: the visit counts, the pair-work share's values in the person rows and their
# month cells, the person phase sums and their cells (on the side of TeamPairStart as it stands).
FILL = """
INSERT INTO wellbeing_staffmonthvisits (staff_id, period, visits)
SELECT p.staff_id, date_trunc('month', v.starts_at AT TIME ZONE 'TIME_ZONE')::date, count(*)
  FROM visits_visitparticipant p JOIN visits_visit v ON v.id = p.visit_id
 WHERE v.status = 'completed'
 GROUP BY 1, 2;
UPDATE wellbeing_personmonth pm
   SET value_sum = pm.answers, monthly_sum = pm.monthly_answers
  FROM wellbeing_staffmonthvisits v
 WHERE v.staff_id = pm.respondent_id AND v.period = pm.period AND v.visits > 0
   AND right(pm.metric, length('.pair_work_share')) = '.pair_work_share';
DELETE FROM wellbeing_monthcellsum WHERE right(metric, length('.pair_work_share')) = '.pair_work_share';
INSERT INTO wellbeing_monthcellsum (team_id, shard, period, metric, respondents, answers, nano, nano_squares)
SELECT team_id, CASE WHEN team_id IS NULL THEN respondent_id % 16 ELSE 0 END, period, metric,
       count(*), sum(answers), sum(nano), sum(nano_squares)
  FROM wellbeing_personmonth
 WHERE right(metric, length('.pair_work_share')) = '.pair_work_share'
 GROUP BY 1, 2, 3, 4;
INSERT INTO wellbeing_personphase (team_id, metric, phase, respondent_id, monthly_sum, monthly_answers)
SELECT pm.team_id, pm.metric,
       CASE WHEN s.first_month IS NOT NULL AND pm.period >= s.first_month THEN 'with_pairs' ELSE 'before_pairs' END,
       pm.respondent_id, sum(pm.monthly_sum), sum(pm.monthly_answers)
  FROM wellbeing_personmonth pm LEFT JOIN wellbeing_teampairstart s ON s.team_id = pm.team_id
 WHERE pm.team_id IS NOT NULL AND pm.monthly_answers > 0
 GROUP BY 1, 2, 3, 4;
INSERT INTO wellbeing_phasecellsum (team_id, metric, phase, respondents, answers, nano, nano_squares)
SELECT team_id, metric, phase, count(*), sum(monthly_answers), sum(nano), sum(nano_squares)
  FROM wellbeing_personphase
 GROUP BY 1, 2, 3;
""".replace("TIME_ZONE", settings.TIME_ZONE)


def _previous_function() -> str:
    return importlib.import_module("wellbeing.migrations.0009_month_cell_sums").FOLLOW


UNDO = (
    "\n".join(
        f"DROP TRIGGER IF EXISTS wellbeing_{table}_{operation}_staff_month_visits ON visits_{table};"
        for table in ("visit", "visitparticipant")
        for operation in ("insert", "update", "delete")
    )
    + """
DROP FUNCTION IF EXISTS wellbeing_follow_visits();
DROP FUNCTION IF EXISTS wellbeing_person_delta_sql(text);
UPDATE wellbeing_personmonth SET value_sum = 0, monthly_sum = 0
 WHERE right(metric, length('.pair_work_share')) = '.pair_work_share';
UPDATE wellbeing_monthcellsum SET nano = 0, nano_squares = 0
 WHERE right(metric, length('.pair_work_share')) = '.pair_work_share';
"""
)


class Migration(migrations.Migration):

    dependencies = [
        ('pairwork', '0006_data_generation'),
        ('visits', '0011_overlap_indexes_lead_with_the_person'),
        ('wellbeing', '0009_month_cell_sums'),
    ]

    operations = [
        migrations.CreateModel(
            name='PersonPhase',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('metric', models.CharField(max_length=140, verbose_name='metric')),
                ('phase', models.CharField(max_length=16, verbose_name='phase')),
                ('monthly_sum', models.DecimalField(decimal_places=15, max_digits=30, verbose_name='sum of monthly scores')),
                ('monthly_answers', models.IntegerField(verbose_name='monthly answers')),
                ('nano', models.GeneratedField(db_persist=True, expression=models.Func(models.F('monthly_sum'), models.Func(models.F('monthly_answers'), 0, function='nullif'), arg_joiner=' / ', template='(round(%(expressions)s * 1e9))::bigint'), output_field=models.BigIntegerField())),
                ('nano_squares', models.GeneratedField(db_persist=True, expression=models.Func(models.F('monthly_sum'), models.Func(models.F('monthly_answers'), 0, function='nullif'), arg_joiner=' / ', template='(round((%(expressions)s) ^ 2 * 1e9))::bigint'), output_field=models.BigIntegerField())),
                ('respondent', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pairwork.staffprofile', verbose_name='respondent')),
                ('team', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pairwork.team', verbose_name='team')),
            ],
            options={
                'verbose_name': 'person phase sums',
                'verbose_name_plural': 'person phase sums',
                'constraints': [models.UniqueConstraint(fields=('team', 'metric', 'phase', 'respondent'), name='personphase_unique')],
            },
        ),
        migrations.CreateModel(
            name='PhaseCellSum',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('metric', models.CharField(max_length=140, verbose_name='metric')),
                ('phase', models.CharField(max_length=16, verbose_name='phase')),
                ('respondents', models.BigIntegerField(verbose_name='respondents')),
                ('answers', models.BigIntegerField(verbose_name='answers')),
                ('nano', models.BigIntegerField(verbose_name='sum of person means (nano-units)')),
                ('nano_squares', models.BigIntegerField(verbose_name='sum of squared person means (nano-units)')),
                ('team', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pairwork.team', verbose_name='team')),
            ],
            options={
                'verbose_name': 'phase cell sums',
                'verbose_name_plural': 'phase cell sums',
                'constraints': [models.UniqueConstraint(fields=('team', 'metric', 'phase'), name='phasecellsum_unique')],
            },
        ),
        migrations.CreateModel(
            name='StaffMonthVisits',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.DateField(verbose_name='month')),
                ('visits', models.IntegerField(verbose_name='delivered visits taken part in')),
                ('staff', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pairwork.staffprofile', verbose_name='staff')),
            ],
            options={
                'verbose_name': 'delivered visits of a person-month',
                'verbose_name_plural': 'delivered visits of person-months',
                'constraints': [models.UniqueConstraint(fields=('staff', 'period'), name='staffmonthvisits_unique')],
            },
        ),
        migrations.RunSQL(DELTA + FOLLOW_ANSWERS + FOLLOW_VISITS + VISIT_TRIGGERS + FILL, _previous_function() + UNDO),
    ]
