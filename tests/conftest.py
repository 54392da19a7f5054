"""Personas, one per role, in two teams (healthchecks' alice/bob/charlie habit).

Team "Kallio" is ours; team "Espoo" is the other team. Every persona is a
real user with a password, so tests log in the way people do.
"""
from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture
def team(db):
    return f.TeamFactory(name="Kallio")


@pytest.fixture
def other_team(db):
    return f.TeamFactory(name="Espoo", area="Espoo")


@pytest.fixture
def pair(team):
    """Artist Aino and nurse Hanna, working together in our team."""
    artist = f.ArtistFactory(user__username="aino", user__first_name="Aino", user__last_name="Taiteilija", team=team)
    nurse = f.NurseFactory(user__username="hanna", user__first_name="Hanna", user__last_name="Hoitaja", team=team)
    return f.WorkPairFactory(team=team, artist=artist, nurse=nurse)


@pytest.fixture
def artist(pair):
    return pair.artist


@pytest.fixture
def nurse(pair):
    return pair.nurse


@pytest.fixture
def other_artist(team):
    return f.ArtistFactory(user__username="olli", team=team)


@pytest.fixture
def other_nurse(team):
    return f.NurseFactory(user__username="outi", team=team)


@pytest.fixture
def coordinator(team):
    return f.CoordinatorFactory(user__username="kaisa", team=team)


@pytest.fixture
def other_coordinator(other_team):
    return f.CoordinatorFactory(user__username="eija", team=other_team)


@pytest.fixture
def manager(team):
    return f.ManagerFactory(user__username="maija", team=team)


@pytest.fixture
def admin_user(db):
    return f.UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def client_record(team, nurse):
    """Client Helmi in our team, who knows nurse Hanna."""
    record = f.ClientFactory(team=team, first_name="Helmi", last_name="Esimerkki")
    f.CareRelationshipFactory(client=record, nurse=nurse, is_primary=True)
    return record


def login(client, profile_or_user) -> None:
    user = getattr(profile_or_user, "user", profile_or_user)
    client.force_login(user)


@pytest.fixture(autouse=True, scope="session")
def flush_the_access_log_as_its_owner():
    """Let the test database's flush empty the append-only access log, and only it.

    Tests that commit (live server, browser, concurrency) are cleaned up with
    Django's flush, a TRUNCATE of every table, which the access log refuses
    (access.storage). The suite connects as the database's owner,
    which is exactly the power the deployment check says the app must not
    have: so the flush does what an owner would, in the open and in one
    transaction: switch the TRUNCATE trigger off on the log and its
    partitions, truncate, and switch it back on before committing. Nothing
    outside the test run gains a way round the trigger.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    from access.storage import TABLE, TRUNCATE_TRIGGER

    def switch(state: str) -> str:
        return f"""DO $$ DECLARE part regclass; BEGIN
            FOR part IN SELECT '{TABLE}'::regclass
                        UNION ALL SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = '{TABLE}'::regclass
            LOOP EXECUTE format('ALTER TABLE %s {state} TRIGGER {TRUNCATE_TRIGGER}', part); END LOOP;
        END $$"""

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        # execute_sql_flush runs the list in one transaction, so the trigger is never off outside it.
        return original(self, [switch("DISABLE"), *sql_list, switch("ENABLE")])

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is slow on purpose; tests make many people. Production's order is tested on its own."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",  # to verify hashes made outside the fixture
    ]


@pytest.fixture(autouse=True)
def english_ui(settings):
    """Tests read English UI text; the Finnish default is tested on its own."""
    settings.LANGUAGE_CODE = "en"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One plain line when the browser tests were skipped for want of Chromium.

    Here rather than in tests/browser/conftest.py: under pytest-xdist only
    this top-level conftest is loaded by the process that prints the summary.
    """
    skipped = terminalreporter.stats.get("skipped", [])
    if any("Chromium not found" in str(getattr(report, "longrepr", "")) for report in skipped):
        terminalreporter.write_line(
            "Browser tests were skipped because Chromium is missing: run `apt-get install chromium` "
            "(or set PLAYWRIGHT_CHROMIUM to a Chromium binary) to run them."
        )


# --- Visits on the day (issue 4: notes and privacy) ------------------------------------------

@pytest.fixture
def todays_visit(pair, client_record):
    """Helmi's visit by Aino and Hanna that began half an hour ago."""
    import datetime as dt

    from django.utils import timezone

    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=30)
    return f.make_visit(pair=pair, client=client_record, starts_at=starts_at, minutes=60)


@pytest.fixture
def note_content():
    """A complete, valid visit note."""
    return {
        "art_form": "music",
        "activities": "Lauloimme yhdessä vanhoja iskelmiä.",
        "engagement": 4,
        "mood_before": 2,
        "mood_after": 4,
        "care_plan_observations": "Jaksoi istua koko tuokion.",
        "next_visit_suggestions": "Tuo haitari.",
        "free_text": "",
    }


# --- Redis unreachable (issue 9): the accelerator gone, the app carrying on -------------------

# Nothing listens here (the suite's own port range); a refused connection, as when Redis is down.
CLOSED_REDIS_URL = "redis://127.0.0.1:8299/0"


@pytest.fixture
def redis_at(settings, monkeypatch):
    """`redis_at(url)`: the cache and the Celery broker (tasks really sent, not run in-process) at `url`.

    The outage pause is switched off, so every cache call and every enqueue
    of the test really goes to `url` and meets the failure itself.
    """
    from pairwork import redis_outage
    from pairwork.celery import app

    saved = {"CELERY_BROKER_URL": app.conf.broker_url, "CELERY_TASK_ALWAYS_EAGER": app.conf.task_always_eager}
    monkeypatch.setattr(redis_outage, "RETRY_AFTER_SECONDS", 0.0)

    def forget_connections():
        app._pool = None
        app.amqp._producer_pool = None
        redis_outage.outage.clear()

    def use(url: str):
        settings.CACHES = {**settings.CACHES, "default": {
            "BACKEND": "pairwork.redis_outage.ResilientRedisCache", "LOCATION": url,
            "OPTIONS": settings.REDIS_CONNECTION_OPTIONS,
        }}
        app.conf.update(CELERY_BROKER_URL=url, CELERY_TASK_ALWAYS_EAGER=False)
        forget_connections()

    yield use
    app.conf.update(saved)
    forget_connections()


@pytest.fixture
def redis_unreachable(redis_at):
    """Redis refuses connections: REDIS_URL at a closed port, for the cache and the broker alike."""
    redis_at(CLOSED_REDIS_URL)


@pytest.fixture(autouse=True)
def no_redis_outage_carried_over():
    """The outage pause is per process; one test's unreachable Redis must not pause the next test's."""
    from pairwork.redis_outage import outage

    outage.clear()
    yield
    outage.clear()
