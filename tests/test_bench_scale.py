"""`manage.py bench_scale`: refuses a database with real data; at a tiny scale it builds a region and prints its table."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.utils import timezone

from access.models import AccessLog
from clients.models import Client
from pairwork.models import StaffProfile, Team
from visits.models import Visit, VisitParticipant
from wellbeing.models import SurveyResponse
from workspace.management.commands import bench_scale

PAGES = (
    "home (coordinator)", "home (nurse)", "home (manager)", "week calendar", "my visits (nurse)", "clients",
    "client page", "client access log (who accessed)", "visit page (nurse)", "pairs", "dashboard",
    "GET /api/v1/visits/", "GET /api/v1/clients/", "GET /api/v1/pairs/", "GET /api/v1/staff/",
    "GET /api/v1/dashboard/", "schedule_visit",
)


def test_refuses_a_database_with_data_that_is_not_named_for_benchmarking(db):
    Team.objects.create(name="Oikea tiimi")
    assert "bench" not in connection.settings_dict["NAME"] and "scratch" not in connection.settings_dict["NAME"]
    with pytest.raises(CommandError, match="Refusing to run"):
        call_command("bench_scale", scale=0.001, repeat=1, stdout=io.StringIO())
    assert list(Team.objects.values_list("name", flat=True)) == ["Oikea tiimi"]  # nothing seeded, nothing built
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("bad", [{"scale": 0}, {"scale": 3}, {"repeat": 0}])
def test_bad_options_are_refused_before_anything_is_written(db, bad):
    with pytest.raises(CommandError):
        call_command("bench_scale", **{"scale": 0.001, "repeat": 1, **bad}, stdout=io.StringIO())
    assert not Team.objects.exists()


@pytest.mark.slow
def test_a_tiny_region_is_built_and_every_page_measured_at_both_sizes(db):
    out = io.StringIO()
    call_command("bench_scale", scale=0.0005, repeat=1, stdout=out)
    report = out.getvalue()

    # The table: a row per page, with the same query count at both sizes, and the targets.
    for label in PAGES:
        row = next(line for line in report.splitlines() if line.startswith(label + " "))
        numbers = re.findall(r"(\d+(?:\.\d+)?)ms\s+(\d+(?:\.\d+)?)ms\s+(\d+)", row)
        assert len(numbers) == 2, row
        (_, _, demo_queries), (_, _, region_queries) = numbers
        assert int(demo_queries) > 0 and demo_queries == region_queries, row
    free = next(line for line in report.splitlines() if line.startswith("free-time search (4 weeks) "))
    assert len(re.findall(r"(\d+(?:\.\d+)?)ms\s+(\d+(?:\.\d+)?)ms\s+(\d+)", free)) == 2, free
    assert "Targets at region size (scale 0.0005)" in report

    # The region, in the database: 2 teams (the minimum), a coordinator and a pair in each, every client
    # visited by its own pair, two participants per visit, answers and the access log spread over three years.
    region_teams = Team.objects.filter(name__startswith="region-")
    assert region_teams.count() == 2
    assert StaffProfile.objects.filter(user__username__startswith="region-").count() == 6
    region_visits = Visit.objects.filter(pair__team__in=region_teams)
    assert region_visits.count() == 500  # 250 for each pair
    assert VisitParticipant.objects.filter(visit__in=region_visits).count() == 1000
    assert set(region_visits.values_list("client__team", flat=True)) == set(region_teams.values_list("pk", flat=True))
    assert not region_visits.exclude(team=models.F("pair__team")).exists()  # the database's copy of the pair's team
    assert Client.objects.filter(team__in=region_teams).count() == 8
    assert SurveyResponse.objects.filter(team__in=region_teams).count() == 1000
    region_log = AccessLog.objects.filter(username__startswith="region-")
    assert region_log.count() == 10_000
    oldest = region_log.order_by("at").values_list("at", flat=True).first()
    assert timezone.now() - oldest > dt.timedelta(days=3 * 365 - 2)
    # The timed bookings were rolled back: nothing was kept beyond the region's own visits.
    booked_ahead = timezone.now() + dt.timedelta(days=399)
    assert not Visit.objects.filter(starts_at__gte=booked_ahead).exists()
