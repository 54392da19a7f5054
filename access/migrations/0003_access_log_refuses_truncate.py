"""The access log refuses TRUNCATE too.

Row triggers (0002) do not fire for TRUNCATE, which empties a table without
touching its rows; a statement-level trigger does. Together with the runtime
role that may only INSERT and SELECT (README, "Running in production"; the
deployment check in access.storage), nobody short of the owner
can wipe the log, and the owner only by disabling the trigger on purpose.
"""
from django.db import migrations

SQL = """
CREATE TRIGGER clients_accesslog_no_truncate
    BEFORE TRUNCATE ON clients_accesslog
    FOR EACH STATEMENT EXECUTE FUNCTION clients_accesslog_refuse_change();
"""

REVERSE = "DROP TRIGGER clients_accesslog_no_truncate ON clients_accesslog;"


class Migration(migrations.Migration):
    dependencies = [("access", "0002_vocabulary_as_choices")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
