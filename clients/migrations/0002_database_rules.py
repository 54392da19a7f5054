"""Rules PostgreSQL keeps for clients.

1. A familiar nurse is a nurse: composite key (nurse_id, nurse_role) ->
   staff profile (id, role), with nurse_role checked to be 'nurse'.
2. The access log is append-only: a trigger refuses UPDATE and DELETE, so not
   even a bug or an admin action can rewrite who looked at a client's data.
"""
from django.db import migrations

SQL = """
ALTER TABLE clients_carerelationship
    ADD CONSTRAINT carerelationship_nurse_has_nurse_role
    FOREIGN KEY (nurse_id, nurse_role) REFERENCES pairwork_staffprofile (id, role)
    ON UPDATE RESTRICT ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE;

CREATE FUNCTION clients_accesslog_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER clients_accesslog_append_only
    BEFORE UPDATE OR DELETE ON clients_accesslog
    FOR EACH ROW EXECUTE FUNCTION clients_accesslog_refuse_change();
"""

REVERSE = """
DROP TRIGGER clients_accesslog_append_only ON clients_accesslog;
DROP FUNCTION clients_accesslog_refuse_change();
ALTER TABLE clients_carerelationship DROP CONSTRAINT carerelationship_nurse_has_nurse_role;
"""


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial"), ("pairwork", "0002_role_pinned_pair_members")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
