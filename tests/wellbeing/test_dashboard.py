"""The managers' dashboard: who sees it, what it reads, and that its numbers are the right ones."""
import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import login
from wellbeing import aggregation, metrics
from wellbeing.dashboard import build_dashboard, dashboard_scope, filters_for
from wellbeing.models import MetricAggregate, SickLeaveCost, Span, TimePoint
from wellbeing.selectors import current_instrument, month_start
from wellbeing.services import submit_response

from .conftest import bulk_staff

RAW_TABLES = ("wellbeing_surveyresponse", "wellbeing_responsescore", "wellbeing_answer", "visits_visit", "clients_client")


def answer_monthly(team, people, period, work_ability=7):
    instrument = current_instrument(metrics.MONTHLY)
    for person in people:
        submit_response(
            instrument=instrument, time_point=TimePoint.MONTHLY, team=team, recorded_by=person.user, respondent=person,
            answers={"work_ability": work_ability, "sick_leave_days": 1}, period=period, refresh_aggregates=False,
        )


def answer_pulses(team, people, period, times=1):
    instrument = current_instrument(metrics.PULSE)
    for person in people:
        for _ in range(times):
            submit_response(
                instrument=instrument, time_point=TimePoint.POST_VISIT, team=team, recorded_by=person.user, respondent=person,
                answers={"calm": 4, "time_to_meet": 4, "energised": 4}, period=period, refresh_aggregates=False,
            )


@pytest.fixture
def this_month():
    return month_start(timezone.localdate())


def table_rows(response, slug):
    return [row for table, row in [(t.slug, r) for t, rows in response.context["tables"] for r in rows] if table == slug]


# --- Who may see it ----------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["nurse", "artist", "coordinator"])
def test_staff_other_than_managers_cannot_open_the_dashboard_or_its_export(client, persona, request):
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("wellbeing:dashboard")).status_code == 403
    assert client.get(reverse("wellbeing:dashboard_export", args=["pulse"])).status_code == 403
    assert client.post(reverse("wellbeing:dashboard_refresh")).status_code == 403
    assert client.post(reverse("wellbeing:sick_leave_cost"), {"cost_per_day": "1"}).status_code == 403
    assert not SickLeaveCost.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("wellbeing:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_manager_sees_only_own_teams_and_no_all_teams_total(client, manager, team, other_team, this_month):
    answer_monthly(team, bulk_staff(team, 5, prefix="k"), this_month)
    answer_monthly(other_team, bulk_staff(other_team, 6, prefix="e"), this_month)
    aggregation.rebuild_all()
    login(client, manager)
    page = client.get(reverse("wellbeing:dashboard"))
    teams_shown = {row[1][0] for row in table_rows(page, "staff")}
    assert teams_shown == {"Kallio"}
    # Asking for the other team by id does not widen the view.
    sneaky = client.get(reverse("wellbeing:dashboard"), {"team": other_team.pk})
    assert {row[1][0] for row in table_rows(sneaky, "staff")} == {"Kallio"}
    assert "Espoo" not in client.get(reverse("wellbeing:dashboard_export", args=["staff"]), {"team": other_team.pk}).content.decode()


def test_an_organisation_wide_manager_sees_all_teams_together_and_each_team_a_click_away(
    client, org_manager, team, other_team, this_month
):
    answer_monthly(team, bulk_staff(team, 5, prefix="k"), this_month)
    answer_monthly(other_team, bulk_staff(other_team, 6, prefix="e"), this_month)
    aggregation.rebuild_all()
    login(client, org_manager)
    start = f"{this_month - dt.timedelta(days=62):%Y-%m}"
    page = client.get(reverse("wellbeing:dashboard"), {"start": start})
    # By default the all-teams figures only: the page does not grow with the number of teams.
    assert {row[1][0] for row in table_rows(page, "staff")} == {"All teams"}
    assert not table_rows(page, "staff_phases") and not table_rows(page, "sick_leave_cost")
    html = page.content.decode()
    assert html.count("This table has a row for each team: choose a team to see its figures.") == 2
    # Each team's figures are a link away (the same months), and the CSV file has every team.
    links = dict(page.context["team_links"])
    assert links == {"Espoo": f"start={start}&team={other_team.pk}", "Kallio": f"start={start}&team={team.pk}"}
    assert f'href="?start={start}&amp;team={other_team.pk}"' in html
    only_espoo = client.get(f"{reverse('wellbeing:dashboard')}?{links['Espoo']}")
    assert {row[1][0] for row in table_rows(only_espoo, "staff")} == {"Espoo"}
    assert only_espoo.context["team_links"] == [] and 'id="team-links"' not in only_espoo.content.decode()
    exported = client.get(reverse("wellbeing:dashboard_export", args=["staff"]), {"start": start}).content.decode("utf-8-sig")
    assert {row[1] for row in list(csv.reader(io.StringIO(exported)))[1:]} == {"Kallio", "Espoo", "All teams"}


def test_the_all_teams_view_does_not_grow_with_the_number_of_teams(client, org_manager, team, other_team, this_month):
    answer_monthly(team, bulk_staff(team, 5, prefix="k"), this_month)
    aggregation.rebuild_all()
    login(client, org_manager)

    def sizes():
        board = client.get(reverse("wellbeing:dashboard")).context["board"]
        return [len(table.rows) for table in board.tables + board.evidence], [len(card.findings) for card in board.cards]

    two_teams = sizes()
    for n in range(8):
        extra = f.TeamFactory(name=f"Tiimi {n}")
        answer_monthly(extra, bulk_staff(extra, 5, prefix=f"t{n}-"), this_month)
    aggregation.rebuild_all()
    assert sizes() == two_teams


def test_administrators_see_everything(admin_user, team, other_team):
    scope = dashboard_scope(admin_user)
    assert {t.name for t in scope.teams} == {"Kallio", "Espoo"} and scope.shows_totals


def test_managers_see_aggregates_only_never_a_person(client, manager, team, this_month):
    people = bulk_staff(team, 6, prefix="person")
    answer_monthly(team, people, this_month)
    aggregation.rebuild_all()
    login(client, manager)
    html = client.get(reverse("wellbeing:dashboard")).content.decode()
    csv_text = client.get(reverse("wellbeing:dashboard_export", args=["staff"])).content.decode()
    for person in people:
        assert person.user.username not in html and person.user.username not in csv_text


# --- What it reads -------------------------------------------------------------------------------------

def _dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("wellbeing:dashboard")).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_the_dashboard_runs_a_fixed_number_of_queries_reading_only_aggregates(client, org_manager, team, other_team, this_month):
    login(client, org_manager)
    people = bulk_staff(team, 5, prefix="k")
    answer_monthly(team, people, this_month)
    aggregation.rebuild_all()
    few = _dashboard_queries(client)
    # Ten times the answers, more months, another team.
    more = bulk_staff(other_team, 20, prefix="e")
    for back in range(1, 6):
        period = month_start(this_month - dt.timedelta(days=28 * back))
        answer_monthly(other_team, more, period)
        answer_pulses(other_team, more, period, times=2)
    aggregation.rebuild_all()
    many = _dashboard_queries(client)
    assert len(few) == len(many) <= 11  # 10, and one for the stored analyses
    for sql in many:
        assert not any(table in sql for table in RAW_TABLES), sql


def test_the_dashboard_query_count_is_pinned(client, manager, django_assert_max_num_queries):
    login(client, manager)
    with django_assert_max_num_queries(11):  # 10, and one for the stored analyses
        client.get(reverse("wellbeing:dashboard"))


@pytest.mark.parametrize("one_team", [False, True], ids=["all teams", "one team"])
def test_the_organisation_wide_views_query_count_is_pinned(client, org_manager, team, other_team, one_team,
                                                           django_assert_max_num_queries):
    login(client, org_manager)
    with django_assert_max_num_queries(11):  # the same as a team manager's
        assert client.get(reverse("wellbeing:dashboard"), {"team": team.pk} if one_team else {}).status_code == 200


def test_another_teams_figures_stay_refused_on_the_page_the_report_and_the_csv(client, manager, team, other_team, this_month):
    """Asking for a team outside the manager's scope by its id: no page, report or file has its rows (API: tests/api)."""
    answer_monthly(other_team, bulk_staff(other_team, 6, prefix="e"), this_month)
    aggregation.rebuild_all()
    login(client, manager)
    sneaky = {"team": other_team.pk}
    for name in ("wellbeing:dashboard", "wellbeing:dashboard_report"):
        response = client.get(reverse(name), sneaky)
        assert response.status_code == 400 and other_team.name not in response.content.decode()
        assert response.context["team_links"] == []
    for slug in ("staff", "staff_phases", "sick_leave_cost"):
        exported = client.get(reverse("wellbeing:dashboard_export", args=[slug]), sneaky)
        assert exported.status_code == 400 and other_team.name not in exported.content.decode()


# --- The numbers ---------------------------------------------------------------------------------------

def test_the_mean_change_and_its_ci_on_the_page_match_the_hand_computed_values(client, org_manager, team, pair):
    # Five clients whose personal wellbeing changes by 2, -1, 3, 0 and 1 points:
    # mean 1.00, 95% CI 1.00 ± 2.776 × 1.581 / √5 = (-0.96, 2.96).
    instrument = current_instrument(metrics.CLIENT_OUTCOME)
    start = timezone.now() - dt.timedelta(weeks=10)
    for change in (2, -1, 3, 0, 1):
        record = f.ClientFactory(team=team)
        for time_point, shift, when in ((TimePoint.BASELINE, 0, start), (TimePoint.FOLLOW_UP, change, start + dt.timedelta(weeks=8))):
            submit_response(
                instrument=instrument, time_point=time_point, team=team, recorded_by=pair.nurse.user, client=record,
                answers={"life_satisfaction": 5 + shift, "worthwhile": 5 + shift, "happiness": 5 + shift, "anxiety": 5 - shift},
                submitted_at=when, refresh_aggregates=False,
            )
    aggregation.rebuild_all()
    login(client, org_manager)
    rows = [[text for text, _ in row] for row in table_rows(client.get(reverse("wellbeing:dashboard"), {"team": team.pk}), "client_change")]
    assert ["All time", "Kallio", "Personal wellbeing (0–10), change", "5", "1.00", "-0.96", "2.96"] in rows
    exported = list(csv.reader(io.StringIO(client.get(reverse("wellbeing:dashboard_export", args=["client_change"])).content.decode("utf-8-sig"))))
    assert ["All time", "Kallio", "Personal wellbeing (0–10), change", "5", "1.0000", "-0.9632", "2.9632"] in exported


def test_a_team_with_fewer_than_five_respondents_shows_fewer_than_5(client, manager, team, this_month):
    answer_monthly(team, bulk_staff(team, 4, prefix="k"), this_month, work_ability=9)
    aggregation.rebuild_all()
    login(client, manager)
    page = client.get(reverse("wellbeing:dashboard"))
    staff_rows = [[text for text, _ in row] for row in table_rows(page, "staff")]
    assert staff_rows and all(row[4:] == ["fewer than 5"] * 4 for row in staff_rows)
    chart = page.context["board"].table("staff").chart
    assert all(point is None for dataset in chart["data"]["datasets"] for point in dataset["data"])
    exported = client.get(reverse("wellbeing:dashboard_export", args=["staff"])).content.decode("utf-8-sig")
    assert "9.0000" not in exported and "fewer than 5" in exported


def test_the_csv_has_the_same_rows_as_the_page(client, org_manager, team, other_team, this_month):
    answer_pulses(team, bulk_staff(team, 7, prefix="k"), this_month, times=2)
    answer_pulses(other_team, bulk_staff(other_team, 3, prefix="e"), this_month)
    aggregation.rebuild_all()
    login(client, org_manager)

    def page_and_csv(query):
        page = client.get(reverse("wellbeing:dashboard"), query)
        export = client.get(reverse("wellbeing:dashboard_export", args=["pulse"]), query)
        assert export["Content-Type"].startswith("text/csv")
        assert 'attachment; filename="wellbeing-pulse-' in export["Content-Disposition"]
        return page.context["board"].table("pulse"), list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))

    # One team: the page's rows exactly.
    table, rows = page_and_csv({"team": team.pk})
    assert rows[0] == table.csv_header()
    assert rows[1:] == table.csv_rows() and len(rows) == 1 + 3  # three measures for Kallio
    # All teams: the page has the all-teams rows, the file every team's too, the page's rows as the page has them.
    table, rows = page_and_csv({})
    assert rows[0] == table.csv_header()
    assert len(rows) == 1 + 3 * 3  # three measures for Kallio, Espoo and all teams
    assert [row for row in rows[1:] if row[1] == "All teams"] == table.csv_rows() and len(table.csv_rows()) == 3


def test_an_unknown_table_is_404(client, manager):
    login(client, manager)
    assert client.get(reverse("wellbeing:dashboard_export", args=["nonsense"])).status_code == 404


def test_bad_filter_input_gets_a_message_on_the_field(client, manager):
    login(client, manager)
    page = client.get(reverse("wellbeing:dashboard"), {"start": "2026-09", "end": "2026-02"})
    assert page.status_code == 400  # bad input is a 4xx, with the message on the field
    assert page.context["form"].errors["end"] == ["The end month must not be before the start month."]
    garbled = client.get(reverse("wellbeing:dashboard"), {"start": "last spring"})
    assert garbled.context["form"].errors["start"] == ["Enter a month as YYYY-MM, e.g. 2026-03."]


def test_the_period_filter_limits_the_months(manager, team, this_month):
    answer_monthly(team, bulk_staff(team, 5, prefix="k"), month_start(this_month - dt.timedelta(days=70)))
    answer_monthly(team, bulk_staff(team, 5, prefix="j"), this_month)
    aggregation.rebuild_all()
    scope = dashboard_scope(manager.user)
    only_now = build_dashboard(filters_for(scope, start=this_month, end=this_month)).table("staff")
    assert {row.values[0] for row in only_now.rows} == {this_month.strftime("%Y-%m")}


# --- Cost per sick-leave day, refresh --------------------------------------------------------------

def test_a_manager_sets_the_cost_per_day_and_the_estimate_uses_it(client, manager, team):
    login(client, manager)
    response = client.post(reverse("wellbeing:sick_leave_cost"), {"cost_per_day": "412.50"})
    assert response.status_code == 302
    cost = SickLeaveCost.objects.current()
    assert (cost.cost_per_day, cost.set_by) == (412.5, manager.user)
    page = client.get(reverse("wellbeing:dashboard"))
    assert "412,50" in page.content.decode() or "412.50" in page.content.decode()


COST_INPUT = re.compile(r'<input[^>]*name="cost_per_day"[^>]*>')


def cost_input(page: str) -> str:
    (field,) = COST_INPUT.findall(page)
    return field


@pytest.mark.parametrize(("language", "shown"), [("fi", "400,00"), ("sv", "400,00"), ("en", "400.00")])
def test_after_saving_400_the_cost_field_shows_it_in_every_language(client, manager, language, shown):
    login(client, manager)
    client.cookies["django_language"] = language
    response = client.post(reverse("wellbeing:sick_leave_cost"), {"cost_per_day": "400"})
    assert response.status_code == 302
    assert SickLeaveCost.objects.current().cost_per_day == 400
    page = client.get(response["Location"]).content.decode()
    assert f'<html lang="{language}"' in page
    field = cost_input(page)
    # A text input that brings up the decimal keypad: a number input drops "400,00" and shows nothing.
    assert 'type="text"' in field and 'inputmode="decimal"' in field and 'type="number"' not in field
    assert f'value="{shown}"' in field
    # Saving the field as shown keeps the same cost.
    assert client.post(reverse("wellbeing:sick_leave_cost"), {"cost_per_day": shown}).status_code == 302
    assert SickLeaveCost.objects.current().cost_per_day == 400


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize(("typed", "saved"), [("412,50", "412.50"), ("412.5", "412.50"), ("1 250,5", "1250.50"),
                                              ("1\u00a0250,50", "1250.50"), ("1,250.50", "1250.50"), ("1.250,50", "1250.50")])
def test_the_cost_takes_a_comma_or_a_dot_in_every_language(client, manager, language, typed, saved):
    login(client, manager)
    client.cookies["django_language"] = language
    assert client.post(reverse("wellbeing:sick_leave_cost"), {"cost_per_day": typed}).status_code == 302
    assert str(SickLeaveCost.objects.current().cost_per_day) == saved


@pytest.mark.parametrize("typed", ["4,0,0", "abc", "12,345", "0", "NaN"])
def test_a_cost_that_is_not_one_amount_is_refused_on_the_field_and_kept_as_typed(client, manager, typed):
    login(client, manager)
    client.cookies["django_language"] = "fi"
    response = client.post(reverse("wellbeing:sick_leave_cost"), {"cost_per_day": typed})
    assert response.status_code == 400
    assert response.context["cost_form"].errors["cost_per_day"]
    assert not SickLeaveCost.objects.exists()
    assert f'value="{typed}"' in cost_input(response.content.decode())


def test_a_bad_cost_gets_a_message_on_the_field(client, manager):
    login(client, manager)
    response = client.post(reverse("wellbeing:sick_leave_cost"), {"cost_per_day": "-3"})
    assert response.status_code == 400
    assert response.context["cost_form"].errors["cost_per_day"]
    assert not SickLeaveCost.objects.exists()


def test_cost_estimate_from_before_and_with_pair_work(org_manager, team, this_month):
    people = bulk_staff(team, 5, prefix="k")
    first_pair_month = month_start(this_month - dt.timedelta(days=40))
    f.WorkPairFactory(team=team, active_from=first_pair_month)
    before = month_start(first_pair_month - dt.timedelta(days=20))
    instrument = current_instrument(metrics.MONTHLY)
    for person, days_before, days_with in zip(people, [2, 3, 1, 2, 2], [1, 1, 0, 1, 2]):
        for period, days in ((before, days_before), (first_pair_month, days_with)):
            submit_response(
                instrument=instrument, time_point=TimePoint.MONTHLY, team=team, recorded_by=person.user, respondent=person,
                answers={"work_ability": 7, "sick_leave_days": days}, period=period, refresh_aggregates=False,
            )
    SickLeaveCost.objects.create(cost_per_day=300)
    aggregation.rebuild_all()
    table = build_dashboard(filters_for(dashboard_scope(org_manager.user), team_id=str(team.pk))).table("sick_leave_cost")
    [row] = table.rows
    # Before 2.0 days per person-month, with pair work 1.0: -1.0 × 12 × 300 € = -3600 € per person and year.
    assert row.values[:4] == [team.name, pytest.approx(2.0), pytest.approx(1.0), pytest.approx(-1.0)]
    assert row.values[6:] == [300.0, pytest.approx(-3600.0), 5, pytest.approx(-18000.0)]


def test_refresh_recomputes_the_figures_now(client, manager, team, this_month, celery_runs_tasks_in_process):
    answer_monthly(team, bulk_staff(team, 5, prefix="k"), this_month)
    assert not MetricAggregate.objects.exists()
    login(client, manager)
    response = client.post(reverse("wellbeing:dashboard_refresh") + "?team=", follow=True)
    assert response.status_code == 200
    assert MetricAggregate.objects.filter(team=team, span=Span.MONTH, metric=metrics.WORK_ABILITY).get().respondents == 5
    assert re.search(r"Data as of \d", response.content.decode())


def test_the_finnish_dashboard_formats_numbers_the_finnish_way(client, settings, manager, team, this_month):
    settings.LANGUAGE_CODE = "fi"
    answer_monthly(team, bulk_staff(team, 5, prefix="k"), this_month, work_ability=7)
    aggregation.rebuild_all()
    login(client, manager)
    page = client.get(reverse("wellbeing:dashboard"), HTTP_ACCEPT_LANGUAGE="fi")
    assert page.status_code == 200
    assert "7,00" in page.content.decode()
