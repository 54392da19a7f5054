"""Fixtures for the wellbeing tests: the shipped instruments, an organisation-wide manager, past visits."""
from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from pairwork.models import Role, StaffProfile
from tests import factories as f
from tests.factories import make_visit
from visits.models import VisitStatus
from wellbeing import metrics
from wellbeing.models import Instrument
from wellbeing.selectors import current_instrument

GOOD_PULSE = {"calm": 4, "time_to_meet": 5, "energised": 3}
SHIPPING_MIGRATION = importlib.import_module("wellbeing.migrations.0004_shipped_instruments")


@pytest.fixture(autouse=True)
def shipped_instruments(request):
    """The instruments of the data migration, back in place if a transactional test elsewhere flushed them."""
    if not {"db", "transactional_db"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    ensure_shipped_instruments()


def ensure_shipped_instruments() -> None:
    """Put the data migration's instruments back if a flush (live-server and browser tests) removed them."""
    if not Instrument.objects.filter(code=metrics.PULSE).exists():
        SHIPPING_MIGRATION.ship_instruments(django_apps, None)
        # after a flush, the scales' direction and minimal important change too (wellbeing/0005)
        importlib.import_module("wellbeing.migrations.0005_outcome_analysis_fields").describe_shipped_scales(django_apps, None)


@pytest.fixture
def celery_runs_tasks_in_process():
    """Run enqueued tasks at once, also when REDIS_URL points the suite at a real broker (as in CI)."""
    from pairwork.celery import app

    saved = app.conf.task_always_eager
    app.conf.update(CELERY_TASK_ALWAYS_EAGER=True)
    yield
    app.conf.update(CELERY_TASK_ALWAYS_EAGER=saved)


@pytest.fixture
def pulse_instrument(db):
    return current_instrument(metrics.PULSE)


@pytest.fixture
def monthly_instrument(db):
    return current_instrument(metrics.MONTHLY)


@pytest.fixture
def outcome_instrument(db):
    return current_instrument(metrics.CLIENT_OUTCOME)


@pytest.fixture
def org_manager(team, other_team):
    """Manager Orvokki sees every team's aggregates."""
    return f.ManagerFactory(user__username="orvokki", team=team, organisation_wide=True)


@pytest.fixture
def other_manager(other_team):
    """Manager Eeva sees only the other team."""
    return f.ManagerFactory(user__username="eeva", team=other_team)


@pytest.fixture
def past_visit(pair, client_record):
    """A completed visit of Aino and Hanna to Helmi, two days ago."""
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(days=2)
    return make_visit(pair=pair, client=client_record, starts_at=starts_at, status=VisitStatus.COMPLETED)


def bulk_staff(team, count: int, *, prefix: str, role: str = Role.NURSE) -> list[StaffProfile]:
    """Many respondents fast: no password hashing, no per-row signals."""
    User = get_user_model()
    users = User.objects.bulk_create(User(username=f"{prefix}-{i}", password="!") for i in range(count))
    profiles = StaffProfile.objects.bulk_create(StaffProfile(user=user, role=role) for user in users)
    StaffProfile.teams.through.objects.bulk_create(
        StaffProfile.teams.through(staffprofile_id=p.pk, team_id=team.pk) for p in profiles
    )
    return profiles
