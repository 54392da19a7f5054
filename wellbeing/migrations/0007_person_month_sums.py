"""Per-person-month sums that follow the answers, kept by PostgreSQL.

Statement-level triggers on the score and response tables add what an
INSERT writes and subtract what a DELETE removes (an UPDATE is both), in the
writing transaction, so `wellbeing_personmonth` always equals a GROUP BY of
the source rows by (team, month, metric, respondent) — once per team and
once for all teams together (team NULL), where a person in two teams counts
once. Statement-level with transition tables, so a bulk load of a million
scores is one grouped upsert, not a million.

A score row is attributed through its response; a response deleted before
its scores (possible with the deferred foreign keys) takes its scores'
contributions with it, and the later score delete finds no response and
subtracts nothing, so both orders leave the same sums.
"""
import django.db.models.deletion
from django.db import migrations, models

FOLLOW = r"""
CREATE FUNCTION wellbeing_follow_person_months() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    signed text;
    contributions text;
    emptied bigint[];
BEGIN
    signed := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT n.*, 1 AS sign FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT o.*, -1 AS sign FROM old_rows o'
        ELSE 'SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 AS sign FROM old_rows o'
    END;
    IF TG_TABLE_NAME = 'wellbeing_responsescore' THEN
        contributions := format($q$
            SELECT r.team_id, r.period, i.code || '.' || s.code AS metric, r.respondent_id, r.time_point,
                   d.value::numeric AS value, d.sign
              FROM (%s) d
              JOIN wellbeing_surveyresponse r ON r.id = d.response_id
              JOIN wellbeing_scale s ON s.id = d.scale_id
              JOIN wellbeing_instrument i ON i.id = s.instrument_id
             WHERE i.audience = 'staff' AND r.respondent_id IS NOT NULL$q$, signed);
    ELSE
        -- A response's scores (normally none yet at INSERT, all of them when it
        -- is deleted first or moved), and its count for the pair-work share.
        contributions := format($q$
            SELECT d.team_id, d.period, i.code || '.' || s.code AS metric, d.respondent_id, d.time_point,
                   rs.value::numeric AS value, d.sign
              FROM (%1$s) d
              JOIN wellbeing_responsescore rs ON rs.response_id = d.id
              JOIN wellbeing_scale s ON s.id = rs.scale_id
              JOIN wellbeing_instrument i ON i.id = s.instrument_id
             WHERE i.audience = 'staff' AND d.respondent_id IS NOT NULL
            UNION ALL
            SELECT d.team_id, d.period, i.code || '.pair_work_share', d.respondent_id, d.time_point, 0, d.sign
              FROM (%1$s) d
              JOIN wellbeing_instrument i ON i.id = d.instrument_id
             WHERE i.audience = 'staff' AND d.respondent_id IS NOT NULL AND d.time_point = 'monthly'$q$, signed);
    END IF;
    EXECUTE format($q$
        WITH upserted AS (
            INSERT INTO wellbeing_personmonth AS t
                   (team_id, period, metric, respondent_id, value_sum, answers, monthly_sum, monthly_answers)
            SELECT team_id, period, metric, respondent_id, delta.value_sum, delta.answers,
                   delta.monthly_sum, delta.monthly_answers
              FROM (SELECT team_id, period, metric, respondent_id,
                           sum(sign * value) AS value_sum, sum(sign)::int AS answers,
                           coalesce(sum(sign * value) FILTER (WHERE time_point = 'monthly'), 0) AS monthly_sum,
                           coalesce(sum(sign) FILTER (WHERE time_point = 'monthly'), 0)::int AS monthly_answers
                      FROM (%s) c
                     GROUP BY GROUPING SETS ((team_id, period, metric, respondent_id), (period, metric, respondent_id))
                   ) delta
             -- An UPDATE that moves nothing (e.g. a visit link set to NULL) writes nothing.
             WHERE (delta.value_sum, delta.answers, delta.monthly_sum, delta.monthly_answers) <> (0, 0, 0, 0)
            ON CONFLICT (team_id, period, metric, respondent_id) DO UPDATE
               SET value_sum = t.value_sum + EXCLUDED.value_sum,
                   answers = t.answers + EXCLUDED.answers,
                   monthly_sum = t.monthly_sum + EXCLUDED.monthly_sum,
                   monthly_answers = t.monthly_answers + EXCLUDED.monthly_answers
            RETURNING t.id, t.answers, t.team_id, t.period, t.metric
        ),
        -- Their team cells (and so the all-teams cell) are to be regrouped.
        marked AS (
            INSERT INTO wellbeing_stalecell (team_id, period, metric)
            SELECT DISTINCT team_id, period, metric FROM upserted WHERE team_id IS NOT NULL
        )
        SELECT array_agg(id) FROM upserted WHERE answers <= 0$q$, contributions) INTO emptied;
    IF emptied IS NOT NULL THEN
        DELETE FROM wellbeing_personmonth WHERE id = ANY (emptied);
    END IF;
    RETURN NULL;
END;
$fn$;
"""

TRIGGERS = "\n".join(
    f"""CREATE TRIGGER wellbeing_{short}_{operation.lower()}_person_months
            AFTER {operation} ON wellbeing_{table} REFERENCING {transition}
            FOR EACH STATEMENT EXECUTE FUNCTION wellbeing_follow_person_months();"""
    for table, short in (("responsescore", "scores"), ("surveyresponse", "responses"))
    for operation, transition in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    )
)

# The sums of the answers already stored (the triggers see only what comes after); every cell is to be regrouped.
FILL = """
INSERT INTO wellbeing_personmonth (team_id, period, metric, respondent_id, value_sum, answers, monthly_sum, monthly_answers)
SELECT team_id, period, metric, respondent_id, sum(value), count(*),
       coalesce(sum(value) FILTER (WHERE time_point = 'monthly'), 0), count(*) FILTER (WHERE time_point = 'monthly')
  FROM (SELECT r.team_id, r.period, i.code || '.' || s.code AS metric, r.respondent_id, r.time_point, rs.value::numeric AS value
          FROM wellbeing_responsescore rs
          JOIN wellbeing_surveyresponse r ON r.id = rs.response_id
          JOIN wellbeing_scale s ON s.id = rs.scale_id
          JOIN wellbeing_instrument i ON i.id = s.instrument_id
         WHERE i.audience = 'staff' AND r.respondent_id IS NOT NULL
        UNION ALL
        SELECT r.team_id, r.period, i.code || '.pair_work_share', r.respondent_id, r.time_point, 0
          FROM wellbeing_surveyresponse r JOIN wellbeing_instrument i ON i.id = r.instrument_id
         WHERE i.audience = 'staff' AND r.respondent_id IS NOT NULL AND r.time_point = 'monthly') c
 GROUP BY GROUPING SETS ((team_id, period, metric, respondent_id), (period, metric, respondent_id));
INSERT INTO wellbeing_stalecell (team_id, period, metric)
SELECT DISTINCT team_id, period, metric FROM wellbeing_personmonth WHERE team_id IS NOT NULL;
"""

UNDO = """
DROP TRIGGER IF EXISTS wellbeing_scores_insert_person_months ON wellbeing_responsescore;
DROP TRIGGER IF EXISTS wellbeing_scores_update_person_months ON wellbeing_responsescore;
DROP TRIGGER IF EXISTS wellbeing_scores_delete_person_months ON wellbeing_responsescore;
DROP TRIGGER IF EXISTS wellbeing_responses_insert_person_months ON wellbeing_surveyresponse;
DROP TRIGGER IF EXISTS wellbeing_responses_update_person_months ON wellbeing_surveyresponse;
DROP TRIGGER IF EXISTS wellbeing_responses_delete_person_months ON wellbeing_surveyresponse;
DROP FUNCTION IF EXISTS wellbeing_follow_person_months();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('pairwork', '0003_api_tokens'),
        ('wellbeing', '0006_outcome_measurement_reminder'),
    ]

    operations = [
        migrations.CreateModel(
            name='PersonMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.DateField(verbose_name='month')),
                ('metric', models.CharField(max_length=140, verbose_name='metric')),
                ('value_sum', models.DecimalField(decimal_places=15, max_digits=30, verbose_name='sum of scores')),
                ('answers', models.IntegerField(verbose_name='answers')),
                ('monthly_sum', models.DecimalField(decimal_places=15, max_digits=30, verbose_name='sum of monthly scores')),
                ('monthly_answers', models.IntegerField(verbose_name='monthly answers')),
                ('nano', models.GeneratedField(db_persist=True, expression=models.Func(models.F('value_sum'), models.Func(models.F('answers'), 0, function='nullif'), arg_joiner=' / ', template='(round(%(expressions)s * 1e9))::bigint'), output_field=models.BigIntegerField())),
                ('nano_squares', models.GeneratedField(db_persist=True, expression=models.Func(models.F('value_sum'), models.Func(models.F('answers'), 0, function='nullif'), arg_joiner=' / ', template='(round((%(expressions)s) ^ 2 * 1e9))::bigint'), output_field=models.BigIntegerField())),
                ('respondent', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pairwork.staffprofile', verbose_name='respondent')),
                ('team', models.ForeignKey(db_constraint=False, db_index=False, help_text='Empty: all teams together.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pairwork.team', verbose_name='team')),
            ],
            options={
                'verbose_name': 'person-month sums',
                'verbose_name_plural': 'person-month sums',
                'constraints': [models.UniqueConstraint(fields=('team', 'period', 'metric', 'respondent'), name='personmonth_unique', nulls_distinct=False)],
            },
        ),
        migrations.CreateModel(
            name='StaleCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.DateField(verbose_name='month')),
                ('metric', models.CharField(max_length=140, verbose_name='metric')),
                ('team', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pairwork.team', verbose_name='team')),
            ],
            options={
                'verbose_name': 'cell to regroup',
                'verbose_name_plural': 'cells to regroup',
                'indexes': [models.Index(fields=['team', 'period', 'metric'], name='stalecell_key')],
            },
        ),
        migrations.RunSQL(FOLLOW + TRIGGERS + FILL, UNDO),
    ]
