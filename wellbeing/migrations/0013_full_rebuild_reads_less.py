"""What the full rebuild reads to check the kept sums, made cheaper to read.

`rebuild_all(full=True)` regroups the kept month cell and person phase sums
from every person-month row and compares. Two aids:

* a partial index of the team rows with monthly answers, each person's months
  in order with their monthly sums included: the person phases are regrouped
  from it alone, streaming, instead of from a scan and a hash of every row;
* statistics on the month cells' grouping keys (the shard expression as the
  aggregation and migration 0009 spell it), so PostgreSQL knows that the
  regroup yields thousands of cells, not a tenth of the rows, and may share
  the scan among parallel workers with a partial aggregate in each.
"""
from django.db import migrations, models

STATISTICS = """
CREATE STATISTICS wellbeing_personmonth_cells (ndistinct)
    ON team_id, period, metric, (CASE WHEN team_id IS NULL THEN respondent_id % 16 ELSE 0 END::smallint)
  FROM wellbeing_personmonth;
ANALYZE wellbeing_personmonth;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('pairwork', '0006_data_generation'),
        ('wellbeing', '0012_cell_versions'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='personmonth',
            index=models.Index(condition=models.Q(('monthly_answers__gt', 0), ('team__isnull', False)), fields=['team', 'metric', 'respondent', 'period'], include=('monthly_sum', 'monthly_answers'), name='personmonth_phase_months'),
        ),
        migrations.RunSQL(STATISTICS, "DROP STATISTICS IF EXISTS wellbeing_personmonth_cells;"),
    ]
