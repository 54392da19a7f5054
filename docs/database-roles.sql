-- Privileges of the two database roles (README, "Running in production").
--
-- tyopari_owner owns the database and its tables and runs `manage.py migrate`
-- (MIGRATION_DATABASE_URL); tyopari_app is what the web, worker and beat
-- processes connect as (DATABASE_URL). Run this once, in the Työpari database,
-- as tyopari_owner or a superuser:
--
--     psql "$MIGRATION_DATABASE_URL" -v ON_ERROR_STOP=1 -f docs/database-roles.sql

GRANT USAGE ON SCHEMA public TO tyopari_app;

-- Tables the owner creates from now on (every later migration).
ALTER DEFAULT PRIVILEGES FOR ROLE tyopari_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tyopari_app;
ALTER DEFAULT PRIVILEGES FOR ROLE tyopari_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO tyopari_app;

-- Tables that exist already (a database migrated before the roles were split).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tyopari_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tyopari_app;

-- The access log: INSERT and SELECT only, its partitions only through it. The
-- migrations and the daily partition job narrow the log's privileges the same
-- way; this line does it now for a database that is already migrated.
SELECT clients_accesslog_narrow_privileges()
WHERE to_regprocedure('clients_accesslog_narrow_privileges()') IS NOT NULL;
