"""/api/v1/absences/: read within scope, record, shorten, withdraw; bookings of an absent person are 409."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from access.models import AccessLog
from pairwork.api_errors import SchedulingConflictSerializer
from tests import factories as f
from tests.factories import make_visit
from tests.scheduling import at, next_weekday
from visits import absences
from visits.models import StaffAbsence, Visit

ABSENCES = "/api/v1/absences/"


@pytest.fixture
def monday():
    return next_weekday(0)


@pytest.fixture
def sick_monday(nurse, coordinator, monday):
    starts_at, ends_at = absences.all_day_range(monday, monday)
    return absences.record_absence(person=nurse, kind="sick_leave", starts_at=starts_at, ends_at=ends_at, all_day=True,
                                   by=coordinator.user)


def test_a_coordinator_records_an_all_day_absence_and_sees_the_affected_visits(api_as, coordinator, nurse, pair, client_record, monday):
    visit = make_visit(pair=pair, client=client_record, starts_at=at(monday, 10))
    response = api_as(coordinator).post(ABSENCES, {
        "person": nurse.pk, "kind": "holiday", "all_day": True, "first_day": monday.isoformat(), "last_day": monday.isoformat(),
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["affected_visits"] == [visit.pk] and body["person_name"] == nurse.display_name
    assert body["period"] == f"{monday.day}.{monday.month}.{monday.year}"
    absence = StaffAbsence.objects.get()
    assert (absence.kind, absence.all_day, absence.starts_at) == ("holiday", True, absences.all_day_range(monday, monday)[0])
    assert not AccessLog.objects.exists(), "staff data: no access-log rows"


def test_hours_without_an_offset_are_read_on_the_helsinki_clock(api_as, coordinator, artist, monday):
    response = api_as(coordinator).post(ABSENCES, {
        "person": artist.pk, "kind": "training", "starts_at": f"{monday.isoformat()}T09:00", "ends_at": f"{monday.isoformat()}T12:00",
    }, format="json")
    assert response.status_code == 201, response.json()
    assert StaffAbsence.objects.get().starts_at == at(monday, 9)


@pytest.mark.parametrize("body, field", [
    ({"kind": "holiday", "all_day": True, "first_day": "2099-01-02"}, "last_day"),
    ({"kind": "holiday"}, "starts_at"),
    ({"kind": "nap", "all_day": True, "first_day": "2027-01-02", "last_day": "2027-01-02"}, "kind"),
    ({"kind": "holiday", "all_day": True, "first_day": "2027-01-05", "last_day": "2027-01-02"}, "last_day"),
    ({"kind": "holiday", "starts_at": "2027-01-05T12:00", "ends_at": "2027-01-05T09:00"}, "ends_at"),
])
def test_bad_input_is_400_on_the_field(api_as, coordinator, nurse, body, field):
    response = api_as(coordinator).post(ABSENCES, {"person": nurse.pk, **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not StaffAbsence.objects.exists()


def test_a_person_outside_ones_teams_is_a_field_error_and_a_holiday_of_ones_own_is_403(
    api_as, coordinator, nurse, other_team, monday
):
    outsider = f.NurseFactory(team=other_team)
    day = {"all_day": True, "first_day": monday.isoformat(), "last_day": monday.isoformat()}
    assert api_as(coordinator).post(ABSENCES, {"person": outsider.pk, "kind": "holiday", **day}, format="json").status_code == 400
    assert api_as(nurse).post(ABSENCES, {"person": nurse.pk, "kind": "holiday", **day}, format="json").status_code == 403
    assert api_as(nurse).post(ABSENCES, {"person": nurse.pk, "kind": "sick_leave", **day}, format="json").status_code == 201
    assert list(StaffAbsence.objects.values_list("person", "kind")) == [(nurse.pk, "sick_leave")]


def test_the_list_shows_each_user_what_they_may_see(api_as, sick_monday, nurse, artist, coordinator, other_coordinator, manager):
    def ids(persona):
        return [row["id"] for row in api_as(persona).get(ABSENCES).json()["results"]]

    assert ids(coordinator) == ids(nurse) == [sick_monday.pk]
    assert ids(artist) == ids(other_coordinator) == ids(manager) == []
    assert api_as(other_coordinator).get(f"{ABSENCES}{sick_monday.pk}/").status_code == 404


def test_shortening_with_patch_and_withdrawing(api_as, coordinator, nurse, monday):
    starts_at, ends_at = absences.all_day_range(monday, monday + dt.timedelta(days=3))
    absence = absences.record_absence(person=nurse, kind="holiday", starts_at=starts_at, ends_at=ends_at, all_day=True,
                                      by=coordinator.user)
    client = api_as(coordinator)
    later = client.patch(f"{ABSENCES}{absence.pk}/", {"last_day": (monday + dt.timedelta(days=5)).isoformat()}, format="json")
    assert later.status_code == 400 and "ends_at" in later.json()
    shorter = client.patch(f"{ABSENCES}{absence.pk}/", {"last_day": monday.isoformat()}, format="json")
    assert shorter.status_code == 200
    absence.refresh_from_db()
    assert absence.ends_at == absences.all_day_range(monday, monday)[1]
    assert api_as(nurse).post(f"{ABSENCES}{absence.pk}/withdraw/").status_code == 403
    withdrawn = client.post(f"{ABSENCES}{absence.pk}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    assert client.post(f"{ABSENCES}{absence.pk}/withdraw/").status_code == 400
    assert StaffAbsence.objects.filter(pk=absence.pk, withdrawn_by=coordinator.user).exists()


def test_booking_an_absent_nurse_is_409_naming_her_and_the_absence(api_as, coordinator, sick_monday, nurse, pair, client_record, monday):
    response = api_as(coordinator).post("/api/v1/visits/", {
        "client": client_record.pk, "pair": pair.pk, "starts_at": at(monday, 10).isoformat(), "ends_at": at(monday, 11).isoformat(),
    }, format="json")
    assert response.status_code == 409
    body = response.json()
    assert SchedulingConflictSerializer(data=body).is_valid(), SchedulingConflictSerializer(data=body).errors
    [clash] = body["conflicts"]
    assert (clash["kind"], clash["staff_id"], clash["absence_kind"]) == ("absence", nurse.pk, "sick_leave")
    assert nurse.display_name in body["detail"] and f"{monday.day}.{monday.month}.{monday.year}" in body["detail"]
    assert not Visit.objects.exists()


def test_a_series_through_the_api_reports_the_absent_week_as_skipped(api_as, coordinator, sick_monday, pair, client_record, monday):
    response = api_as(coordinator).post("/api/v1/visits/series/", {
        "client": client_record.pk, "pair": pair.pk, "first_starts_at": at(monday, 10).isoformat(),
        "duration_minutes": 60, "count": 2,
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert len(body["created"]) == 1
    [skip] = body["skipped"]
    assert skip["reason"] == "absent" and skip["clashes"][0]["kind"] == "absence"
    assert "is absent" in skip["clashes"][0]["message"]
