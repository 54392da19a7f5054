"""The headline cards: the words come from the 95% interval alone, and a hidden figure is never shown."""
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login
from wellbeing import aggregation, metrics
from wellbeing.dashboard import SUPPRESSED, build_dashboard, dashboard_scope, filters_for
from wellbeing.dashboard.cards import BETTER, INCONCLUSIVE, NO_DATA, TOO_FEW, WORSE, verdict
from wellbeing.selectors import add_months, current_instrument, month_start
from wellbeing.stats import Estimate, estimate_of

from .conftest import bulk_staff
from .test_dashboard import answer_monthly, answer_pulses


def interval(low, high, mean=None):
    return Estimate(10, (low + high) / 2 if mean is None else mean, 1.0, low, high)


@pytest.mark.parametrize(
    ("low", "high", "higher_is_better", "expected"),
    [
        (3.2, 4.1, True, BETTER),  # wholly above the reference
        (1.5, 2.9, True, WORSE),  # wholly below
        (2.5, 3.5, True, INCONCLUSIVE),  # spans it
        (3.0, 3.8, True, INCONCLUSIVE),  # touching the reference is not clear
        (2.2, 3.0, True, INCONCLUSIVE),
        (3.2, 4.1, False, WORSE),  # lower is better (loneliness, sick leave, cost)
        (1.5, 2.9, False, BETTER),
        (2.5, 3.5, False, INCONCLUSIVE),
    ],
)
def test_the_word_is_chosen_by_where_the_interval_lies(low, high, higher_is_better, expected):
    assert verdict(interval(low, high), 3.0, higher_is_better=higher_is_better) == expected


def test_the_mean_alone_never_decides():
    # A mean far above the reference with an interval that reaches below it is still inconclusive.
    assert verdict(interval(-0.1, 6.0, mean=5.0), 0.0) == INCONCLUSIVE


def test_a_hidden_figure_reads_too_few_answers_and_a_missing_one_no_figures():
    assert verdict(SUPPRESSED, 0.0) == TOO_FEW
    assert verdict(None, 0.0) == NO_DATA
    assert verdict(Estimate(1, 4.0, None, None, None), 3.0) == TOO_FEW  # one answer has no interval


@pytest.fixture
def last_month():
    return add_months(month_start(timezone.localdate()), -1)


def card(board, slug):
    return next(c for c in board.cards if c.slug == slug)


def test_the_pulse_card_shows_the_latest_full_month_with_its_interval(org_manager, team, last_month):
    answer_pulses(team, bulk_staff(team, 6, prefix="k"), last_month)
    aggregation.rebuild_all()
    board = build_dashboard(filters_for(dashboard_scope(org_manager.user), team_id=str(team.pk)))
    pulse = card(board, "pulse")
    calm = pulse.findings[0]
    # Every answer is 4 (sd 0): the interval is 4.0 to 4.0, wholly above the scale's middle, 3.
    assert calm.label == current_instrument(metrics.PULSE).items.get(code="calm").text_en
    assert calm.verdict == BETTER
    assert calm.words == "Clearly better than the middle of the scale (3)"
    assert (calm.figure, calm.interval) == ("4.0 / 5", "95% CI 4.0 to 4.0")
    assert calm.base == f"6 staff, {last_month:%B %Y}"
    assert "pulse" in pulse.how and "95%" in pulse.how


def test_a_card_never_shows_a_hidden_figure(client, org_manager, team, last_month):
    answer_pulses(team, bulk_staff(team, 4, prefix="k"), last_month)  # four people: hidden
    answer_monthly(team, bulk_staff(team, 4, prefix="j"), last_month, work_ability=9)
    aggregation.rebuild_all()
    login(client, org_manager)
    page = client.get(reverse("wellbeing:dashboard"), {"team": team.pk})
    board = page.context["board"]
    pulse = card(board, "pulse")
    assert [f.verdict for f in pulse.findings] == [TOO_FEW] * 3
    assert all(f.figure == "" and f.interval == "" for f in pulse.findings)
    html = page.content.decode()
    cards_html = html[html.index('id="answers"'):html.index("</section>", html.index('id="answers"'))]
    assert "Too few answers to show" in cards_html and "4.0" not in cards_html and "9.0" not in cards_html


def test_an_interval_spanning_zero_is_called_inconclusive(org_manager, team, this_month):
    from tests import factories as f
    from wellbeing.models import SickLeaveCost, TimePoint
    from wellbeing.services import submit_response

    people = bulk_staff(team, 5, prefix="k")
    first_pair_month = add_months(this_month, -1)
    f.WorkPairFactory(team=team, active_from=first_pair_month)
    before = add_months(first_pair_month, -1)
    instrument = current_instrument(metrics.MONTHLY)
    days_before, days_with = [2, 0, 1, 3, 1], [1, 2, 0, 3, 2]
    for person, b, w in zip(people, days_before, days_with):
        for period, days, ability in ((before, b, 6 + b), (first_pair_month, w, 6 + w)):
            submit_response(
                instrument=instrument, time_point=TimePoint.MONTHLY, team=team, recorded_by=person.user, respondent=person,
                answers={"work_ability": ability, "sick_leave_days": days}, period=period, refresh_aggregates=False,
            )
    SickLeaveCost.objects.create(cost_per_day=300)
    aggregation.rebuild_all()
    board = build_dashboard(filters_for(dashboard_scope(org_manager.user), team_id=str(team.pk)))
    [cost] = card(board, "sick_leave_cost").findings
    # Days 1.4 before, 1.6 with: +0.2 × 12 × 300 € = +720 € a person and year, an interval far across zero.
    change = estimate_of([1, 2, 0, 3, 2]).mean - estimate_of(days_before).mean
    assert change == pytest.approx(0.2)
    assert cost.verdict == INCONCLUSIVE
    assert cost.words == "Inconclusive — the interval spans zero"
    assert cost.figure == "+720 € per person and year"
    [row] = board.table("sick_leave_cost").rows
    low, high = row.values[4] * 12 * 300, row.values[5] * 12 * 300
    assert low < 0 < high
    assert cost.interval == f"95% CI {round(low):,} to {round(high):,}"


@pytest.fixture
def this_month():
    return month_start(timezone.localdate())


def test_the_printable_report_has_the_dashboards_cards_and_figures(client, org_manager, team, last_month):
    answer_pulses(team, bulk_staff(team, 6, prefix="k"), last_month)
    aggregation.rebuild_all()
    login(client, org_manager)
    query = {"team": team.pk, "start": f"{add_months(last_month, -2):%Y-%m}", "end": f"{last_month:%Y-%m}"}
    dashboard = client.get(reverse("wellbeing:dashboard"), query)
    report = client.get(reverse("wellbeing:dashboard_report"), query)
    assert report.status_code == 200
    assert report.context["filters"] == dashboard.context["filters"]
    words = lambda page: [(c.title, [(f.label, f.words, f.figure, f.interval, f.base) for f in c.findings])  # noqa: E731
                          for c in page.context["board"].cards]
    assert words(report) == words(dashboard)
    html = report.content.decode()
    assert f"Evidence summary: {team.name}" in html and "4.0 / 5" in html
    assert 'href="/wellbeing/dashboard/report/?' in dashboard.content.decode()
    assert "wellbeing/dashboard.css" in html  # the print stylesheet


@pytest.mark.parametrize(("language", "title"), [("fi", "Näyttöyhteenveto"), ("sv", "Sammanfattning av belägg")])
def test_the_report_speaks_finnish_and_swedish(client, org_manager, language, title):
    login(client, org_manager)
    client.cookies["django_language"] = language
    html = client.get(reverse("wellbeing:dashboard_report")).content.decode()
    assert title in html and f'<html lang="{language}"' in html


def test_bad_filters_on_the_report_are_a_400(client, org_manager):
    login(client, org_manager)
    assert client.get(reverse("wellbeing:dashboard_report"), {"start": "2026-09", "end": "2026-02"}).status_code == 400


def test_every_chart_has_at_most_six_series_and_only_months_with_data(org_manager, team, other_team, last_month):
    for back in (0, 3):
        month = add_months(last_month, -back)
        answer_pulses(team, bulk_staff(team, 6, prefix=f"k{back}"), month)
        answer_monthly(team, bulk_staff(team, 5, prefix=f"j{back}"), month)
        answer_monthly(other_team, bulk_staff(other_team, 5, prefix=f"e{back}"), month)
    aggregation.rebuild_all()
    scope = dashboard_scope(org_manager.user)
    for team_id in ("", str(team.pk)):
        board = build_dashboard(filters_for(scope, team_id=team_id))
        for table in board.tables:
            for chart in table.charts:
                assert len(chart["data"]["datasets"]) <= 6
        pulse = board.table("pulse").charts[0]
        assert pulse["data"]["labels"] == [f"{add_months(last_month, -3):%Y-%m}", f"{last_month:%Y-%m}"]
    chosen = build_dashboard(filters_for(scope, team_id=str(team.pk))).table("pulse").charts[0]
    assert [(d["label"], d.get("reference", False)) for d in chosen["data"]["datasets"]] == [(team.name, False), ("All teams", True)]
    assert chosen["data"]["datasets"][0]["intervals"] == [[4.0, 4.0], [4.0, 4.0]]


def test_a_manager_without_teams_gets_a_page_without_anyones_figures(client, team, last_month):
    from tests import factories as f

    answer_pulses(team, bulk_staff(team, 6, prefix="k"), last_month)
    aggregation.rebuild_all()
    lone = f.ManagerFactory(user__username="no-teams")
    login(client, lone.user)
    for name in ("wellbeing:dashboard", "wellbeing:dashboard_report"):
        page = client.get(reverse(name))
        assert page.status_code == 200
        board = page.context["board"]
        assert all(finding.verdict in (NO_DATA, TOO_FEW) for card in board.cards for finding in card.findings)
        assert all(point is None for table in board.tables for chart in table.charts
                   for dataset in chart["data"]["datasets"] for point in dataset["data"])
        assert "4.0" not in page.content.decode()
