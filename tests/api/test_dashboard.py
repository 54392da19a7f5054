"""The dashboard aggregates over the API: the page's own tables and suppression, for managers only."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.wellbeing.conftest import bulk_staff, org_manager, shipped_instruments  # noqa: F401 (fixtures)
from tests.wellbeing.test_dashboard import RAW_TABLES, answer_monthly, answer_pulses
from wellbeing import aggregation, metrics
from wellbeing.dashboard import build_dashboard, dashboard_scope, filters_for
from wellbeing.selectors import add_months, current_instrument, month_start

URL = "/api/v1/dashboard/"


@pytest.fixture
def this_month():
    return month_start(timezone.localdate())


def _rows(body, slug):
    table = next(t for t in body["tables"] if t["slug"] == slug) if "tables" in body else body["table"]
    return table["rows"]


def test_a_cell_from_fewer_than_five_respondents_comes_back_null_and_suppressed(api_as, manager, team, this_month):
    answer_monthly(team, bulk_staff(team, 4, prefix="k"), this_month, work_ability=9)
    aggregation.rebuild_all()
    body = api_as(manager).get(URL).json()
    rows = _rows(body, "staff")
    assert rows and all(row["suppressed"] for row in rows)
    for row in rows:
        assert [c["value"] for c in row["cells"][4:]] == [None] * 4
        assert [(c["suppressed"], c["text"]) for c in row["cells"][4:]] == [(True, "fewer than 5")] * 4
        assert row["cells"][1] == {"value": team.name, "text": team.name, "suppressed": False}
    assert body["suppression_threshold"] == 5 and body["suppressed_label"] == "fewer than 5"
    assert "9.0" not in str(rows)


def test_five_respondents_are_shown_with_their_figures(api_as, manager, team, this_month):
    answer_monthly(team, bulk_staff(team, 5, prefix="k"), this_month, work_ability=9)
    aggregation.rebuild_all()
    rows = _rows(api_as(manager).get(f"{URL}staff/").json(), "staff")
    # The measure is named in the survey's own words.
    asked = current_instrument(metrics.MONTHLY).items.get(code="work_ability").text_en
    work_ability = next(row for row in rows if row["cells"][3]["value"] == asked)
    assert not work_ability["suppressed"]
    assert [c["value"] for c in work_ability["cells"][4:6]] == [5, 9.0]


def test_the_api_returns_the_pages_tables_exactly(api_as, org_manager, team, other_team, this_month):
    answer_monthly(team, bulk_staff(team, 6, prefix="k"), this_month)
    answer_pulses(other_team, bulk_staff(other_team, 3, prefix="e"), this_month)
    aggregation.rebuild_all()
    body = api_as(org_manager).get(URL).json()
    board = build_dashboard(filters_for(dashboard_scope(org_manager.user)))
    assert [t["slug"] for t in body["tables"]] == [t.slug for t in board.tables]
    for table, shown in zip(body["tables"], board.tables):
        assert [[c["text"] for c in row["cells"]] for row in table["rows"]] == [
            [text for text, _ in row] for row in shown.display_rows()
        ]
        assert [[c["suppressed"] for c in row["cells"]] for row in table["rows"]] == [
            [c == "fewer than 5" for c in row] for row in shown.csv_rows()
        ]


def test_a_manager_sees_only_own_teams_and_the_filters_are_the_pages(api_as, manager, team, other_team, this_month):
    client = api_as(manager)
    body = client.get(URL).json()
    assert body["filters"]["teams"] == [{"id": team.pk, "name": team.name}] and body["filters"]["show_totals"] is False
    start = add_months(this_month, -2)
    narrowed = client.get(URL, {"team": team.pk, "start": f"{start:%Y-%m}", "end": f"{this_month:%Y-%m}"}).json()
    assert (narrowed["filters"]["start"], narrowed["filters"]["end"]) == (start.isoformat(), this_month.isoformat())
    for url in (URL, f"{URL}staff/", f"{URL}sick_leave_cost/"):
        refused = client.get(url, {"team": other_team.pk})
        assert refused.status_code == 400 and list(refused.json()) == ["team"]


def test_an_organisation_wide_viewer_gets_all_teams_by_default_and_each_team_by_its_id(
    api_as, org_manager, team, other_team, this_month
):
    answer_monthly(team, bulk_staff(team, 5, prefix="k"), this_month)
    answer_monthly(other_team, bulk_staff(other_team, 6, prefix="e"), this_month)
    aggregation.rebuild_all()
    client = api_as(org_manager)
    body = client.get(URL).json()
    assert body["filters"]["per_team"] is False and body["filters"]["show_totals"] is True
    # The teams it covers, each one a team to ask for; the rows are the all-teams figures only.
    assert {t["id"] for t in body["filters"]["teams"]} == {team.pk, other_team.pk}
    assert {row["cells"][1]["text"] for row in _rows(body, "staff")} == {"All teams"}
    assert _rows(body, "staff_phases") == [] and _rows(body, "sick_leave_cost") == []
    for chosen in (team, other_team):
        one = client.get(URL, {"team": chosen.pk}).json()
        assert one["filters"]["per_team"] is True and one["filters"]["teams"] == [{"id": chosen.pk, "name": chosen.name}]
        assert {row["cells"][1]["text"] for row in _rows(one, "staff")} == {chosen.name}


def test_bad_months_get_a_message_on_the_field(api_as, manager):
    response = api_as(manager).get(URL, {"start": "2026-13"})
    assert response.status_code == 400
    assert response.json() == {"start": ["Enter a month as YYYY-MM, e.g. 2026-03."]}
    backwards = api_as(manager).get(URL, {"start": "2026-05", "end": "2026-01"})
    assert backwards.status_code == 400 and list(backwards.json()) == ["end"]


@pytest.mark.parametrize("persona", ["nurse", "artist", "coordinator"])
def test_everyone_but_managers_and_administrators_gets_403(api_as, persona, request):
    client = api_as(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}staff/").status_code == 403


def test_administrators_see_every_team_and_the_totals(api_as, admin_user, team, other_team):
    body = api_as(admin_user).get(URL).json()
    assert {t["id"] for t in body["filters"]["teams"]} == {team.pk, other_team.pk} and body["filters"]["show_totals"]


def test_an_unknown_table_is_404(api_as, manager):
    assert api_as(manager).get(f"{URL}nonsense/").status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_the_dashboard_reads_only_aggregates_in_a_fixed_number_of_queries(api_as, org_manager, team, other_team, this_month):
    client = api_as(org_manager)
    answer_monthly(team, bulk_staff(team, 5, prefix="k"), this_month)
    aggregation.rebuild_all()
    client.get(URL)  # warm the session alike for both sizes
    few = _queries(client, URL)
    more = bulk_staff(other_team, 20, prefix="e")
    for back in range(1, 6):
        period = add_months(this_month, -back)
        answer_monthly(other_team, more, period)
        answer_pulses(other_team, more, period, times=2)
    aggregation.rebuild_all()
    many = _queries(client, URL)
    assert len(few) == len(many) <= 11  # 10, and one for the stored analyses
    for sql in many:
        assert not any(table in sql for table in RAW_TABLES), sql
    assert len(_queries(client, f"{URL}staff/")) == len(many)


def test_the_dashboard_query_count_is_pinned(api_as, manager, django_assert_max_num_queries):
    client = api_as(manager)
    with django_assert_max_num_queries(11):  # 10, and one for the stored analyses
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize("one_team", [False, True], ids=["all teams", "one team"])
def test_the_organisation_wide_query_count_is_pinned(api_as, org_manager, team, other_team, one_team,
                                                     django_assert_max_num_queries):
    client = api_as(org_manager)
    with django_assert_max_num_queries(11):  # the same as a team manager's
        assert client.get(URL, {"team": team.pk} if one_team else {}).status_code == 200
