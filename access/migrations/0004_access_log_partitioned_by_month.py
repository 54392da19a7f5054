"""The access log becomes a table partitioned by month (PostgreSQL declarative partitioning).

It grows fastest of all tables (a row for each client shown on each page), so
it is split by the month of `at` (UTC months, free of summer-time changes):
"who accessed this client" and a person's own trail read a few recent
partitions through their indexes, and old months stay untouched on disk.

What holds, as before and on every partition:
- append-only: the row trigger (cloned by PostgreSQL onto each partition)
  refuses UPDATE and DELETE; a TRUNCATE trigger on the log and on each
  partition refuses TRUNCATE (a statement trigger on the parent does not fire
  for a partition truncated by name, hence one per partition);
- only the owner touches partitions directly: privileges on each partition
  are stripped from everyone else, and the log itself keeps only INSERT,
  SELECT for other roles, so the runtime role reads and writes through the
  parent alone;
- retention: the log outlives purged clients and accounts (no foreign keys);
  nothing drops a partition.

`clients_accesslog_ensure_partitions(months_ahead)` creates the partitions
up to that many months ahead, guards them and narrows privileges; it runs as
the owner (SECURITY DEFINER), so the runtime role's daily Celery task and the
`ensure_access_log_partitions` command can call it. A DEFAULT partition takes
any row whose month has no partition yet, so an insert never fails; such a
month gets its own partition only while the default holds none of its rows.

Existing rows are copied into their month's partitions, keeping their ids,
and the identity sequence continues after the highest id. The table keeps its
name, its columns and its indexes' names (recreated on the partitioned table),
so Django's model state does not change.
"""
from django.db import migrations

FUNCTIONS = r"""
CREATE FUNCTION clients_accesslog_narrow_privileges() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    entry record;
BEGIN
    -- The log itself: other roles keep at most SELECT and INSERT.
    FOR entry IN
        SELECT DISTINCT a.grantee FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = 'clients_accesslog'::regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE format(
            'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON clients_accesslog FROM %s',
            CASE WHEN entry.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(entry.grantee)) END
        );
    END LOOP;
    -- Partitions: nobody but the owner; everyone else goes through the parent.
    FOR entry IN
        SELECT DISTINCT i.inhrelid::regclass AS part, a.grantee
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid, aclexplode(c.relacl) a
        WHERE i.inhparent = 'clients_accesslog'::regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE format(
            'REVOKE ALL ON %s FROM %s', entry.part,
            CASE WHEN entry.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(entry.grantee)) END
        );
    END LOOP;
END;
$$;

CREATE FUNCTION clients_accesslog_guard_partitions() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    part regclass;
BEGIN
    FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'clients_accesslog'::regclass LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = part AND tgname = 'clients_accesslog_no_truncate') THEN
            EXECUTE format(
                'CREATE TRIGGER clients_accesslog_no_truncate BEFORE TRUNCATE ON %s '
                'FOR EACH STATEMENT EXECUTE FUNCTION clients_accesslog_refuse_change()', part
            );
        END IF;
    END LOOP;
END;
$$;

CREATE FUNCTION clients_accesslog_ensure_partitions(months_ahead integer DEFAULT 3, since timestamptz DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    month timestamp := date_trunc('month', coalesce(since, now()) AT TIME ZONE 'UTC');
    last_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => greatest(months_ahead, 0));
    lower_bound timestamptz;
    upper_bound timestamptz;
    part_name text;
    created integer := 0;
BEGIN
    -- One creator at a time: two beat runs, or a beat run and the command, must not race.
    PERFORM pg_advisory_xact_lock(hashtext('clients_accesslog_ensure_partitions'));
    WHILE month <= last_month LOOP
        part_name := 'clients_accesslog_' || to_char(month, '"y"YYYY"m"MM');
        lower_bound := month AT TIME ZONE 'UTC';
        upper_bound := (month + interval '1 month') AT TIME ZONE 'UTC';
        IF to_regclass(part_name) IS NULL THEN
            IF EXISTS (SELECT 1 FROM clients_accesslog_default WHERE at >= lower_bound AND at < upper_bound) THEN
                -- Rows of this month already wait in the default partition; they stay there
                -- (rows are never moved: that would be a DELETE), and so do later ones.
                RAISE NOTICE 'access log: % stays in the default partition', part_name;
            ELSE
                EXECUTE format(
                    'CREATE TABLE %I PARTITION OF clients_accesslog FOR VALUES FROM (%L) TO (%L)',
                    part_name, lower_bound, upper_bound
                );
                created := created + 1;
            END IF;
        END IF;
        month := month + interval '1 month';
    END LOOP;
    PERFORM clients_accesslog_guard_partitions();
    PERFORM clients_accesslog_narrow_privileges();
    RETURN created;
END;
$$;
"""

PARTITION = r"""
DO $$
DECLARE
    index_definitions text[];
    definition text;
    oldest timestamptz;
    next_id bigint;
BEGIN
    -- Keep the secondary indexes (their names are in Django's state) to rebuild on the new table.
    SELECT array_agg(indexdef) INTO index_definitions
    FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename = 'clients_accesslog'
      AND indexname <> 'clients_accesslog_pkey';

    ALTER TABLE clients_accesslog RENAME TO clients_accesslog_unpartitioned;
    CREATE TABLE clients_accesslog (
        LIKE clients_accesslog_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS
    ) PARTITION BY RANGE (at);
    CREATE TABLE clients_accesslog_default PARTITION OF clients_accesslog DEFAULT;

    SELECT min(at) INTO oldest FROM clients_accesslog_unpartitioned;
    PERFORM clients_accesslog_ensure_partitions(3, oldest);

    INSERT INTO clients_accesslog SELECT * FROM clients_accesslog_unpartitioned;
    SELECT coalesce(max(id), 0) + 1 INTO next_id FROM clients_accesslog_unpartitioned;
    DROP TABLE clients_accesslog_unpartitioned;
    EXECUTE format('ALTER TABLE clients_accesslog ALTER COLUMN id RESTART WITH %s', next_id);
    EXECUTE format('ALTER SEQUENCE %s RENAME TO clients_accesslog_id_seq', pg_get_serial_sequence('clients_accesslog', 'id'));

    -- A partitioned table's primary key must contain the partition key; ids stay unique by the sequence.
    ALTER TABLE clients_accesslog ADD CONSTRAINT clients_accesslog_pkey PRIMARY KEY (id, at);
    FOREACH definition IN ARRAY coalesce(index_definitions, '{}') LOOP
        EXECUTE definition;
    END LOOP;
    -- A person's own trail (and "what did this user read"): by user, newest first.
    CREATE INDEX clients_accesslog_user_at_idx ON clients_accesslog (user_id, at DESC);

    CREATE TRIGGER clients_accesslog_append_only
        BEFORE UPDATE OR DELETE ON clients_accesslog
        FOR EACH ROW EXECUTE FUNCTION clients_accesslog_refuse_change();
    CREATE TRIGGER clients_accesslog_no_truncate
        BEFORE TRUNCATE ON clients_accesslog
        FOR EACH STATEMENT EXECUTE FUNCTION clients_accesslog_refuse_change();
    PERFORM clients_accesslog_guard_partitions();
    PERFORM clients_accesslog_narrow_privileges();
END;
$$;
"""

# Back to one plain table (migration 0003's shape), every row and id kept.
UNPARTITION = r"""
DO $$
DECLARE
    index_definitions text[];
    definition text;
    next_id bigint;
BEGIN
    SELECT array_agg(indexdef) INTO index_definitions
    FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename = 'clients_accesslog'
      AND indexname NOT IN ('clients_accesslog_pkey', 'clients_accesslog_user_at_idx');

    ALTER TABLE clients_accesslog RENAME TO clients_accesslog_partitioned;
    CREATE TABLE clients_accesslog (
        LIKE clients_accesslog_partitioned INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS
    );
    INSERT INTO clients_accesslog SELECT * FROM clients_accesslog_partitioned;
    SELECT coalesce(max(id), 0) + 1 INTO next_id FROM clients_accesslog_partitioned;
    DROP TABLE clients_accesslog_partitioned;
    EXECUTE format('ALTER TABLE clients_accesslog ALTER COLUMN id RESTART WITH %s', next_id);
    EXECUTE format('ALTER SEQUENCE %s RENAME TO clients_accesslog_id_seq', pg_get_serial_sequence('clients_accesslog', 'id'));
    ALTER TABLE clients_accesslog ADD CONSTRAINT clients_accesslog_pkey PRIMARY KEY (id);
    FOREACH definition IN ARRAY coalesce(index_definitions, '{}') LOOP
        EXECUTE replace(definition, ' ON ONLY ', ' ON ');
    END LOOP;
    CREATE TRIGGER clients_accesslog_append_only
        BEFORE UPDATE OR DELETE ON clients_accesslog
        FOR EACH ROW EXECUTE FUNCTION clients_accesslog_refuse_change();
    CREATE TRIGGER clients_accesslog_no_truncate
        BEFORE TRUNCATE ON clients_accesslog
        FOR EACH STATEMENT EXECUTE FUNCTION clients_accesslog_refuse_change();
END;
$$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION clients_accesslog_ensure_partitions(integer, timestamptz);
DROP FUNCTION clients_accesslog_guard_partitions();
DROP FUNCTION clients_accesslog_narrow_privileges();
"""


class Migration(migrations.Migration):
    dependencies = [("access", "0003_access_log_refuses_truncate")]
    operations = [migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS), migrations.RunSQL(PARTITION, UNPARTITION)]
