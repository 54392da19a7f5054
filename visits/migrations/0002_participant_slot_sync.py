"""Keep each participant's copy of the visit's time range and status in step.

The person-level exclusion constraint lives on visits_visitparticipant, so
the participant row must carry the visit's range and whether it is active.
Two triggers make that impossible to get wrong from Python:

* BEFORE INSERT OR UPDATE on a participant copies the range from its visit;
* AFTER UPDATE of a visit's times or status rewrites its participants, so a
  reschedule onto a busy person fails inside the very UPDATE that moves it.

"Active" here must match visits.models.INACTIVE_STATUSES.
"""
from django.db import migrations

SQL = """
CREATE FUNCTION visits_participant_copy_visit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT tstzrange(v.starts_at, v.ends_at, '[)'), v.status <> 'cancelled'
      INTO NEW.during, NEW.visit_active
      FROM visits_visit v
     WHERE v.id = NEW.visit_id;
    RETURN NEW;
END;
$$;

CREATE TRIGGER visits_participant_copy_visit
    BEFORE INSERT OR UPDATE ON visits_visitparticipant
    FOR EACH ROW EXECUTE FUNCTION visits_participant_copy_visit();

CREATE FUNCTION visits_visit_sync_participants() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE visits_visitparticipant
       SET during = tstzrange(NEW.starts_at, NEW.ends_at, '[)'),
           visit_active = NEW.status <> 'cancelled'
     WHERE visit_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER visits_visit_sync_participants
    AFTER UPDATE OF starts_at, ends_at, status ON visits_visit
    FOR EACH ROW
    WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at
          OR OLD.ends_at IS DISTINCT FROM NEW.ends_at
          OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION visits_visit_sync_participants();
"""

REVERSE = """
DROP TRIGGER visits_visit_sync_participants ON visits_visit;
DROP FUNCTION visits_visit_sync_participants();
DROP TRIGGER visits_participant_copy_visit ON visits_visitparticipant;
DROP FUNCTION visits_participant_copy_visit();
"""


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
