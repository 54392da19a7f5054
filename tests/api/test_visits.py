"""Visits over the API (read): scope, filters, and the access log."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from access.models import AccessLog
from tests import factories as f
from tests.factories import make_visit
from visits.models import Visit

VISITS = "/api/v1/visits/"


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def monday():
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


@pytest.fixture
def visits(pair, client_record, monday):
    """Our pair's visits on Monday 9:00, Tuesday 9:00 (cancelled) and Thursday 9:00."""
    return {
        "monday": make_visit(pair=pair, client=client_record, starts_at=at(monday, 9)),
        "tuesday": make_visit(
            pair=pair, client=client_record, starts_at=at(monday + dt.timedelta(days=1), 9),
            status="cancelled", cancellation_reason="Sairastui",
        ),
        "thursday": make_visit(pair=pair, client=client_record, starts_at=at(monday + dt.timedelta(days=3), 9)),
    }


@pytest.fixture
def other_team_visit(other_team):
    return make_visit(pair=f.WorkPairFactory(team=other_team))


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("persona", ["artist", "nurse", "coordinator", "admin_user"])
def test_visits_in_scope_are_listed(persona, request, api_as, visits, other_team_visit):
    expected = {v.pk for v in visits.values()}
    if persona == "admin_user":
        expected.add(other_team_visit.pk)
    assert ids(api_as(request.getfixturevalue(persona)).get(VISITS)) == expected


@pytest.mark.parametrize("persona", ["other_artist", "other_nurse", "manager", "other_coordinator"])
def test_staff_outside_the_visits_see_none_and_get_404_on_one(persona, request, api_as, visits):
    client = api_as(request.getfixturevalue(persona))
    assert ids(client.get(VISITS)) == set()
    assert client.get(f"{VISITS}{visits['monday'].pk}/").status_code == 404
    assert AccessLog.objects.filter(allowed=False, object_type="visit").count() == 1


def test_a_visit_shows_pair_participants_and_client_but_no_health_data(api_as, artist, visits, client_record):
    row = api_as(artist).get(f"{VISITS}{visits['monday'].pk}/").json()
    assert row["client"] == {"id": client_record.pk, "first_name": "Helmi", "last_name": "Esimerkki", "area": "Kallio"}
    assert {(p["name"], p["role"]) for p in row["participants"]} == {("Aino Taiteilija", "artist"), ("Hanna Hoitaja", "nurse")}
    assert row["duration_minutes"] == 60
    assert client_record.health_notes not in str(row)


def test_reading_a_visit_is_logged_against_its_client(api_as, nurse, visits, client_record):
    api_as(nurse).get(f"{VISITS}{visits['monday'].pk}/")
    row = AccessLog.objects.get()
    assert (row.client_id, row.object_type, row.object_id, row.action, row.channel, row.grounds) == (
        client_record.pk, "visit", str(visits["monday"].pk), "view", "api", "visit participant",
    )


def test_listing_visits_logs_one_row_per_client_shown(api_as, coordinator, visits, client_record, pair):
    second_client_visit = make_visit(pair=pair, starts_at=visits["thursday"].ends_at)
    api_as(coordinator).get(VISITS)
    rows = AccessLog.objects.filter(action="list", object_type="visit", channel="api")
    assert sorted(r.client_id for r in rows) == sorted([client_record.pk, second_client_visit.client_id])


def test_filter_by_local_date_range(api_as, coordinator, visits, monday):
    client = api_as(coordinator)
    tuesday = (monday + dt.timedelta(days=1)).isoformat()
    assert ids(client.get(VISITS, {"date_from": tuesday, "date_to": tuesday})) == {visits["tuesday"].pk}
    assert ids(client.get(VISITS, {"date_from": tuesday})) == {visits["tuesday"].pk, visits["thursday"].pk}
    assert ids(client.get(VISITS, {"date_to": monday.isoformat()})) == {visits["monday"].pk}


def test_a_visit_late_in_the_evening_belongs_to_its_helsinki_day(api_as, coordinator, pair, monday):
    # 23:30 in Helsinki is 21:30 or 20:30 UTC: still Monday, never Tuesday.
    late = make_visit(pair=pair, starts_at=at(monday, 23).replace(minute=0), minutes=30)
    assert ids(api_as(coordinator).get(VISITS, {"date_from": monday.isoformat(), "date_to": monday.isoformat()})) == {late.pk}
    tuesday = (monday + dt.timedelta(days=1)).isoformat()
    assert ids(api_as(coordinator).get(VISITS, {"date_from": tuesday, "date_to": tuesday})) == set()


def test_filter_by_status_team_pair_and_client(api_as, admin_user, visits, pair, team, client_record, other_team_visit):
    client = api_as(admin_user)
    assert ids(client.get(VISITS, {"status": "cancelled"})) == {visits["tuesday"].pk}
    assert ids(client.get(VISITS, {"status": ["planned", "cancelled"], "team": team.pk})) == {v.pk for v in visits.values()}
    assert ids(client.get(VISITS, {"pair": other_team_visit.pair_id})) == {other_team_visit.pk}
    assert ids(client.get(VISITS, {"client": client_record.pk, "status": "planned"})) == {
        visits["monday"].pk, visits["thursday"].pk,
    }


def test_a_bad_filter_value_is_400_on_that_field(api_as, coordinator, visits):
    response = api_as(coordinator).get(VISITS, {"date_from": "next week", "status": "finished"})
    assert response.status_code == 400
    assert {"date_from", "status"} <= set(response.json())


def test_a_pair_filter_outside_scope_is_refused(api_as, coordinator, other_team_visit):
    response = api_as(coordinator).get(VISITS, {"pair": other_team_visit.pair_id})
    assert response.status_code == 400
    assert "pair" in response.json()


def test_ordering_newest_first(api_as, coordinator, visits):
    rows = api_as(coordinator).get(VISITS, {"ordering": "-starts_at"}).json()["results"]
    assert [r["id"] for r in rows] == [visits["thursday"].pk, visits["tuesday"].pk, visits["monday"].pk]


def test_visits_are_never_deleted_or_edited_in_place(api_as, coordinator, visits):
    # Changes go through reschedule and cancel, which keep the history (tests/api/test_visit_writes.py).
    assert api_as(coordinator).delete(f"{VISITS}{visits['monday'].pk}/").status_code == 405
    assert api_as(coordinator).patch(f"{VISITS}{visits['monday'].pk}/", {}).status_code == 405
    assert Visit.objects.count() == 3
