"""The dashboard's decided cells follow the cells' own versions (wellbeing.models.CellVersion, migration 0012).

A change elsewhere keeps them; a change of aggregate cells is seen by the next
read, which re-reads only the changed cells and re-decides only their metrics,
with the same decisions as deciding every cell anew. Kept across commits, so
these tests commit for real (transaction=True).
"""
from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from pairwork import data_generation
from pairwork.models import Team
from tests.conftest import login
from wellbeing import aggregation, metrics
from wellbeing.dashboard import cells as dashboard_cells
from wellbeing.dashboard import load_cells
from wellbeing.dashboard.cells import decide_cells
from wellbeing.models import CellVersion, MetricAggregate, Span, TeamPairStart, VisitAggregate

from .conftest import bulk_staff
from .test_dashboard import answer_monthly, answer_pulses, this_month  # noqa: F401 (a fixture)
from .test_kept_cells import key_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cells_of_two_teams(team, other_team, this_month):
    """Monthly answers and pulses of two teams (committed, aggregated), nothing decided yet."""
    for which, prefix in ((team, "a"), (other_team, "b")):
        people = bulk_staff(which, 6, prefix=f"versions-{prefix}")
        answer_monthly(which, people, this_month)
        answer_pulses(which, people, this_month)
    aggregation.rebuild_all(full=True)
    dashboard_cells._kept = None
    return this_month


def month_cell(team, period, metric=metrics.WORK_ABILITY):
    return MetricAggregate.objects.get(team=team, span=Span.MONTH, period=period, metric=metric)


def decisions(cells):
    return (
        {key: (cell.suppressed, cell.reason) for key, cell in cells.metric.items()},
        cells.metric_stats,
        {key: (cell.suppressed, cell.reason) for key, cell in cells.visit.items()},
        cells.visit_rows,
        cells.first_month,
    )


def version(name):
    return CellVersion.objects.filter(cell=name).values_list("version", flat=True).first()


# --- The versions ------------------------------------------------------------------------------------

def test_a_statement_moves_the_versions_of_the_metric_and_team_it_wrote_only(cells_of_two_teams, team, other_team):
    cell = month_cell(team, cells_of_two_teams)
    mine, all_teams = f"{metrics.WORK_ABILITY}/{team.pk}", f"{metrics.WORK_ABILITY}/"
    others = [f"{metrics.WORK_ABILITY}/{other_team.pk}", f"{metrics.SICK_LEAVE_DAYS}/{team.pk}", f"{metrics.PULSE_CALM}/{team.pk}"]
    before = {name: version(name) for name in [mine, all_teams, *others, "@visits", "@team_starts"]}
    assert None not in before.values()

    MetricAggregate.objects.filter(pk=cell.pk).update(respondents=F("respondents"))

    assert version(mine) > before[mine]
    assert {name: version(name) for name in [all_teams, *others, "@visits", "@team_starts"]} == {
        name: before[name] for name in [all_teams, *others, "@visits", "@team_starts"]
    }


def test_visit_cells_and_team_starts_have_a_version_each_moved_only_by_statements_that_change_rows(cells_of_two_teams, team):
    visits, starts = version("@visits"), version("@team_starts")
    VisitAggregate.objects.filter(team=team, period__year=1900).update(planned=F("planned"))  # no rows: nothing changed
    assert version("@visits") == visits

    VisitAggregate.objects.create(
        team=team, period=cells_of_two_teams, planned=3, delivered=3, no_shows=0, declined=0, cancelled=0,
        with_familiar_nurse=0, clients=3,
    )
    TeamPairStart.objects.update_or_create(team=team, defaults={"first_month": cells_of_two_teams})

    assert version("@visits") > visits and version("@team_starts") > starts


def test_a_version_moves_for_other_readers_only_when_its_change_commits(cells_of_two_teams, team):
    cell = month_cell(team, cells_of_two_teams)
    name = f"{metrics.WORK_ABILITY}/{team.pk}"
    before = version(name)
    other = connection.copy()  # a second connection: another reader
    try:
        with transaction.atomic():
            MetricAggregate.objects.filter(pk=cell.pk).update(respondents=7)
            with other.cursor() as cursor:
                cursor.execute("SELECT version FROM wellbeing_cellversion WHERE cell = %s", [name])
                assert cursor.fetchone()[0] == before  # not yet: a reader of the old rows keeps the old version
        with other.cursor() as cursor:
            cursor.execute("SELECT version FROM wellbeing_cellversion WHERE cell = %s", [name])
            assert cursor.fetchone()[0] > before
    finally:
        other.close()


# --- What the dashboard reads ------------------------------------------------------------------------

def test_an_unrelated_write_keeps_the_decided_cells_with_one_read_of_the_versions(cells_of_two_teams, team):
    first = load_cells()

    Team.objects.filter(pk=team.pk).update(name="Kallio-Vallila")  # a committed change, not of the cells
    with CaptureQueriesContext(connection) as queries:
        again = load_cells()

    assert again is first
    statements = [query["sql"] for query in queries]
    assert statements[0] == f"SELECT {data_generation.CURRENT}" and len(statements) == 2  # the generation, the versions
    assert "wellbeing_cellversion" in statements[1]
    with CaptureQueriesContext(connection) as queries:
        assert load_cells() is first
    assert len(queries) == 1  # the generation only, as before the change


def test_an_aggregate_change_is_seen_by_the_next_read_and_only_its_metric_is_decided_anew(cells_of_two_teams, team):
    before = load_cells()
    cell = month_cell(team, cells_of_two_teams)
    untouched = month_cell(team, cells_of_two_teams, metrics.PULSE_CALM)

    MetricAggregate.objects.filter(pk=cell.pk).update(respondents=2)
    with CaptureQueriesContext(connection) as queries:
        after = load_cells()

    assert len(queries) == 2  # the generation; the versions with the changed cells' rows
    assert after is not before
    assert after.metric_stats[key_of(cell)][0] == 2 and after.metric[key_of(cell)].suppressed
    assert not before.metric[key_of(cell)].suppressed
    assert after.metric[key_of(untouched)] is before.metric[key_of(untouched)]  # another metric: kept as decided
    assert decisions(after) == decisions(decide_cells())  # as if every cell were decided anew


def test_deleted_cells_are_gone_from_the_next_read(cells_of_two_teams, team):
    cell = month_cell(team, cells_of_two_teams)
    assert key_of(cell) in load_cells().metric

    MetricAggregate.objects.filter(metric=cell.metric, team=team).delete()

    after = load_cells()
    assert not any(key[0] == cell.metric and key[1] == team.pk for key in after.metric)
    assert decisions(after) == decisions(decide_cells())


def test_changed_visit_cells_and_team_starts_are_read_anew(cells_of_two_teams, team):
    before = load_cells()
    key = ("visits", team.pk, cells_of_two_teams)
    VisitAggregate.objects.update_or_create(
        team=team, period=cells_of_two_teams,
        defaults={"planned": 9, "delivered": 9, "no_shows": 0, "declined": 0, "cancelled": 0, "with_familiar_nurse": 0,
                  "clients": 9},
    )
    earlier = cells_of_two_teams.replace(year=cells_of_two_teams.year - 1)
    TeamPairStart.objects.update_or_create(team=team, defaults={"first_month": earlier})

    after = load_cells()

    assert after.visit_rows[key].planned == 9 and before.visit_rows.get(key) != after.visit_rows[key]
    assert after.first_month[team.pk] == earlier
    assert decisions(after) == decisions(decide_cells())  # the phase groups decided with the moved start


def test_inside_a_transaction_that_wrote_other_cells_they_are_decided_from_what_it_sees(cells_of_two_teams, team, other_team):
    kept = load_cells()
    cell = month_cell(other_team, cells_of_two_teams, metrics.PULSE_CALM)

    with pytest.raises(RuntimeError), transaction.atomic():
        MetricAggregate.objects.filter(pk=cell.pk).update(respondents=1)
        seen = load_cells()
        assert seen.metric_stats[key_of(cell)][0] == 1 and seen.metric[key_of(cell)].suppressed
        raise RuntimeError("roll back")

    again = load_cells()
    assert again is kept and not again.metric[key_of(cell)].suppressed  # nothing seen inside was kept


# --- The page ----------------------------------------------------------------------------------------

def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("wellbeing:dashboard")).status_code == 200
    return len(queries)


@override_settings(PAGE_CACHE=False)
def test_the_dashboard_query_counts_after_each_kind_of_change_are_pinned(client, org_manager, cells_of_two_teams, team):
    login(client, org_manager)
    first = _page_queries(client)
    kept = _page_queries(client)
    data_generation.advance()
    unrelated = _page_queries(client)
    MetricAggregate.objects.filter(pk=month_cell(team, cells_of_two_teams).pk).update(respondents=F("respondents"))
    changed = _page_queries(client)

    assert unrelated == changed == kept + 1  # one statement: the versions, with any changed cells' rows
    assert first == kept + 3 <= 11  # every cell, the visit cells, the team starts (the pinned dashboard's count)
