"""The team's week and day calendars and "my visits": right visits, fixed query counts."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from access.models import AccessLog
from pairwork.models import Role
from tests import factories as f
from tests.conftest import login
from tests.factories import make_visit
from tests.scheduling import at, next_weekday
from visits.models import Visit, VisitParticipant, VisitStatus


@pytest.fixture
def monday():
    return next_weekday(0)


def many_visits(team, monday, *, pairs: int, per_day: int) -> list[Visit]:
    """pairs × 7 days × per_day hour-long visits, each pair with its own clients (plain inserts, fast)."""
    made_pairs = [f.WorkPairFactory(team=team) for _ in range(pairs)]
    clients = [f.ClientFactory(team=team) for _ in range(pairs)]
    visits = Visit.objects.bulk_create(
        Visit(client=clients[p], pair=pair, starts_at=at(monday + dt.timedelta(days=d), 7 + h),
              ends_at=at(monday + dt.timedelta(days=d), 8 + h))
        for p, pair in enumerate(made_pairs) for d in range(7) for h in range(per_day)
    )
    by_pk = {pair.pk: pair for pair in made_pairs}
    VisitParticipant.objects.bulk_create(
        VisitParticipant(visit=v, staff=person, role=role)
        for v in visits
        for person, role in ((by_pk[v.pair_id].artist, Role.ARTIST), (by_pk[v.pair_id].nurse, Role.NURSE))
    )
    return visits


def test_the_week_shows_the_teams_visits_by_day(client, coordinator, pair, client_record, other_team, monday):
    tuesday_visit = make_visit(pair=pair, client=client_record, starts_at=at(monday + dt.timedelta(days=1), 10))
    make_visit(pair=pair, client=client_record, starts_at=at(monday + dt.timedelta(weeks=1), 10))  # next week
    cancelled = make_visit(
        pair=pair, client=client_record, starts_at=at(monday, 12), status=VisitStatus.CANCELLED,
        cancellation_reason="Asiakas sairaalassa",
    )
    make_visit(pair=f.WorkPairFactory(team=other_team), starts_at=at(monday, 10))  # another team
    login(client, coordinator)

    response = client.get(reverse("visits:calendar"), {"week": monday.isoformat()})

    days = response.context["days"]
    assert [d.day for d in days] == [monday + dt.timedelta(days=i) for i in range(7)]
    # A cancelled visit stays where it was, struck through, with its reason.
    assert [[v.pk for v in d.visits] for d in days] == [[cancelled.pk], [tuesday_visit.pk], [], [], [], [], []]
    assert [[v.pk for v in d.active_visits] for d in days] == [[], [tuesday_visit.pk], [], [], [], [], []]
    page = response.content.decode()
    assert "Helmi Esimerkki" in page and "Aino Taiteilija &amp; Hanna Hoitaja" in page
    assert re.search(r'class="cal-visit-box[^"]*is-cancelled[^"]*"', page) and "Asiakas sairaalassa" in page
    assert response.context["previous_week"] == (monday - dt.timedelta(weeks=1)).isoformat()
    assert response.context["next_week"] == (monday + dt.timedelta(weeks=1)).isoformat()


def test_any_day_of_the_week_opens_that_week(client, coordinator, monday):
    login(client, coordinator)
    response = client.get(reverse("visits:calendar"), {"week": (monday + dt.timedelta(days=3)).isoformat()})
    assert response.context["monday"] == monday
    assert client.get(reverse("visits:calendar"), {"week": "not-a-date"}).status_code == 404


def test_the_week_costs_a_fixed_number_of_queries_with_hundreds_of_visits(
    client, coordinator, team, monday, django_assert_max_num_queries
):
    assert len(many_visits(team, monday, pairs=6, per_day=8)) == 336
    login(client, coordinator)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("visits:calendar"), {"week": monday.isoformat()})

    assert response.context["visit_count"] == 336
    assert AccessLog.objects.filter(action="list", user=coordinator.user).count() == 6


def test_the_day_view_lists_every_working_pair_with_free_ones_empty(client, coordinator, pair, client_record, team, monday):
    free_pair = f.WorkPairFactory(team=team)
    visit = make_visit(pair=pair, client=client_record, starts_at=at(monday, 10))
    login(client, coordinator)

    response = client.get(reverse("visits:calendar_day", args=[monday.isoformat()]))

    rows = {row.pair.pk: [v.pk for v in row.visits] for row in response.context["rows"]}
    assert rows == {pair.pk: [visit.pk], free_pair.pk: []}
    assert "Free all day" in response.content.decode()


def test_the_day_view_costs_a_fixed_number_of_queries(client, coordinator, team, monday, django_assert_max_num_queries):
    many_visits(team, monday, pairs=10, per_day=10)
    login(client, coordinator)

    with django_assert_max_num_queries(9):
        response = client.get(reverse("visits:calendar_day", args=[monday.isoformat()]))

    assert sum(len(row.visits) for row in response.context["rows"]) == 100  # of 700 that week


def test_artists_nurses_and_managers_have_no_team_calendar(client, artist, nurse, manager, monday):
    for person in (artist, nurse, manager):
        login(client, person)
        assert client.get(reverse("visits:calendar")).status_code == 403
        assert client.get(reverse("visits:calendar_day", args=[monday.isoformat()])).status_code == 403


def test_a_coordinator_of_another_team_sees_none_of_this_teams_visits(client, other_coordinator, pair, client_record, monday):
    make_visit(pair=pair, client=client_record, starts_at=at(monday, 10))
    login(client, other_coordinator)

    response = client.get(reverse("visits:calendar"), {"week": monday.isoformat()})
    picked = client.get(reverse("visits:calendar"), {"week": monday.isoformat(), "team": pair.team_id})

    assert response.context["visit_count"] == 0 and picked.context["visit_count"] == 0
    assert "Helmi" not in response.content.decode()


def test_my_visits_shows_today_and_upcoming_of_the_person_only(client, pair, nurse, client_record, team):
    from django.utils import timezone

    today = timezone.localdate()
    late_tonight = at(today, 23) if timezone.localtime().hour < 22 else None
    tomorrow = make_visit(pair=pair, client=client_record, starts_at=at(today + dt.timedelta(days=1), 10))
    tonight = make_visit(pair=pair, client=f.ClientFactory(team=team), starts_at=late_tonight) if late_tonight else None
    make_visit(pair=f.WorkPairFactory(team=team), starts_at=at(today + dt.timedelta(days=1), 10))  # someone else's
    make_visit(pair=pair, client=client_record, starts_at=at(today + dt.timedelta(days=30), 10))  # beyond two weeks
    login(client, nurse)

    response = client.get(reverse("visits:my_visits"))

    mine = response.context["mine"]
    assert [v.pk for v in mine.upcoming] == [tomorrow.pk]
    assert [v.pk for v in mine.today] == ([tonight.pk] if tonight else [])
    assert mine.upcoming[0].partner == pair.artist
    page = response.content.decode()
    assert "With Aino Taiteilija" in page and client_record.street_address in page
    assert client_record.health_notes not in page


def test_my_visits_costs_a_fixed_number_of_queries(client, team, monday, django_assert_max_num_queries):
    """A nurse in many pairs with hundreds of visits in the coming two weeks."""
    from django.utils import timezone

    nurse = f.NurseFactory(team=team)
    pairs = [f.WorkPairFactory(team=team, nurse=nurse) for _ in range(3)]
    start = at(timezone.localdate() + dt.timedelta(days=1), 0)
    client_record = f.ClientFactory(team=team)
    visits = Visit.objects.bulk_create(
        Visit(client=client_record, pair=pairs[i % 3],
              starts_at=start + dt.timedelta(minutes=30 * i), ends_at=start + dt.timedelta(minutes=30 * i + 30))
        for i in range(200)
    )
    VisitParticipant.objects.bulk_create(
        VisitParticipant(visit=v, staff=person, role=role)
        for v in visits
        for person, role in ((v.pair.artist, Role.ARTIST), (v.pair.nurse, Role.NURSE))
    )
    login(client, nurse)

    with django_assert_max_num_queries(7):
        response = client.get(reverse("visits:my_visits"))

    shown = response.context["mine"]
    assert len(shown.today) + len(shown.upcoming) == 50  # the page shows the next 50


def test_managers_without_visits_see_an_empty_my_visits(client, manager):
    login(client, manager)
    response = client.get(reverse("visits:my_visits"))
    assert response.status_code == 200
    assert response.context["mine"].today == [] and response.context["mine"].upcoming == []


# --- The week on a time axis ------------------------------------------------------------------------

def test_the_week_places_visits_on_a_quarter_hour_axis_with_overlaps_side_by_side(client, coordinator, pair, client_record, team, monday):
    other_pair = f.WorkPairFactory(team=team)
    at_ten = make_visit(pair=pair, client=client_record, starts_at=at(monday, 10))  # 10:00-11:00
    overlapping = make_visit(pair=other_pair, client=f.ClientFactory(team=team), starts_at=at(monday, 10, 30))
    after = make_visit(pair=pair, client=client_record, starts_at=at(monday, 11))  # back to back: lane 1 again
    login(client, coordinator)

    grid = client.get(reverse("visits:calendar"), {"week": monday.isoformat()}).context["grid"]

    # Working hours 8-18: row 1 is 08:00, each row a quarter of an hour.
    assert [hour.hour for hour, _row in grid.hours] == list(range(8, 18))
    monday_column = grid.days[0]
    placed = {p.visit.pk: (p.row, p.span, p.lane) for p in monday_column.placed}
    assert placed == {at_ten.pk: (9, 4, 1), overlapping.pk: (11, 4, 2), after.pk: (13, 4, 1)}
    assert monday_column.lanes == 2
    # 10:00-12:00 is taken; the other hours offer to schedule there.
    assert [hour.hour for hour, _row in monday_column.free_hours] == [8, 9, 12, 13, 14, 15, 16, 17]


def test_a_visit_outside_working_hours_widens_the_axis(client, coordinator, pair, client_record, monday):
    make_visit(pair=pair, client=client_record, starts_at=at(monday, 6, 30), minutes=45)
    make_visit(pair=pair, client=client_record, starts_at=at(monday + dt.timedelta(days=2), 19), minutes=90)
    login(client, coordinator)

    grid = client.get(reverse("visits:calendar"), {"week": monday.isoformat()}).context["grid"]

    assert [hour.hour for hour, _row in grid.hours] == list(range(6, 21))
    assert [(p.row, p.span) for p in grid.days[0].placed] == [(3, 3)]


def test_an_empty_hour_links_to_scheduling_with_its_day_and_time(client, coordinator, client_record, monday):
    login(client, coordinator)

    page = client.get(reverse("visits:calendar"), {"week": monday.isoformat()}).content.decode()
    link = f'{reverse("visits:schedule")}?day={monday.isoformat()}&amp;start_time=14:00&amp;duration_minutes=60'
    assert f'href="{link}"' in page

    form_page = client.get(link.replace("&amp;", "&"))
    assert form_page.status_code == 200
    html = form_page.content.decode()
    assert f'value="{monday.isoformat()}"' in html and 'value="14:00"' in html
    assert "This field is required" not in html


def test_one_persons_week_shows_only_their_visits(client, coordinator, pair, client_record, team, other_team, monday):
    mine = make_visit(pair=pair, client=client_record, starts_at=at(monday, 10))
    make_visit(pair=f.WorkPairFactory(team=team), client=f.ClientFactory(team=team), starts_at=at(monday, 12))
    stranger = f.NurseFactory(team=other_team)
    login(client, coordinator)

    response = client.get(reverse("visits:calendar"), {"week": monday.isoformat(), "person": pair.nurse.pk})
    assert [v.pk for d in response.context["days"] for v in d.visits] == [mine.pk]
    assert response.context["person"] == pair.nurse
    assert "Hanna Hoitaja" in response.content.decode()

    # Someone outside the coordinator's teams is not a choice: the whole team's week is shown.
    response = client.get(reverse("visits:calendar"), {"week": monday.isoformat(), "person": stranger.pk})
    assert response.context["person"] is None
    assert len([v for d in response.context["days"] for v in d.visits]) == 2


def test_the_calendars_print_without_the_menus(client, coordinator, monday):
    login(client, coordinator)

    for url in (reverse("visits:calendar"), reverse("visits:calendar_day", args=[monday.isoformat()])):
        page = client.get(url).content.decode()
        assert re.search(r'<nav class="navbar[^"]*d-print-none', page)
        assert "calendar-grid.css" in page and "data-print" in page
