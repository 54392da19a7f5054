"""GET /api/v1/clients/{id}/free-times/ and a booking into a client absence (409)."""
from __future__ import annotations

import datetime as dt

import pytest

from access.models import AccessLog
from tests.scheduling import at, next_weekday
from visits.client_absences import record_client_absence
from visits.models import ClientAbsence, Visit


@pytest.fixture
def monday():
    return next_weekday(0, weeks_ahead=2)


def url(client):
    return f"/api/v1/clients/{client.pk}/free-times/"


def test_free_times_answer_bookable_slots_with_reasons(api_as, coordinator, client_record, pair, monday):
    answer = api_as(coordinator).get(url(client_record), {
        "date_from": monday.isoformat(), "date_to": (monday + dt.timedelta(days=2)).isoformat(),
        "duration_minutes": 90, "weekdays": [0, 2], "time_from": "13:00", "time_to": "16:00",
    })
    assert answer.status_code == 200, answer.data
    slots = answer.json()["free_times"]
    assert [dt.datetime.fromisoformat(s["starts_at"]) for s in slots] == [at(monday, 13), at(monday + dt.timedelta(days=2), 13)]
    assert slots[0]["pair"] == pair.pk and slots[0]["recommended"] is True
    assert slots[0]["reasons"] and {"text", "positive"} <= set(slots[0]["reasons"][0])
    # The slot books: the same client, pair and time through the visits API.
    booked = api_as(coordinator).post("/api/v1/visits/", {
        "client": client_record.pk, "pair": pair.pk, "starts_at": slots[0]["starts_at"], "ends_at": slots[0]["ends_at"],
    }, format="json")
    assert booked.status_code == 201, booked.data
    row = AccessLog.objects.filter(client_id=client_record.pk, channel="api", action="view").latest("id")
    assert row.allowed


def test_the_clients_preferences_are_the_default(api_as, coordinator, client_record, monday):
    client_record.preferred_weekdays, client_record.preferred_time_of_day = [3], "afternoon"
    client_record.save()
    slots = api_as(coordinator).get(url(client_record), {"date_from": monday.isoformat()}).json()["free_times"]
    assert slots and all(dt.datetime.fromisoformat(s["starts_at"]).astimezone(at(monday, 0).tzinfo).weekday() == 3 for s in slots)
    assert all(dt.datetime.fromisoformat(s["starts_at"]).astimezone(at(monday, 0).tzinfo).hour >= 12 for s in slots)
    anywhen = api_as(coordinator).get(url(client_record), {"date_from": monday.isoformat(), "any_time": "true"}).json()
    assert dt.datetime.fromisoformat(anywhen["free_times"][0]["starts_at"]) == at(monday, 7)


@pytest.mark.parametrize("query, field", [
    ({"duration_minutes": 5}, "duration_minutes"),
    ({"date_from": "2026-13-01"}, "date_from"),
    ({"weekdays": [9]}, "weekdays"),
    ({"time_from": "12:00"}, "time_to"),
    ({"time_from": "12:00", "time_to": "11:00"}, "time_to"),
    ({"pair": 999999}, "pair"),
    ({"limit": 0}, "limit"),
])
def test_bad_query_parameters_answer_400_on_the_field(api_as, coordinator, client_record, query, field):
    answer = api_as(coordinator).get(url(client_record), query)
    assert answer.status_code == 400
    assert field in answer.json()


def test_a_range_ending_before_it_starts_is_400(api_as, coordinator, client_record, monday):
    answer = api_as(coordinator).get(url(client_record), {
        "date_from": monday.isoformat(), "date_to": (monday - dt.timedelta(days=1)).isoformat(),
    })
    assert answer.status_code == 400 and "date_to" in answer.json()


@pytest.mark.parametrize("persona", ["other_coordinator", "artist", "nurse"])
def test_outsiders_and_the_pair_are_refused_and_logged(api_as, client_record, persona, request):
    answer = api_as(request.getfixturevalue(persona)).get(url(client_record))
    assert answer.status_code == 404
    assert AccessLog.objects.filter(client_id=client_record.pk, allowed=False).count() == 1


def test_booking_into_a_client_absence_is_409(api_as, coordinator, client_record, pair, monday):
    record_client_absence(client=client_record, kind=ClientAbsence.Kind.RESPITE, starts_on=monday, ends_on=monday,
                          reason="Intervallijakso", by=coordinator.user)
    answer = api_as(coordinator).post("/api/v1/visits/", {
        "client": client_record.pk, "pair": pair.pk, "starts_at": at(monday, 10).isoformat(),
        "ends_at": at(monday, 11).isoformat(),
    }, format="json")
    assert answer.status_code == 409
    assert answer.json()["conflicts"][0]["kind"] == "absence"
    assert "Intervallijakso" not in answer.content.decode()
    assert not Visit.objects.exists()
