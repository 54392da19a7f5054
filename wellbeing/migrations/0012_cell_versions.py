"""Versions of the dashboard's aggregate cells, kept by statement triggers in the writing transaction.

The dashboard decides small-cell suppression over every team's cells (about
7 500 at region size) and keeps the result in the process
(wellbeing.dashboard.cells). Keyed to the data's generation alone, any write
anywhere (a visit note, a booking) threw it away, and the next read re-read
and re-decided every cell. Each statement that changes metric aggregates now
gives every (metric, team) it touched -- "<metric>/<team id>", "<metric>/" for
all teams -- a new number from a sequence, and one that changes visit
aggregates or team starts gives "@visits" or "@team_starts" one, in a row of
wellbeing_cellversion: a reader sees the new number exactly when it sees the
change (a row is transactional, a bare sequence is not), so the dashboard
re-reads only the cells whose number moved and re-decides only their metrics.
Rows are upserted in sorted order, so two writers never wait on each other in
opposite orders.
"""
from django.db import migrations, models
from django.db.models.functions import Coalesce

TABLES = {
    "wellbeing_metricaggregate": "metric",
    "wellbeing_visitaggregate": "'@visits'",
    "wellbeing_teampairstart": "'@team_starts'",
}

SQL = """
CREATE SEQUENCE IF NOT EXISTS wellbeing_cell_version;

CREATE FUNCTION wellbeing_note_cell_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    changed text[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        changed := CASE TG_TABLE_NAME
            WHEN 'wellbeing_metricaggregate' THEN
                ARRAY(SELECT cell FROM wellbeing_cellversion WHERE cell NOT LIKE '@%' ORDER BY cell)
            WHEN 'wellbeing_visitaggregate' THEN ARRAY['@visits']
            ELSE ARRAY['@team_starts'] END;
    ELSIF TG_TABLE_NAME = 'wellbeing_metricaggregate' THEN
        IF TG_OP = 'INSERT' THEN
            changed := ARRAY(SELECT DISTINCT metric || '/' || coalesce(team_id::text, '') FROM new_rows ORDER BY 1);
        ELSIF TG_OP = 'DELETE' THEN
            changed := ARRAY(SELECT DISTINCT metric || '/' || coalesce(team_id::text, '') FROM old_rows ORDER BY 1);
        ELSE
            changed := ARRAY(
                SELECT metric || '/' || coalesce(team_id::text, '') FROM new_rows
                 UNION SELECT metric || '/' || coalesce(team_id::text, '') FROM old_rows ORDER BY 1
            );
        END IF;
    ELSE
        IF TG_OP = 'INSERT' THEN
            PERFORM FROM new_rows LIMIT 1;
        ELSE
            PERFORM FROM old_rows LIMIT 1;
        END IF;
        IF FOUND THEN
            changed := ARRAY[CASE TG_TABLE_NAME WHEN 'wellbeing_visitaggregate' THEN '@visits' ELSE '@team_starts' END];
        END IF;
    END IF;
    IF cardinality(changed) > 0 THEN
        INSERT INTO wellbeing_cellversion AS kept (cell, version)
        SELECT name, nextval('wellbeing_cell_version') FROM unnest(changed) WITH ORDINALITY AS c(name, n) ORDER BY n
        ON CONFLICT (cell) DO UPDATE SET version = EXCLUDED.version;
    END IF;
    RETURN NULL;
END;
$fn$;
""" + "\n".join(
    f"""CREATE TRIGGER cell_version_{table}_insert AFTER INSERT ON {table}
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION wellbeing_note_cell_change();
        CREATE TRIGGER cell_version_{table}_update AFTER UPDATE ON {table}
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION wellbeing_note_cell_change();
        CREATE TRIGGER cell_version_{table}_delete AFTER DELETE ON {table}
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION wellbeing_note_cell_change();
        CREATE TRIGGER cell_version_{table}_truncate AFTER TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION wellbeing_note_cell_change();"""
    for table in TABLES
) + """
INSERT INTO wellbeing_cellversion (cell, version)
SELECT cell, nextval('wellbeing_cell_version')
  FROM (SELECT DISTINCT metric || '/' || coalesce(team_id::text, '') AS cell FROM wellbeing_metricaggregate
         UNION SELECT '@visits' UNION SELECT '@team_starts') c
 ORDER BY cell;
"""

UNDO = "\n".join(
    f"DROP TRIGGER IF EXISTS cell_version_{table}_{operation} ON {table};"
    for table in TABLES
    for operation in ("insert", "update", "delete", "truncate")
) + """
DROP FUNCTION IF EXISTS wellbeing_note_cell_change();
DROP SEQUENCE IF EXISTS wellbeing_cell_version;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("wellbeing", "0011_analysis_input_journal"),
    ]

    operations = [
        migrations.CreateModel(
            name="CellVersion",
            fields=[
                ("cell", models.CharField(max_length=160, primary_key=True, serialize=False, verbose_name="cells")),
                ("version", models.BigIntegerField(verbose_name="version")),
            ],
            options={
                "verbose_name": "version of aggregate cells",
                "verbose_name_plural": "versions of aggregate cells",
            },
        ),
        migrations.AddIndex(
            model_name="metricaggregate",
            index=models.Index(models.F("metric"), Coalesce("team", 0), name="metricaggregate_metric_team"),
        ),
        migrations.RunSQL(SQL, UNDO),
    ]
