"""How PostgreSQL keeps the access log: append-only, and out of the runtime role's reach.

The rules live in the database (migrations 0002-0004), so that no code path,
admin action or hand-typed SQL can rewrite who looked at a client's data:

- row triggers refuse UPDATE and DELETE; a statement trigger refuses TRUNCATE,
  on the log and on each of its monthly partitions;
- in production the app connects as a runtime role that may only INSERT and
  SELECT on the log; migrations run as the owner (README, "Running in
  production"). Only an owner can disable a trigger, detach or drop a
  partition, so `check_runtime_role` (a deployment check, run with
  `check --deploy --database default`) warns when the app's own role could.
"""
from __future__ import annotations

from django.core import checks
from django.db import connections

TABLE = "clients_accesslog"
ROW_TRIGGER = "clients_accesslog_append_only"
TRUNCATE_TRIGGER = "clients_accesslog_no_truncate"

# The log and every partition of it, with what the current role may do to each.
_TABLES_AND_POWERS = """
WITH log(relation) AS (
    SELECT %(table)s::regclass
    UNION ALL
    SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = %(table)s::regclass
)
SELECT log.relation::text,
       has_table_privilege(log.relation, 'TRUNCATE'),
       has_table_privilege(log.relation, 'UPDATE'),
       has_table_privilege(log.relation, 'DELETE'),
       pg_has_role(c.relowner, 'USAGE'),
       EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = log.relation AND t.tgname = %(truncate)s AND t.tgenabled <> 'D'),
       EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = log.relation AND t.tgname = %(row)s AND t.tgenabled <> 'D')
FROM log JOIN pg_class c ON c.oid = log.relation
ORDER BY log.relation::text
"""


def runtime_role_problems(cursor) -> list[checks.CheckMessage]:
    """What the connected role could do to the log that it must not be able to, as check warnings."""
    cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
    role, superuser = cursor.fetchone()
    if superuser:
        return [checks.Warning(
            f"The app connects to PostgreSQL as superuser {role!r}, which can empty the access log "
            "and switch off every rule that keeps it.",
            hint="Run the app as a role that may only INSERT and SELECT on the access log (README, Running in production).",
            id="accesslog.W001",
        )]
    cursor.execute(_TABLES_AND_POWERS, {"table": TABLE, "truncate": TRUNCATE_TRIGGER, "row": ROW_TRIGGER})
    problems: list[checks.CheckMessage] = []
    for relation, truncate, update, delete, owns, truncate_guarded, rows_guarded in cursor.fetchall():
        powers = [name for name, allowed in (("TRUNCATE", truncate), ("UPDATE", update), ("DELETE", delete)) if allowed]
        if powers:
            problems.append(checks.Warning(
                f"The app's database role {role!r} may {', '.join(powers)} on the access log table {relation}.",
                hint=f"REVOKE {', '.join(powers)} ON {relation} FROM {role}; the app needs only INSERT and SELECT.",
                id="accesslog.W002",
            ))
        if owns:
            problems.append(checks.Warning(
                f"The app's database role {role!r} owns the access log table {relation}, so it can disable its "
                "triggers, detach or drop it.",
                hint="Run migrations as the owner role and the app as a separate runtime role (README, Running in production).",
                id="accesslog.W003",
            ))
        if not truncate_guarded or not rows_guarded:
            problems.append(checks.Warning(
                f"The access log table {relation} is missing its append-only trigger or has it disabled.",
                hint="Run `python manage.py ensure_access_log_partitions` as the owner, or re-enable the trigger.",
                id="accesslog.W004",
            ))
    return problems


@checks.register(checks.Tags.database, deploy=True)
def check_runtime_role(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """Deployment check: the app's own database role cannot wipe or rewrite the access log."""
    if not databases:  # like Django's own database checks: only with `check --database ...`
        return []
    problems: list[checks.CheckMessage] = []
    for alias in databases:
        with connections[alias].cursor() as cursor:
            problems += runtime_role_problems(cursor)
            problems += partition_problems(cursor)
    return problems


_NEXT_MONTH_HAS_A_PARTITION = """
SELECT EXISTS (
    SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = %(table)s::regclass
      AND c.relname = %(table)s || '_' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month', '"y"YYYY"m"MM')
)
"""


def partition_problems(cursor) -> list[checks.CheckMessage]:
    """The monthly partitions are made ahead; without next month's, rows pile up in the DEFAULT partition."""
    cursor.execute(_NEXT_MONTH_HAS_A_PARTITION, {"table": TABLE})
    if cursor.fetchone()[0]:
        return []
    return [checks.Warning(
        "The access log has no partition for next month, so its rows will collect in the default partition.",
        hint="Run `python manage.py ensure_access_log_partitions`, and check that Celery beat is running.",
        id="accesslog.W005",
    )]


# Partitions exist this many months ahead (the DEFAULT partition catches anything beyond).
PARTITION_MONTHS_AHEAD = 3


def ensure_partitions(*, months_ahead: int = PARTITION_MONTHS_AHEAD, since=None, using: str = "default") -> int:
    """Create the monthly partitions up to `months_ahead` months from now; the number created.

    `since` (an aware datetime) also creates the months from then on, for
    loading historical rows (a benchmark, an import) into partitions of their
    own rather than the DEFAULT partition. Safe to run any time and from any
    role: the database function runs as the owner, takes a lock against a
    concurrent run, guards new partitions with the TRUNCATE trigger and
    narrows their privileges.
    """
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT clients_accesslog_ensure_partitions(%s, %s)", [months_ahead, since])
        return cursor.fetchone()[0]


def partitions(*, using: str = "default") -> list[str]:
    """The log's partitions by name, the DEFAULT partition included."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass ORDER BY 1", [TABLE]
        )
        return [name for (name,) in cursor.fetchall()]
