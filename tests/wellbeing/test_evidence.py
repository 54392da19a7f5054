"""The stored analyses: written by the aggregation job, shown by the page, the API and the CSV exactly as stored.

Every expected value is computed here again from the raw rows, with SciPy and
statsmodels directly (not through wellbeing.analysis).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient
from scipy import optimize
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint

from pairwork.rounding import round_half_up
from tests import factories as f
from tests.conftest import login
from tests.factories import make_visit
from visits.models import VisitStatus
from wellbeing import aggregation, metrics
from wellbeing.dashboard import build_dashboard, dashboard_scope, filters_for, load_cells
from wellbeing.dashboard.evidence import CLIENT, DOSE, STAFF
from wellbeing.models import AnalysisKind, AnalysisResult, ResponseScore, Scale, SurveyResponse, TimePoint
from wellbeing.selectors import add_months, current_instrument, month_start
from wellbeing.services import submit_response
from wellbeing.stats import difference_estimate

from .conftest import bulk_staff

WELLBEING = metrics.PERSONAL_WELLBEING_CHANGE
LONELINESS = metrics.LONELINESS_CHANGE
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


# --- A small set of clients through the real models and the real job ---------------------------------

# Delivered paired visits by the follow-up, per client: Kallio 8 clients, the other team 6.
KALLIO_VISITS = [2, 2, 3, 1, 5, 5, 6, 9]
OTHER_VISITS = [1, 2, 3, 4, 8, 9]


def _outcome_answers(rng: random.Random, level: int) -> dict:
    clamp = lambda v, low, high: max(low, min(high, v))  # noqa: E731
    return {
        "life_satisfaction": clamp(level + rng.randint(-1, 1), 0, 10), "worthwhile": clamp(level, 0, 10),
        "happiness": clamp(level + rng.randint(-2, 2), 0, 10), "anxiety": rng.randint(0, 10),
        "feels_lonely": rng.randint(1, 5), "someone_to_talk_to": rng.randint(1, 5), "left_outside": rng.randint(1, 5),
        "everyday_activities": rng.randint(1, 5),
    }


@pytest.fixture
def clients_measured(team, other_team, pair):
    """14 clients with a baseline ten weeks ago, paired visits since, and a follow-up (one of them twice)."""
    rng = random.Random(7)
    outcome = current_instrument(metrics.CLIENT_OUTCOME)
    pairs = {team.pk: pair, other_team.pk: f.WorkPairFactory(team=other_team)}
    start = timezone.now().replace(microsecond=0, minute=0) - dt.timedelta(weeks=10)
    slot = 0
    for home, visits in ((team, KALLIO_VISITS), (other_team, OTHER_VISITS)):
        for number, count in enumerate(visits):
            client = f.ClientFactory(team=home)
            recorder = pairs[home.pk].nurse.user
            level = rng.randint(3, 7)
            submit_response(instrument=outcome, time_point=TimePoint.BASELINE, answers=_outcome_answers(rng, level),
                            team=home, recorded_by=recorder, client=client, submitted_at=start, refresh_aggregates=False)
            for _ in range(count):
                slot += 1
                make_visit(pair=pairs[home.pk], client=client, starts_at=start + dt.timedelta(hours=3 * slot),
                           status=VisitStatus.COMPLETED)
            # A no-show is not a delivered visit.
            slot += 1
            make_visit(pair=pairs[home.pk], client=client, starts_at=start + dt.timedelta(hours=3 * slot),
                       status=VisitStatus.NO_SHOW)
            follow_ups = 2 if number == 0 else 1
            for again in range(follow_ups):
                submit_response(instrument=outcome, time_point=TimePoint.FOLLOW_UP,
                                answers=_outcome_answers(rng, level + rng.randint(0, 3)), team=home, recorded_by=recorder,
                                client=client, submitted_at=start + dt.timedelta(weeks=9, days=again),
                                refresh_aggregates=False)
    aggregation.rebuild_all()
    return {"teams": [team, other_team]}


def raw_changes(metric: str) -> dict[int, list[tuple[int, float]]]:
    """team id -> [(delivered visits, change)], from the raw score rows: first baseline, latest follow-up."""
    scale_code = metric.split(".")[1]
    first, latest = {}, {}
    for score in ResponseScore.objects.filter(scale__code=scale_code, response__client__isnull=False).select_related(
        "response"
    ).order_by("response__submitted_at", "response__id"):
        response = score.response
        if response.time_point == TimePoint.BASELINE:
            first.setdefault(response.client_id, score.value)
        else:
            latest[response.client_id] = (response, score.value)
    by_team = defaultdict(list)
    for client_id, (response, value) in latest.items():
        delivered = sum(
            1 for visit in response.client.visits.all()
            if visit.status == VisitStatus.COMPLETED and visit.starts_at <= response.submitted_at
        )
        by_team[response.team_id].append((delivered, value - first[client_id]))
    return by_team


def independent_client_figures(changes: list[float], mic: float, higher_is_better: bool) -> dict:
    changes = np.array(changes)
    n = len(changes)
    interval = scipy_stats.ttest_1samp(changes, 0.0).confidence_interval(0.95)
    d = changes.mean() / changes.std(ddof=1)
    t = d * np.sqrt(n)
    ncp_low = optimize.bisect(lambda ncp: scipy_stats.nct.cdf(t, n - 1, ncp) - 0.975, -30, 30, xtol=1e-12)
    ncp_high = optimize.bisect(lambda ncp: scipy_stats.nct.cdf(t, n - 1, ncp) - 0.025, -30, 30, xtol=1e-12)
    improved = int(np.sum((changes if higher_is_better else -changes) >= mic - 1e-9))
    share_low, share_high = proportion_confint(improved, n, alpha=0.05, method="wilson")
    return {
        "n": n, "estimate": changes.mean(), "ci_low": interval.low, "ci_high": interval.high,
        "effect_size": d, "effect_size_ci_low": ncp_low / np.sqrt(n), "effect_size_ci_high": ncp_high / np.sqrt(n),
        "improved": improved, "share_improved": improved / n, "share_ci_low": share_low, "share_ci_high": share_high,
    }


def stored(kind, team_id, metric, band_low=None) -> AnalysisResult:
    return AnalysisResult.objects.get(kind=kind, team_id=team_id, metric=metric, band_low=band_low)


def test_stored_client_change_matches_scipy_and_statsmodels(clients_measured):
    team, other = clients_measured["teams"]
    for metric in (WELLBEING, LONELINESS):
        scale = Scale.objects.get(code=metric.split(".")[1], instrument__code=metrics.CLIENT_OUTCOME)
        by_team = raw_changes(metric)
        every = [change for rows in by_team.values() for _visits, change in rows]
        for team_id, changes in ((team.pk, [c for _v, c in by_team[team.pk]]), (other.pk, [c for _v, c in by_team[other.pk]]),
                                 (None, every)):
            expected = independent_client_figures(changes, scale.minimal_important_change, scale.higher_is_better)
            row = stored(AnalysisKind.CLIENT_CHANGE, team_id, metric)
            for name, value in expected.items():
                assert getattr(row, name) == pytest.approx(value, abs=1e-7), (metric, team_id, name)
            assert row.minimal_important_change == scale.minimal_important_change
    assert stored(AnalysisKind.CLIENT_CHANGE, None, WELLBEING).n == 14  # the repeated follow-up counts once


def test_dose_bands_are_the_mean_change_of_clients_by_delivered_paired_visits(clients_measured):
    by_team = raw_changes(WELLBEING)
    every = [row for rows in by_team.values() for row in rows]
    for low, high, expected_n in ((1, 3, 7), (4, 7, 4), (8, None, 3)):
        members = [change for visits, change in every if visits >= low and (high is None or visits <= high)]
        row = stored(AnalysisKind.DOSE_BAND, None, WELLBEING, low)
        interval = scipy_stats.ttest_1samp(members, 0.0).confidence_interval(0.95)
        assert (row.n, row.band_high) == (expected_n, high)
        assert (row.estimate, row.ci_low, row.ci_high) == pytest.approx((np.mean(members), interval.low, interval.high))
    assert sorted(visits for visits, _c in every) == sorted(KALLIO_VISITS + OTHER_VISITS)  # no-shows left out


def test_a_second_run_changes_no_stored_analysis(clients_measured):
    before = list(AnalysisResult.objects.order_by("pk").values())
    assert aggregation.rebuild_all().analyses_changed == 0
    assert list(AnalysisResult.objects.order_by("pk").values()) == before


def test_the_analyses_are_refitted_only_when_an_input_was_written_since_or_from_the_source_rows(clients_measured, team):
    from django.db import connection

    aggregation.rebuild_all()
    row = stored(AnalysisKind.CLIENT_CHANGE, None, WELLBEING)
    with connection.cursor() as cursor:  # a stored figure gone wrong, with no input written since
        cursor.execute("UPDATE wellbeing_analysisresult SET estimate = estimate + 1 WHERE id = %s", [row.pk])
    assert aggregation.rebuild_all().analyses_changed == 0  # nothing written: no refit
    assert aggregation.rebuild_all(full=True).analyses_changed == 0
    assert aggregation.rebuild_all(from_source=True).analyses_changed == 1  # the repair tool refits always
    assert stored(AnalysisKind.CLIENT_CHANGE, None, WELLBEING).estimate == pytest.approx(row.estimate)
    # A client's follow-up gone: written since, so the next rebuild refits and the figures follow.
    follow_up = SurveyResponse.objects.filter(time_point=TimePoint.FOLLOW_UP, team=team).first()
    SurveyResponse.objects.filter(client=follow_up.client, time_point=TimePoint.FOLLOW_UP).delete()
    assert aggregation.rebuild_all().analyses_changed > 0
    assert stored(AnalysisKind.CLIENT_CHANGE, None, WELLBEING).n == row.n - 1


def _page_row(rows, first_cells):
    found = [row for row in rows if [text for text, _numeric in row[: len(first_cells)]] == first_cells]
    assert len(found) == 1, (first_cells, rows)
    return [text for text, _numeric in found[0]]


def _number(value, places):
    from django.utils import formats

    return formats.number_format(round_half_up(value, places), decimal_pos=places, use_l10n=True)


def test_page_api_and_csv_show_the_stored_client_figures(client, clients_measured, org_manager):
    team, _other = clients_measured["teams"]
    label = load_label(WELLBEING)
    row = stored(AnalysisKind.CLIENT_CHANGE, None, WELLBEING)
    expected = independent_client_figures(
        [c for rows in raw_changes(WELLBEING).values() for _v, c in rows], 1.0, True
    )
    login(client, org_manager)
    page = client.get(reverse("wellbeing:dashboard"), **ENGLISH)
    assert page.status_code == 200
    evidence = dict((table.slug, rows) for table, rows in page.context["evidence_tables"])
    with translation.override("en"):
        shown = _page_row(evidence[CLIENT], [label, "All teams"])
        assert shown[2:8] == [
            "14", _number(expected["estimate"], 2), _number(expected["ci_low"], 2), _number(expected["ci_high"], 2),
            _number(expected["effect_size"], 2), _number(expected["effect_size_ci_low"], 2),
        ]
        assert shown[10] == f"{_number(expected['share_improved'] * 100, 0)} %"
    body = page.content.decode()
    assert 'id="table-evidence_client"' in body and "<caption" in body
    # The CSV: the same figures, four decimals, semicolons and decimal commas in Finnish.
    exported = client.get(reverse("wellbeing:dashboard_export", args=[CLIENT]), HTTP_ACCEPT_LANGUAGE="fi")
    text = exported.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    with translation.override("fi"):
        fi_label, all_teams = load_label(WELLBEING), str(translation.gettext("All teams"))
    [csv_row] = [line for line in lines[1:] if line[:2] == [fi_label, all_teams]]
    assert csv_row[2:5] == ["14", f"{round_half_up(expected['estimate'], 4):f}".replace(".", ","),
                            f"{round_half_up(expected['ci_low'], 4):f}".replace(".", ",")]
    assert csv_row[6] == f"{round_half_up(expected['effect_size'], 4):f}".replace(".", ",")
    assert csv_row[10] == f"{round_half_up(expected['share_improved'], 4):f}".replace(".", ",")
    # The API: the stored values themselves, with the page's text.
    api_client = APIClient()
    api_client.force_login(org_manager.user)
    data = api_client.get("/api/v1/dashboard/", HTTP_ACCEPT_LANGUAGE="en").json()
    analyses = {table["slug"]: table for table in data["analyses"]}
    assert set(analyses) == {CLIENT, DOSE, STAFF}
    [api_row] = [r for r in analyses[CLIENT]["rows"] if [c["value"] for c in r["cells"][:2]] == [label, "All teams"]]
    values = [cell["value"] for cell in api_row["cells"]]
    assert values[2:8] == pytest.approx([row.n, row.estimate, row.ci_low, row.ci_high, row.effect_size, row.effect_size_ci_low])
    assert values[2:8] == pytest.approx([14, expected["estimate"], expected["ci_low"], expected["ci_high"],
                                         expected["effect_size"], expected["effect_size_ci_low"]])
    assert [cell["text"] for cell in api_row["cells"]][:8] == shown[:8]
    one = api_client.get(f"/api/v1/dashboard/{CLIENT}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert one["table"]["rows"] == analyses[CLIENT]["rows"]


def load_label(metric: str) -> str:
    from wellbeing.dashboard.labels import load_measures

    return load_measures().labels[metric]


def test_small_dose_bands_are_hidden_with_their_complements_on_page_api_and_csv(client, clients_measured, org_manager):
    team, other = clients_measured["teams"]
    login(client, org_manager)
    page = client.get(reverse("wellbeing:dashboard"), **ENGLISH)
    board = page.context["board"]
    dose = board.table(DOSE)
    with translation.override("en"):
        label = load_label(WELLBEING)
    shown = {tuple(row.values[:3]): row for row in dose.rows if row.values[0] == label}
    # Every band of each team has fewer than five clients: hidden. All teams: 1–3 (7 clients) is shown,
    # 4–7 (4) and 8+ (3) hidden; two hidden bands of 7 people, so the client total cannot reveal one.
    assert shown[(label, "All teams", "1–3")].visible and shown[(label, "All teams", "1–3")].values[3] == 7
    assert not shown[(label, "All teams", "4–7")].visible and not shown[(label, "All teams", "8+")].visible
    for team_name in (team.name, other.name):
        assert all(not shown[(label, team_name, band)].visible for band in ("1–3", "4–7", "8+") if (label, team_name, band) in shown)
    csv_rows = dose.csv_rows()
    hidden_csv = [r for r, row in zip(csv_rows, dose.rows) if not row.visible]
    assert hidden_csv and all(r[3:] == ["fewer than 5"] * 4 for r in hidden_csv)
    # Nothing stored is shown from fewer than five clients, on any table.
    for table in board.evidence:
        for row in table.rows:
            if row.visible and table.slug != STAFF:
                assert row.values[2 if table.slug == CLIENT else 3] >= 5


def test_a_team_manager_sees_only_their_teams_and_no_all_teams_analysis(client, clients_measured, manager):
    team, other = clients_measured["teams"]
    login(client, manager)
    board = client.get(reverse("wellbeing:dashboard"), **ENGLISH).context["board"]
    for table in board.evidence:
        assert all(row.values[1] == team.name for row in table.rows if table.slug != STAFF)
    assert board.table(STAFF).rows == []
    assert "organisation-wide" in board.table(STAFF).chart_summary


def test_the_client_card_reads_the_stored_result(clients_measured, org_manager):
    scope = dashboard_scope(org_manager.user)
    with translation.override("en"):
        board = build_dashboard(filters_for(scope))
        card = next(c for c in board.cards if c.slug == "client_change")
        row = stored(AnalysisKind.CLIENT_CHANGE, None, WELLBEING)
        finding = next(f for f in card.findings if f.label == load_label(WELLBEING))
    assert "14 clients" in finding.base and "effect size d" in finding.base and "minimal important change" in finding.base
    assert _number(row.effect_size, 2).lstrip("-") in finding.base


def test_refreshing_a_cell_never_recomputes_the_analyses_but_a_client_outcome_enqueues_them(
    clients_measured, celery_runs_tasks_in_process, nurse, client_record, past_visit, team, django_capture_on_commit_callbacks
):
    before = list(AnalysisResult.objects.order_by("pk").values())
    # Staff answers refresh only their cells.
    monthly = current_instrument(metrics.MONTHLY)
    aggregation.refresh_cells(team_id=team.pk, period=month_start(timezone.localdate()), instrument_code=monthly.code)
    assert list(AnalysisResult.objects.order_by("pk").values()) == before
    # A client outcome recorded by the client's nurse: the analyses follow after the commit, in their own job.
    from wellbeing.services import record_client_outcome

    rng = random.Random(3)
    with django_capture_on_commit_callbacks(execute=True):
        record_client_outcome(client=client_record, time_point=TimePoint.BASELINE, answers=_outcome_answers(rng, 5), by=nurse.user)
    with django_capture_on_commit_callbacks(execute=True):
        record_client_outcome(client=client_record, time_point=TimePoint.FOLLOW_UP, answers=_outcome_answers(rng, 8), by=nurse.user)
    assert stored(AnalysisKind.CLIENT_CHANGE, None, WELLBEING).n == 15
    assert stored(AnalysisKind.CLIENT_CHANGE, team.pk, WELLBEING).n == 9
    # The client's one paired visit (two days ago) came before the follow-up: it is in the 1–3 band.
    assert stored(AnalysisKind.DOSE_BAND, team.pk, WELLBEING, 1).n == sum(1 <= v <= 3 for v in KALLIO_VISITS) + 1


# --- Staff: a seasonal dip in every team -----------------------------------------------------------------

def _seasonal_world(teams, months, starts, *, seed=5, people=6, dip_from=3, dip=-3.0, effect=0.0):
    """Monthly work-ability answers: every team dips by `dip` from month `dip_from` on, pair work or not."""
    rng = random.Random(seed)
    instrument = current_instrument(metrics.MONTHLY)
    scales = {scale.code: scale for scale in Scale.objects.filter(instrument=instrument)}
    for team, start in zip(teams, starts):
        if start is not None:
            f.WorkPairFactory(team=team, active_from=months[start] + dt.timedelta(days=3))
    responses, values = [], []
    for t, team in enumerate(teams):
        staff = bulk_staff(team, people, prefix=f"season{t}")
        level = {person.pk: rng.uniform(5.0, 8.0) for person in staff}
        for m, month in enumerate(months):
            treated = starts[t] is not None and m >= starts[t]
            for person in staff:
                value = level[person.pk] + (dip if m >= dip_from else 0.0) + (effect if treated else 0.0) + rng.gauss(0, 0.4)
                responses.append(SurveyResponse(instrument=instrument, time_point=TimePoint.MONTHLY, respondent=person,
                                                team=team, period=month))
                values.append(value)
    SurveyResponse.objects.bulk_create(responses)
    ResponseScore.objects.bulk_create(
        ResponseScore(response=response, scale=scales["work_ability"], value=value, answered=1)
        for response, value in zip(responses, values)
    )
    aggregation.rebuild_all()


def _independent_did(months, teams, starts) -> tuple[float, float, float]:
    rows = []
    for response in SurveyResponse.objects.filter(time_point=TimePoint.MONTHLY, scores__scale__code="work_ability").values(
        "team_id", "period", "respondent_id", "scores__value"
    ):
        t = [team.pk for team in teams].index(response["team_id"])
        treated = starts[t] is not None and response["period"] >= months[starts[t]]
        rows.append({"value": response["scores__value"], "team": str(response["team_id"]), "month": str(response["period"]),
                     "treated": float(treated), "person": response["respondent_id"]})
    frame = pd.DataFrame(rows)
    fit = smf.ols("value ~ C(team) + C(month) + treated", data=frame).fit(
        cov_type="cluster", cov_kwds={"groups": frame["person"]}, use_t=True
    )
    low, high = fit.conf_int().loc["treated"]
    return fit.params["treated"], low, high


@pytest.fixture
def six_months():
    this_month = month_start(timezone.localdate())
    return [add_months(this_month, -back) for back in range(6, 0, -1)]


def test_a_seasonal_dip_in_every_team_gives_a_did_near_zero_while_before_with_does_not(
    client, six_months, org_manager, team, other_team
):
    teams = [team, other_team, *(f.TeamFactory(name=f"Tiimi {n}") for n in range(3))]
    starts = [3, 4, None, None, None]  # two teams start just as the season turns, three never
    _seasonal_world(teams, six_months, starts)
    row = stored(AnalysisKind.STAFF_DID, None, metrics.WORK_ABILITY)
    estimate, low, high = _independent_did(six_months, teams, starts)
    assert (row.estimate, row.ci_low, row.ci_high) == pytest.approx((estimate, low, high), abs=1e-9)
    assert abs(row.estimate) < 0.3 and row.ci_low < 0 < row.ci_high
    # Comparison teams: the three that never start, and the later starter while it has not yet started.
    assert (row.n_treated_teams, row.n_comparison_teams, row.n_months, row.n) == (2, 4, 6, 5 * 6 * 6)
    assert row.covariance == "cluster-person"
    # The plain before/with comparison of a starting team reads the season as an effect of pair work.
    cells = load_cells()
    for starting in teams[:2]:
        before = cells.metric_estimate((metrics.WORK_ABILITY, starting.pk, "before_pairs", None))
        after = cells.metric_estimate((metrics.WORK_ABILITY, starting.pk, "with_pairs", None))
        plain = difference_estimate(before, after)
        assert plain.mean < -2 and plain.ci_high < 0
    # The page says so: the staff evidence table and the staff card.
    login(client, org_manager)
    board = client.get(reverse("wellbeing:dashboard"), **ENGLISH).context["board"]
    [shown] = [r for r in board.table(STAFF).rows if r.values[0] == load_label(metrics.WORK_ABILITY)]
    assert shown.values[1:4] == pytest.approx([row.estimate, row.ci_low, row.ci_high])
    assert shown.values[-1].startswith("Inconclusive — the interval spans zero")
    staff_card = next(c for c in board.cards if c.slug == "staff_phases")
    # All teams together: the estimate against time, and where each team's before/with is.
    assert [f.verdict for f in staff_card.findings] == ["per_team", "inconclusive"]
    for starting in teams[:2]:
        team_board = client.get(reverse("wellbeing:dashboard"), {"team": starting.pk}, **ENGLISH).context["board"]
        team_card = next(c for c in team_board.cards if c.slug == "staff_phases")
        assert [f.verdict for f in team_card.findings] == ["worse", "inconclusive"]
    # With figures, the printed report has the table too.
    report = client.get(reverse("wellbeing:dashboard_report"), **ENGLISH).content.decode()
    assert 'id="table-evidence_staff"' in report and "Inconclusive — the interval spans zero" in report


def test_a_real_effect_against_the_season_is_found(six_months, team, other_team):
    teams = [team, other_team, *(f.TeamFactory(name=f"Tiimi {n}") for n in range(3))]
    starts = [2, 4, None, None, None]
    _seasonal_world(teams, six_months, starts, effect=1.0, seed=9)
    row = stored(AnalysisKind.STAFF_DID, None, metrics.WORK_ABILITY)
    assert row.ci_low > 0.5 and row.estimate == pytest.approx(1.0, abs=0.3)


def test_too_few_teams_reads_so_instead_of_a_number(client, six_months, org_manager, team, other_team):
    _seasonal_world([team, other_team], six_months, [3, None])
    row = stored(AnalysisKind.STAFF_DID, None, metrics.WORK_ABILITY)
    assert (row.too_few, row.estimate, row.ci_low) == ("treated-teams", None, None)
    login(client, org_manager)
    page = client.get(reverse("wellbeing:dashboard"), **ENGLISH)
    [shown] = [r for r in page.context["board"].table(STAFF).rows if r.values[0] == load_label(metrics.WORK_ABILITY)]
    assert shown.values[1:4] == [None, None, None]
    assert shown.values[-1] == "Too few teams or months for an honest estimate"
    assert page.context["board"].table(STAFF).note == (
        "Too few teams have started pair work within these months for an honest estimate (at least 2 are needed)."
    )
    body = page.content.decode()
    assert "Too few teams or months for an honest estimate" in body and "at least 2 are needed" in body
    card = next(c for c in page.context["board"].cards if c.slug == "staff_phases")
    assert card.findings[-1].words == "Too few teams or months for an honest estimate"


def test_team_months_under_five_respondents_are_left_out_of_the_estimate(six_months, team, other_team):
    teams = [team, other_team, *(f.TeamFactory(name=f"Tiimi {n}") for n in range(3))]
    _seasonal_world(teams, six_months, [3, 4, None, None, None])
    small = f.TeamFactory(name="Pieni")
    staff = bulk_staff(small, 4, prefix="small")
    instrument = current_instrument(metrics.MONTHLY)
    for person in staff:
        submit_response(instrument=instrument, time_point=TimePoint.MONTHLY, team=small, recorded_by=person.user,
                        respondent=person, answers={"work_ability": 2, "sick_leave_days": 0}, period=six_months[0],
                        refresh_aggregates=False)
    aggregation.rebuild_all()
    row = stored(AnalysisKind.STAFF_DID, None, metrics.WORK_ABILITY)
    assert (row.n, row.n_teams) == (5 * 6 * 6, 5)


def test_the_report_shows_the_evidence_tables(client, clients_measured, org_manager):
    login(client, org_manager)
    page = client.get(reverse("wellbeing:dashboard_report"), **ENGLISH)
    body = page.content.decode()
    assert page.status_code == 200
    # The client change in detail replaces the plain client table; the dose bands stay on the dashboard.
    assert 'id="table-evidence_client"' in body and 'id="evidence_staff"' in body
    assert 'id="table-evidence_dose"' not in body and 'id="table-client_change"' not in body
    assert 'id="table-staff_phases"' not in body  # the staff card has the before/with figures
    assert "The evidence in detail" in body


def test_too_few_teams_is_decided_from_the_cells_with_no_further_query(
    six_months, team, other_team, django_assert_num_queries
):
    from wellbeing import evidence
    from wellbeing.analysis import difference_in_differences
    from wellbeing.models import TeamPairStart

    _seasonal_world([team, other_team], six_months, [3, None])
    # A person who answers in one team one month and in the other the next.
    person = bulk_staff(other_team, 1, prefix="both")[0]
    instrument = current_instrument(metrics.MONTHLY)
    for owner, month in ((team, six_months[1]), (other_team, six_months[2])):
        submit_response(instrument=instrument, time_point=TimePoint.MONTHLY, team=owner, recorded_by=person.user,
                        respondent=person, answers={"work_ability": 6, "sick_leave_days": 0}, period=month,
                        refresh_aggregates=False)
    aggregation.rebuild_all()
    row = stored(AnalysisKind.STAFF_DID, None, metrics.WORK_ABILITY)
    # The same figures as the analysis of every person row would report.
    starts = dict(TeamPairStart.objects.values_list("team_id", "first_month"))
    observations = evidence.staff_observations()[metrics.WORK_ABILITY]
    expected = difference_in_differences(observations, starts)
    assert expected.too_few and row.too_few == expected.reason == "treated-teams"
    assert (row.n, row.n_teams, row.n_treated_teams, row.n_comparison_teams, row.n_months) == (
        len(observations), expected.n_teams, expected.n_treated_teams, expected.n_comparison_teams, expected.n_months,
    ) == (2 * 6 * 6 + 2, 2, 1, 1, 6)
    # The design and its cells come from the one read of the person-months; deciding "too few" reads nothing more.
    design = evidence.staff_designs()
    with django_assert_num_queries(0):
        assert evidence._did_row(metrics.WORK_ABILITY, design[metrics.WORK_ABILITY], starts).too_few == "treated-teams"


@pytest.mark.parametrize("n_teams, covariance", [(5, "cluster-person"), (10, "cluster-team")])
def test_the_stored_did_grouped_in_postgresql_equals_the_analysis_of_every_person_row(
    six_months, team, other_team, n_teams, covariance
):
    from wellbeing import evidence
    from wellbeing.analysis import difference_in_differences
    from wellbeing.models import TeamPairStart

    teams = [team, other_team, *(f.TeamFactory(name=f"Tiimi {n}") for n in range(n_teams - 2))]
    _seasonal_world(teams, six_months, [2, 4, *([None] * (n_teams - 2))], effect=0.8, seed=3)
    # A person who moves from a starting team to a comparison team: one person cluster across two teams.
    person = bulk_staff(teams[-1], 1, prefix="moved")[0]
    instrument = current_instrument(metrics.MONTHLY)
    for owner, value, month in ((teams[0], 9, six_months[3]), (teams[-1], 2, six_months[4])):
        submit_response(instrument=instrument, time_point=TimePoint.MONTHLY, team=owner, recorded_by=person.user,
                        respondent=person, answers={"work_ability": value, "sick_leave_days": 0},
                        period=month, refresh_aggregates=False)
    aggregation.rebuild_all()
    row = stored(AnalysisKind.STAFF_DID, None, metrics.WORK_ABILITY)
    starts = dict(TeamPairStart.objects.values_list("team_id", "first_month"))
    expected = difference_in_differences(evidence.staff_observations()[metrics.WORK_ABILITY], starts)
    assert row.covariance == expected.covariance == covariance
    assert row.n == expected.n_observations == n_teams * 6 * 6 + 2
    assert (row.estimate, row.ci_low, row.ci_high) == pytest.approx(
        (expected.estimate, expected.ci_low, expected.ci_high), abs=1e-9
    )
    assert (row.n_teams, row.n_treated_teams, row.n_comparison_teams, row.n_months) == (
        expected.n_teams, expected.n_treated_teams, expected.n_comparison_teams, expected.n_months,
    )
