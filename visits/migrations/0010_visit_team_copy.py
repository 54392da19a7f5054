"""Each visit carries a copy of its pair's team, kept by the database, with a (team, starts_at) index.

A coordinator reads their team's visits in time order (the API list, oldest
first; the calendar, a week). Through the pair the team is a join, so
PostgreSQL walked the starts_at index past every other team's visits: at
region size a small or new team's first page cost a scan of the region's
history. With the team on the visit the (team, starts_at) index hands over
the team's visits already in order.

Two triggers make the copy impossible to get wrong from Python (as the
participant's copy of the visit's range, migration 0002):

* BEFORE INSERT, or UPDATE of the pair or the team, on a visit sets its team
  from the pair (whatever the caller wrote);
* AFTER UPDATE of a pair's team rewrites that pair's visits.
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SQL = """
UPDATE visits_visit v SET team_id = w.team_id FROM pairwork_workpair w WHERE w.id = v.pair_id;

CREATE FUNCTION visits_visit_copy_pair_team() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT w.team_id INTO NEW.team_id FROM pairwork_workpair w WHERE w.id = NEW.pair_id;
    RETURN NEW;
END;
$$;

CREATE TRIGGER visits_visit_copy_pair_team
    BEFORE INSERT OR UPDATE OF pair_id, team_id ON visits_visit
    FOR EACH ROW EXECUTE FUNCTION visits_visit_copy_pair_team();

CREATE FUNCTION visits_pair_team_to_visits() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE visits_visit SET team_id = NEW.team_id WHERE pair_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER visits_pair_team_to_visits
    AFTER UPDATE OF team_id ON pairwork_workpair
    FOR EACH ROW WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id)
    EXECUTE FUNCTION visits_pair_team_to_visits();

"""

REVERSE = """
DROP TRIGGER visits_pair_team_to_visits ON pairwork_workpair;
DROP FUNCTION visits_pair_team_to_visits();
DROP TRIGGER visits_visit_copy_pair_team ON visits_visit;
DROP FUNCTION visits_visit_copy_pair_team();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0005_client_preferences'),
        ('pairwork', '0005_team_travel_buffer'),
        ('visits', '0009_visit_client_starts_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='visit',
            name='team',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='pairwork.team', verbose_name='team'),
        ),
        migrations.RunSQL(SQL, REVERSE),
        migrations.AddIndex(
            model_name='visit',
            index=models.Index(fields=['team', 'starts_at'], name='visit_team_starts_idx'),
        ),
    ]
