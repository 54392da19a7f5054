"""The access log in PostgreSQL: nobody wipes it, it is partitioned by month, and the app's role cannot touch its rules."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from access import storage as access_log_storage
from access.storage import check_runtime_role
from access.models import AccessLog
from access.choices import Grounds
from access.log import log_access
from access.policy import Access
from tests.test_production_settings import PRODUCTION

ROOT = Path(__file__).resolve().parent.parent
ROLES_SQL = (ROOT / "docs" / "database-roles.sql").read_text(encoding="utf-8")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def log_a_read(user=None, client_id=None, **fields) -> AccessLog:
    row = log_access(
        user=user, client_id=client_id, object_type="client", object_id=client_id or "",
        action=AccessLog.Action.VIEW, access=Access(True, Grounds.ADMINISTRATOR),
    )
    return row


def execute(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def partition_of(row: AccessLog) -> str:
    return execute("SELECT tableoid::regclass::text FROM clients_accesslog WHERE id = %s", [row.pk])[0][0]


def warning_ids(databases=("default",)) -> list[str]:
    return sorted(message.id for message in check_runtime_role(databases=list(databases)))


# --- Nobody wipes it ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_truncate_of_the_access_log_is_refused(admin_user):
    row = log_a_read(admin_user)

    with pytest.raises(DatabaseError, match="append-only: TRUNCATE is not allowed"), transaction.atomic():
        execute("TRUNCATE clients_accesslog")

    assert AccessLog.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_truncate_cascading_from_the_clients_table_leaves_the_log(client_record, admin_user):
    row = log_a_read(admin_user, client_record.pk)

    with pytest.raises(DatabaseError), transaction.atomic():
        execute("TRUNCATE clients_client, clients_accesslog CASCADE")

    assert AccessLog.objects.filter(pk=row.pk, client_id=client_record.pk).exists()


@pytest.mark.django_db
def test_every_partition_refuses_truncate_and_its_rows_refuse_update_and_delete_by_its_own_name(admin_user):
    row = log_a_read(admin_user)
    names = access_log_storage.partitions()
    assert "clients_accesslog_default" in names and len(names) >= 5  # this month, three ahead, default

    for name in names:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            execute(f"TRUNCATE {name}")
    # Row triggers fire for rows: rewrite the partition that holds one.
    holder = partition_of(row)
    for statement in (f"UPDATE {holder} SET grounds = 'rewritten'", f"DELETE FROM {holder}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            execute(statement)

    assert AccessLog.objects.get(pk=row.pk).grounds == Grounds.ADMINISTRATOR


@pytest.mark.django_db(transaction=True)
def test_the_suites_own_flush_empties_the_log_and_leaves_truncate_refused(admin_user):
    log_a_read(admin_user)

    call_command("flush", interactive=False, verbosity=0)

    assert AccessLog.objects.count() == 0
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute("TRUNCATE clients_accesslog")
    enabled = execute(
        "SELECT count(*) FILTER (WHERE tgenabled = 'O'), count(*) FROM pg_trigger "
        "WHERE tgname = %s", [access_log_storage.TRUNCATE_TRIGGER]
    )[0]
    assert enabled[0] == enabled[1] == len(access_log_storage.partitions()) + 1


# --- Partitioned by month ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_log_is_partitioned_by_month_and_a_read_lands_in_this_months_partition(admin_user):
    row = log_a_read(admin_user)

    assert execute("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'clients_accesslog'::regclass") == [("r",)]
    assert partition_of(row) == f"clients_accesslog_{row.at.astimezone(dt.timezone.utc):y%Ym%m}"
    assert AccessLog.objects.get(pk=row.pk).username == admin_user.username


@pytest.mark.django_db
def test_partitions_exist_three_months_ahead_and_more_on_demand(admin_user):
    first_of_month = timezone.now().astimezone(dt.timezone.utc).replace(day=1)
    ahead = [(first_of_month + dt.timedelta(days=32 * n)).strftime("clients_accesslog_y%Ym%m") for n in range(1, 7)]
    names = access_log_storage.partitions()
    assert set(ahead[:3]) <= set(names)

    created = access_log_storage.ensure_partitions(months_ahead=6)
    again = access_log_storage.ensure_partitions(months_ahead=6)

    assert created == len(set(ahead) - set(names)) and again == 0
    assert set(ahead) <= set(access_log_storage.partitions())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute(f"TRUNCATE {ahead[5]}")


@pytest.mark.django_db
def test_a_row_in_a_month_without_a_partition_is_kept_in_the_default_and_stays_there(admin_user):
    far = timezone.now() + dt.timedelta(days=3 * 365)
    far_month = far.astimezone(dt.timezone.utc).strftime("clients_accesslog_y%Ym%m")
    row = AccessLog.objects.create(at=far, username="x", object_type="client", action="view", grounds="g", allowed=True)
    assert partition_of(row) == "clients_accesslog_default"

    access_log_storage.ensure_partitions(months_ahead=40)

    assert far_month not in access_log_storage.partitions()  # its row is never moved (that would be a DELETE)
    assert partition_of(row) == "clients_accesslog_default"
    assert access_log_storage.ensure_partitions(months_ahead=40) == 0


@pytest.mark.django_db
def test_historical_rows_get_partitions_of_their_own_when_asked_for_first():
    long_ago = timezone.now() - dt.timedelta(days=400)

    access_log_storage.ensure_partitions(since=long_ago)
    row = AccessLog.objects.create(at=long_ago, username="x", object_type="client", action="view", grounds="g", allowed=True)

    assert partition_of(row) == f"clients_accesslog_{long_ago.astimezone(dt.timezone.utc):y%Ym%m}"


@pytest.mark.django_db
def test_the_access_log_page_indexes_exist_on_every_partition():
    for name in access_log_storage.partitions():
        definitions = [d for (d,) in execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [name])]
        assert any(re.search(r"\(client_id, at DESC\)", d) for d in definitions), name
        assert any(re.search(r"\(user_id, at DESC\)", d) for d in definitions), name
        assert any(re.search(r"\(id, at\)", d) for d in definitions), name
        # No single-column copies of those: every row written pays for each index it has.
        assert not any(re.search(r"\((client_id|user_id)\)$", d) for d in definitions), name


def test_the_ensure_command_reports_the_partitions(db):
    from io import StringIO

    out = StringIO()
    call_command("ensure_access_log_partitions", "--months-ahead", "4", stdout=out)

    assert "partition(s) created" in out.getvalue()


def test_beat_keeps_partitions_ahead_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["clients-access-log-partitions"]
    assert entry["task"] == "access.tasks.ensure_access_log_partitions"


# --- Two roles, and the deployment check -----------------------------------------------------------


@pytest.fixture
def runtime_role(db):
    """The README's runtime role, with exactly docs/database-roles.sql's privileges (rolled back after the test)."""
    name = f"tyopari_i9g_app_{WORKER}"
    execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN CREATE ROLE {name} LOGIN; END IF; END $$")
    owner = execute("SELECT current_user")[0][0]
    execute(ROLES_SQL.replace("tyopari_owner", owner).replace("tyopari_app", name))
    return name


class acting_as:
    """SET ROLE within the test's transaction, so the role sees the uncommitted grants."""

    def __init__(self, role: str):
        self.role = role

    def __enter__(self):
        execute(f"SET ROLE {self.role}")

    def __exit__(self, *exc):
        execute("RESET ROLE")


def test_the_deploy_check_warns_for_the_owner_superuser_the_suite_runs_as(db):
    assert warning_ids() == ["accesslog.W001"]


def test_the_deploy_check_is_quiet_for_the_runtime_role(runtime_role):
    with acting_as(runtime_role):
        assert warning_ids() == []


def test_the_deploy_check_runs_only_when_asked_for_a_database(db):
    assert check_runtime_role(databases=None) == []


def test_the_deploy_check_warns_when_the_runtime_role_could_rewrite_or_wipe(runtime_role):
    execute(f"GRANT UPDATE, DELETE, TRUNCATE ON clients_accesslog TO {runtime_role}")

    with acting_as(runtime_role):
        messages = check_runtime_role(databases=["default"])

    assert [m.id for m in messages] == ["accesslog.W002"]
    assert "TRUNCATE, UPDATE, DELETE" in messages[0].msg


def test_the_deploy_check_warns_when_the_runtime_role_owns_the_log(runtime_role):
    execute(f"ALTER TABLE clients_accesslog OWNER TO {runtime_role}")

    with acting_as(runtime_role):
        ids = warning_ids()

    assert "accesslog.W003" in ids  # an owner can disable the triggers


def test_the_deploy_check_warns_when_a_trigger_is_disabled(runtime_role):
    name = access_log_storage.partitions()[0]
    execute(f"ALTER TABLE {name} DISABLE TRIGGER {access_log_storage.TRUNCATE_TRIGGER}")

    with acting_as(runtime_role):
        messages = check_runtime_role(databases=["default"])

    assert [(m.id, name in m.msg) for m in messages] == [("accesslog.W004", True)]


def test_the_deploy_check_warns_when_next_months_partition_is_missing(runtime_role):
    first_of_month = timezone.now().astimezone(dt.timezone.utc).replace(day=1)
    next_month = (first_of_month + dt.timedelta(days=32)).strftime("clients_accesslog_y%Ym%m")
    execute(f"DROP TABLE {next_month}")  # the owner can; this is what the check is for

    with acting_as(runtime_role):
        assert warning_ids() == ["accesslog.W005"]
        access_log_storage.ensure_partitions()  # what the hint says, from the runtime role
        assert warning_ids() == []


def test_the_runtime_role_may_only_insert_and_select_on_the_log(runtime_role, admin_user):
    with acting_as(runtime_role):
        row = log_a_read(admin_user)
        assert AccessLog.objects.filter(pk=row.pk).count() == 1
        partition = partition_of(row)
        refused = {
            "UPDATE clients_accesslog SET grounds = 'x'": "permission denied",
            "DELETE FROM clients_accesslog": "permission denied",
            "TRUNCATE clients_accesslog": "permission denied",
            f"ALTER TABLE clients_accesslog DISABLE TRIGGER {access_log_storage.TRUNCATE_TRIGGER}": "must be owner",
            f"ALTER TABLE clients_accesslog DETACH PARTITION {partition}": "must be owner",
            f"SELECT * FROM {partition}": "permission denied",
            "SET session_replication_role = replica": "permission denied",
        }
        for statement, error in refused.items():
            with pytest.raises(DatabaseError, match=error), transaction.atomic():
                execute(statement)
        # ... and it can still keep the partitions ahead (the function runs as the owner).
        assert access_log_storage.ensure_partitions(months_ahead=5) >= 0

    assert AccessLog.objects.get(pk=row.pk).grounds == Grounds.ADMINISTRATOR


def test_the_runtime_role_uses_the_rest_of_the_schema_as_usual(runtime_role, client_record):
    with acting_as(runtime_role):
        client_record.needs_and_wishes = "Kahvi ja valssit."
        client_record.save(update_fields=["needs_and_wishes"])

    client_record.refresh_from_db()
    assert client_record.needs_and_wishes == "Kahvi ja valssit."


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DATABASE_URL"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_with_the_database_warns_for_the_owner_role(db):
    url = f"postgres://postgres@127.0.0.1:{connection.settings_dict['PORT'] or 5432}/{connection.settings_dict['NAME']}"

    result = manage("check", "--deploy", "--database", "default", "--fail-level", "WARNING", **{**PRODUCTION, "DATABASE_URL": url})

    assert result.returncode != 0
    assert "accesslog.W001" in result.stdout + result.stderr


@pytest.mark.django_db(transaction=True)
def test_check_deploy_with_the_database_is_clean_for_the_runtime_role():
    """End to end with committed grants: `manage.py check --deploy --database default` as the runtime role."""
    name = f"tyopari_i9g_app_{WORKER}"
    owner = execute("SELECT current_user")[0][0]
    execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN CREATE ROLE {name} LOGIN; END IF; END $$")
    try:
        execute(ROLES_SQL.replace("tyopari_owner", owner).replace("tyopari_app", name))
        settings_dict = connection.settings_dict
        url = f"postgres://{name}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"

        result = manage("check", "--deploy", "--database", "default", "--fail-level", "WARNING", **{**PRODUCTION, "DATABASE_URL": url})

        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout
    finally:
        execute(f"DROP OWNED BY {name}")
        execute(f"DROP ROLE {name}")


# --- The migration keeps what was logged before it -----------------------------------------------------

PLAIN = "access.0003_access_log_refuses_truncate"
PARTITIONED = "access.0004_access_log_partitioned_by_month"


def migrate_clients_to(name: str) -> None:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([tuple(name.split("."))])


@pytest.mark.django_db
def test_partitioning_keeps_every_earlier_row_with_its_id_and_the_rules():
    """Back to the plain table, rows from 14 months, forward again: all kept, each in its month (rolled back after)."""
    migrate_clients_to(PLAIN)
    assert execute("SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'clients_accesslog'::regclass") == [(0,)]
    execute(
        "INSERT INTO clients_accesslog (at, username, object_type, object_id, action, grounds, allowed, channel) "
        "SELECT now() - make_interval(days => g * 30), 'aino', 'client', g::text, 'view', 'visit participant', true, 'web' "
        "FROM generate_series(0, 13) g"
    )
    before = execute("SELECT id, at, object_id FROM clients_accesslog ORDER BY id")

    migrate_clients_to(PARTITIONED)

    assert execute("SELECT id, at, object_id FROM clients_accesslog ORDER BY id") == before
    homes = execute("SELECT DISTINCT tableoid::regclass::text FROM clients_accesslog")
    assert len(homes) >= 13 and ("clients_accesslog_default",) not in homes
    newest = log_a_read()
    assert newest.pk == before[-1][0] + 1
    for statement in ("TRUNCATE clients_accesslog", "DELETE FROM clients_accesslog"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            execute(statement)


@pytest.mark.django_db
def test_the_partitioning_migration_reverses_without_losing_rows(admin_user):
    rows = [log_a_read(admin_user).pk for _ in range(3)]

    migrate_clients_to(PLAIN)

    assert execute("SELECT id FROM clients_accesslog ORDER BY id") == [(pk,) for pk in rows]
    assert execute("SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'clients_accesslog'::regclass") == [(0,)]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute("TRUNCATE clients_accesslog")
    migrate_clients_to(PARTITIONED)
    assert AccessLog.objects.filter(pk__in=rows).count() == 3
