"""A journal of writes to the stored analyses' inputs, kept by statement triggers.

The analyses (wellbeing.evidence) are fitted over every person-month of the
monthly survey, every client outcome and the visits behind the dose bands:
seconds at a million answers, and the nightly rebuild repeated them when
nothing had changed. Each statement writing one of their source tables now
adds a row here in its own transaction; the analyses run deletes the rows its
snapshot sees and skips the refit when there were none. Statement-level, so
a bulk load adds one row, not a row per answer. A journal row is written at
once, so the next run computes the analyses already stored before this.
"""
import django.utils.timezone
from django.db import migrations, models


TABLES = ["wellbeing_surveyresponse", "wellbeing_responsescore", "wellbeing_scale", "visits_visit", "visits_visitparticipant", "pairwork_workpair", "wellbeing_teampairstart"]

SQL = """
CREATE FUNCTION wellbeing_note_analysis_inputs() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO wellbeing_analysisinputchange (at) VALUES (now());
    RETURN NULL;
END;
$fn$;
""" + "\n".join(
    f"""CREATE TRIGGER analysis_inputs_{table}
            AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION wellbeing_note_analysis_inputs();"""
    for table in TABLES
) + "\nINSERT INTO wellbeing_analysisinputchange (at) VALUES (now());"

UNDO = "\n".join(f"DROP TRIGGER IF EXISTS analysis_inputs_{table} ON {table};" for table in TABLES) + (
    "\nDROP FUNCTION IF EXISTS wellbeing_note_analysis_inputs();"
)


class Migration(migrations.Migration):

    dependencies = [
        ('wellbeing', '0010_aggregates_follow_visits_and_phases'),
    ]

    operations = [
        migrations.CreateModel(
            name='AnalysisInputChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='written')),
            ],
            options={
                'verbose_name': "change to the analyses' inputs",
                'verbose_name_plural': "changes to the analyses' inputs",
            },
        ),
        migrations.RunSQL(SQL, UNDO),
    ]
