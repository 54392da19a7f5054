"""Small-cell suppression: no visible figure from fewer than 5 people, and none recomputable from totals."""
from __future__ import annotations

import csv
import io
import json
import random

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f
from tests.conftest import login
from wellbeing import aggregation, metrics
from wellbeing.dashboard import SUPPRESSED, build_dashboard, dashboard_scope, filters_for, load_cells
from wellbeing.models import ResponseScore, Scale, SurveyResponse, TimePoint
from wellbeing.selectors import add_months, current_instrument, month_start
from wellbeing.suppression import COMPLEMENTARY, PRIMARY, THRESHOLD, Cell, Group, remainder_is_protected, suppress

from .conftest import bulk_staff


# --- The rule on small examples -------------------------------------------------------------------

def cells_of(**respondents):
    return {key: Cell(key, n) for key, n in respondents.items()}


def test_a_cell_from_four_people_is_hidden_and_five_is_shown():
    cells = cells_of(a=4, b=5)
    suppress(cells, [])
    assert (cells["a"].suppressed, cells["a"].reason, cells["b"].suppressed) == (True, PRIMARY, False)


def test_one_hidden_part_next_to_its_total_hides_one_more_part():
    # Kallio 8, Espoo 6, Porvoo 3 and the total 17: Porvoo = 17 - 8 - 6 unless Espoo is hidden too.
    cells = cells_of(kallio=8, espoo=6, porvoo=3, total=17)
    suppress(cells, [Group("total", ("kallio", "espoo", "porvoo"))])
    assert [cells[k].suppressed for k in ("kallio", "espoo", "porvoo", "total")] == [False, True, True, False]
    assert cells["espoo"].reason == COMPLEMENTARY


def test_a_group_that_prefers_to_give_up_its_total_does_so():
    cells = cells_of(kallio=8, espoo=6, porvoo=3, total=17)
    suppress(cells, [Group("total", ("kallio", "espoo", "porvoo"), hide_total_first=True)])
    assert [cells[k].suppressed for k in ("kallio", "espoo", "porvoo", "total")] == [False, False, True, True]


def test_two_hidden_parts_whose_people_are_still_fewer_than_five_hide_another():
    # 2 + 2 hidden: the remainder (4 people) would itself be a small group.
    cells = cells_of(a=2, b=2, c=7, d=9, total=20)
    suppress(cells, [Group("total", ("a", "b", "c", "d"))])
    assert [cells[k].suppressed for k in "abcd"] == [True, True, True, False]
    assert remainder_is_protected(cells["total"], [cells[k] for k in "abcd"])


def test_a_total_of_a_single_small_part_is_hidden():
    cells = cells_of(only=3, total=3)
    suppress(cells, [Group("total", ("only",))])
    assert cells["total"].suppressed


# --- Property: on any grid of teams × months with overlapping people ----------------------------------

@st.composite
def grids(draw):
    teams = draw(st.integers(1, 4))
    months = draw(st.integers(1, 5))
    start_of_pairs = draw(st.integers(0, months))
    people = {}
    for team in range(teams):
        # Neighbouring teams share two people, so the parts of a total overlap.
        pool = list(range(team * 8, team * 8 + 10))
        for month in range(months):
            chosen = draw(st.sets(st.sampled_from(pool), max_size=9))
            if chosen:
                people[("team", team, month)] = frozenset(chosen)
    return teams, months, start_of_pairs, people


def build_grid(teams, months, start_of_pairs, people):
    truth = dict(people)
    groups = []
    for month in range(months):
        parts = [key for key in people if key[0] == "team" and key[2] == month]
        if parts:
            truth[("all", month)] = frozenset().union(*(people[p] for p in parts))
            groups.append(Group(("all", month), tuple(parts), hide_total_first=True))
    for team in range(teams):
        for phase in ("before", "with"):
            parts = [
                key for key in people
                if key[0] == "team" and key[1] == team and (key[2] >= start_of_pairs) == (phase == "with")
            ]
            if parts:
                truth[("phase", team, phase)] = frozenset().union(*(people[p] for p in parts))
                groups.append(Group(("phase", team, phase), tuple(parts)))
    cells = {key: Cell(key, len(who)) for key, who in truth.items()}
    return truth, cells, groups


def assert_nothing_small_is_visible_or_recomputable(truth, cells, groups):
    for key, cell in cells.items():
        if cell.visible:
            assert len(truth[key]) >= THRESHOLD, key
    for group in groups:
        total = cells[group.total]
        if total.suppressed:
            continue
        hidden = [key for key in group.parts if cells[key].suppressed]
        if not hidden:
            continue
        # total − visible parts = the hidden parts together: never a single part, never fewer than 5 people.
        assert len(hidden) >= 2, group
        assert len(frozenset().union(*(truth[key] for key in hidden))) >= THRESHOLD, group


@settings(max_examples=300, deadline=None)
@given(grids())
def test_no_visible_cell_is_small_and_no_hidden_cell_can_be_recomputed(grid):
    truth, cells, groups = build_grid(*grid)
    suppress(cells, groups)
    assert_nothing_small_is_visible_or_recomputable(truth, cells, groups)


# --- Property, end to end: raw answers -> SQL aggregates -> page, chart and CSV ---------------------

@pytest.fixture
def setting(team, other_team, admin_user, manager):
    third = f.TeamFactory(name="Porvoo")
    teams = [team, other_team, third]
    people = {t.pk: bulk_staff(t, 9, prefix=f"p{t.pk}") for t in teams}
    this_month = month_start(timezone.localdate())
    months = [add_months(this_month, -back) for back in (3, 2, 1)]
    f.WorkPairFactory(team=team, active_from=months[1])
    return {"teams": teams, "people": people, "months": months, "admin": admin_user, "manager": manager}


def write_monthly_answers(setting, counts, rng):
    """counts[team][month] people of that team answer that month (raw rows, scores included)."""
    instrument = current_instrument(metrics.MONTHLY)
    scales = {scale.code: scale for scale in Scale.objects.filter(instrument=instrument)}
    truth = {}
    responses, values = [], []
    for t, team in enumerate(setting["teams"]):
        for m, month in enumerate(setting["months"]):
            who = setting["people"][team.pk][: counts[t * 3 + m]]
            truth[(team.pk, month)] = {p.pk for p in who}
            for person in who:
                responses.append(
                    SurveyResponse(instrument=instrument, time_point=TimePoint.MONTHLY, respondent=person, team=team, period=month)
                )
                values.append((rng.randint(0, 10), rng.randint(0, 6)))
    SurveyResponse.objects.bulk_create(responses)
    ResponseScore.objects.bulk_create(
        ResponseScore(response=response, scale=scales[code], value=value, answered=1)
        for response, (ability, days) in zip(responses, values)
        for code, value in (("work_ability", ability), ("sick_leave_days", days))
    )
    return truth


def people_behind(row, truth, setting) -> set:
    """The real people behind a dashboard row, from the generated raw rows."""
    people = set()
    for cell in row.cells:
        metric, team_id, span, period = cell.key
        for (team, month), who in truth.items():
            if team_id is not None and team != team_id:
                continue
            if span == "month" and month != period:
                continue
            if span in ("before_pairs", "with_pairs"):
                phase = "with_pairs" if team == setting["teams"][0].pk and month >= setting["months"][1] else "before_pairs"
                if phase != span:
                    continue
            people |= who
    return people


def assert_chart_points_only_from_visible_rows(table, key_of_row, key_of_point, *, rows_from=None):
    """Every plotted point (and whisker) is the figure of a visible row (of `rows_from`, else of the table's own);
    a hidden row has neither."""
    rows = {key_of_row(row): row for row in (rows_from or table).rows}
    assert table.charts
    for chart in table.charts:
        labels = chart["data"]["labels"]
        assert len(chart["data"]["datasets"]) <= 6
        for dataset in chart["data"]["datasets"]:
            assert len(dataset["data"]) == len(labels)
            intervals = dataset.get("intervals") or [None] * len(labels)
            for label, point, interval in zip(labels, dataset["data"], intervals, strict=True):
                row = rows.get(key_of_point(chart, label, dataset))
                if row is None or not row.visible:
                    assert point is None and interval is None, (chart["title"], label, dataset["label"])
                elif point is not None:
                    assert point == pytest.approx(row.values[-3], abs=1e-3)
                    if interval is not None:
                        assert interval == pytest.approx(row.values[-2:], abs=1e-3)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(counts=st.lists(st.integers(0, 9), min_size=9, max_size=9), seed=st.integers(0, 1000))
def test_page_chart_and_csv_never_show_or_reveal_fewer_than_five(client, setting, counts, seed):
    months = {"start": setting["months"][0].strftime("%Y-%m"), "end": setting["months"][-1].strftime("%Y-%m")}
    with transaction.atomic():
        truth = write_monthly_answers(setting, counts, random.Random(seed))
        aggregation.rebuild_all()
        for viewer in (setting["admin"], setting["manager"].user):
            login(client, viewer)
            # The default view (all teams together for the administrator, the own team for the manager) and each
            # team's view; the CSV files have every team's rows even where the page has the all-teams ones only.
            views = [{}] + [{"team": team.pk} for team in setting["teams"]] if viewer == setting["admin"] else [{}]
            everything = build_dashboard(filters_for(
                dashboard_scope(setting["admin"]), start=setting["months"][0], end=setting["months"][-1], every_team=True,
            ))
            for view in views:
                page = client.get(reverse("wellbeing:dashboard"), {**months, **view})
                board = page.context["board"]
                complete = build_dashboard(filters_for(
                    dashboard_scope(viewer), team_id=str(view.get("team", "")), start=setting["months"][0],
                    end=setting["months"][-1], every_team=True,
                ))
                for slug in ("staff", "staff_phases"):
                    page_rows = dict((t.slug, rows) for t, rows in page.context["tables"])[slug]
                    exported_table = complete.table(slug)
                    # A row with figures comes from 5 or more real people, on the page and in the CSV alike.
                    for table, shown_rows in ((board.table(slug), page_rows), (exported_table, exported_table.display_rows())):
                        for row, shown, exported in zip(table.rows, shown_rows, table.csv_rows(), strict=True):
                            if row.visible:
                                assert len(people_behind(row, truth, setting)) >= THRESHOLD
                                assert SUPPRESSED not in row.values
                            else:
                                assert [text for text, _ in shown[-4:]] == ["fewer than 5"] * 4
                                assert exported[-4:] == ["fewer than 5"] * 4
                    # Every row of the page is in the CSV, as the page shows it.
                    assert all(row in exported_table.csv_rows() for row in board.table(slug).csv_rows())
                    exported = client.get(reverse("wellbeing:dashboard_export", args=[slug]), {**months, **view})
                    assert list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))[1:] == exported_table.csv_rows()
                # Chart points: a staff chart per measure, a line per team over the months (a team's view draws all
                # teams for reference); a phase chart per measure, bars per phase over the teams. Each point is the
                # figure of a visible row of the tables of every team and all teams.
                assert_chart_points_only_from_visible_rows(
                    board.table("staff"), lambda r: (r.values[0], r.values[1], r.values[3]),
                    lambda chart, label, dataset: (label, dataset["label"], chart["title"]), rows_from=everything.table("staff"),
                )
                if view == {} and viewer == setting["admin"]:  # all teams together: no team rows, nor their bars
                    assert not board.table("staff_phases").rows and not board.table("staff_phases").charts
                else:
                    assert_chart_points_only_from_visible_rows(
                        board.table("staff_phases"), lambda r: (r.values[0], r.values[1], r.values[2]),
                        lambda chart, label, dataset: (label, chart["title"], dataset["label"]),
                        rows_from=everything.table("staff_phases"),
                    )
                assert json.loads(json.dumps(board.table("staff").chart)) == board.table("staff").chart
            # Nothing hidden can be recomputed as a total minus the shown parts: all-teams months, team phases.
            cells = load_cells()
            for key, cell in cells.metric.items():
                metric, team_id, span, period = key
                if cell.suppressed:
                    continue
                if team_id is None and span == "month":
                    parts = [c for k, c in cells.metric.items() if (k[0], k[2], k[3]) == (metric, "month", period) and k[1] is not None]
                    hidden_people = [truth[(c.key[1], period)] for c in parts if c.suppressed]
                elif span in ("before_pairs", "with_pairs"):
                    parts = [
                        c for k, c in cells.metric.items()
                        if (k[0], k[1], k[2]) == (metric, team_id, "month")
                        and ("with_pairs" if team_id == setting["teams"][0].pk and k[3] >= setting["months"][1] else "before_pairs") == span
                    ]
                    hidden_people = [truth[(team_id, c.key[3])] for c in parts if c.suppressed]
                else:
                    continue
                if hidden_people:
                    assert len(hidden_people) >= 2, key
                    assert len(set().union(*hidden_people)) >= THRESHOLD, key
        transaction.set_rollback(True)


# --- Property: the stored analyses (client change, dose bands) -------------------------------------------

@st.composite
def client_sets(draw):
    """Per team, its clients' delivered paired visits by the follow-up (0: none before it); some client cells hidden above."""
    teams = draw(st.integers(1, 4))
    visits = {team: draw(st.lists(st.integers(0, 10), max_size=14)) for team in range(teams)}
    linked = draw(st.sets(st.sampled_from([None, *range(teams)]), max_size=2))
    return visits, linked


def build_evidence_truth(visits: dict) -> dict:
    """Every stored analysis key of one measure -> the clients behind it (clients numbered across teams)."""
    from wellbeing.evidence import STORED_BANDS
    from wellbeing.models import AnalysisKind

    metric = metrics.PERSONAL_WELLBEING_CHANGE
    truth: dict = {}
    number = 0
    for team, counts in visits.items():
        for count in counts:
            number += 1
            for team_id in (team, None):
                truth.setdefault((AnalysisKind.CLIENT_CHANGE, team_id, metric, None), set()).add(number)
                for low, high in STORED_BANDS:
                    if count >= low and (high is None or count <= high):
                        truth.setdefault((AnalysisKind.DOSE_BAND, team_id, metric, low), set()).add(number)
    return truth


def recoverable(hidden: list, groups, visible: set) -> list:
    """The hidden cells whose sum follows from the shown figures and the groups' equations (total = sum of parts)."""
    import numpy as np

    if not hidden:
        return []
    index = {key: i for i, key in enumerate(hidden)}
    rows = []
    for group in groups:
        unknowns = [key for key in (group.total, *group.parts) if key in index]
        if not unknowns:
            continue
        row = np.zeros(len(hidden))
        for key in group.parts:
            if key in index:
                row[index[key]] += 1
        if group.total in index:
            row[index[group.total]] -= 1
        rows.append(row)
    if not rows:
        return []
    system = np.array(rows)
    rank = np.linalg.matrix_rank(system)
    found = []
    for key, i in index.items():
        unit = np.zeros(len(hidden))
        unit[i] = 1
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            found.append(key)
    return found


@settings(max_examples=400, deadline=None)
@given(client_sets())
def test_no_stored_analysis_is_small_or_recoverable_from_the_shown_ones(case):
    from wellbeing.dashboard.evidence import NOT_SHOWN, evidence_groups, suppress_evidence
    from wellbeing.evidence import NO_VISITS_BAND
    from wellbeing.models import AnalysisKind

    visits, linked = case
    truth = build_evidence_truth(visits)
    linked_keys = [(AnalysisKind.CLIENT_CHANGE, team, metrics.PERSONAL_WELLBEING_CHANGE, None) for team in linked]
    cells = suppress_evidence({key: len(who) for key, who in truth.items()}, linked_hidden=linked_keys)
    groups = evidence_groups(cells)
    for key, cell in cells.items():
        if cell.visible:
            assert len(truth[key]) >= THRESHOLD, key
            assert not (key[0] == AnalysisKind.DOSE_BAND and key[3] == NO_VISITS_BAND[0]), key
            assert key not in linked_keys, key
        if key[0] == AnalysisKind.DOSE_BAND and key[3] == NO_VISITS_BAND[0]:
            assert cell.reason == NOT_SHOWN
    for group in groups:
        # The parts of every group are disjoint and make up its total.
        assert set().union(*(truth[key] for key in group.parts)) == truth[group.total], group
        if cells[group.total].suppressed:
            continue
        hidden = [key for key in group.parts if cells[key].suppressed]
        if hidden:
            assert len(hidden) >= 2, group
            assert len(set().union(*(truth[key] for key in hidden))) >= THRESHOLD, group
    # And across groups: no hidden figure follows from the shown ones by any combination of totals and parts.
    hidden = [key for key, cell in cells.items() if cell.suppressed]
    assert recoverable(hidden, groups, {key for key, cell in cells.items() if cell.visible}) == []
