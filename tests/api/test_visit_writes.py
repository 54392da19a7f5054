"""Scheduling over the API: create, series, reschedule and cancel go through visits.services.

The same rules as the scheduling pages (coordinators of the team and
administrators only; consent, team, duration; the database refuses double
bookings) with the API's answers: 201/200, 400 on the field, 403 for roles
that never schedule, 404 outside scope, 409 naming who is busy and when.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from access.models import AccessLog
from tests import factories as f
from tests.factories import make_visit
from visits.models import Visit, VisitEvent, VisitSeries

VISITS = "/api/v1/visits/"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def monday():
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


@pytest.fixture
def booking(pair, client_record, monday):
    """A valid body: Helmi with Aino and Hanna, Monday 10:00–11:00 Helsinki time."""
    return {
        "client": client_record.pk, "pair": pair.pk,
        "starts_at": at(monday, 10).isoformat(), "ends_at": at(monday, 11).isoformat(),
    }


@pytest.fixture
def hanna_busy(pair, team, monday):
    """Nurse Hanna already visits another client Monday 10:30–11:30; a second pair has Hanna too."""
    make_visit(pair=pair, client=f.ClientFactory(team=team), starts_at=at(monday, 10, 30))
    return f.WorkPairFactory(team=team, nurse=pair.nurse)


def api_rows(**filters) -> list[tuple]:
    return list(AccessLog.objects.filter(**filters).values_list("object_type", "action", "channel", "allowed"))


# --- Create ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "admin_user"])
def test_a_coordinator_or_administrator_schedules_a_visit(persona, request, api_as, booking, pair, client_record, monday):
    response = api_as(request.getfixturevalue(persona)).post(VISITS, booking, format="json")

    assert response.status_code == 201, response.json()
    visit = Visit.objects.get()
    assert response.json()["id"] == visit.pk
    assert (visit.client, visit.pair, visit.starts_at, visit.ends_at, visit.status) == (
        client_record, pair, at(monday, 10), at(monday, 11), "planned",
    )
    assert {p["name"] for p in response.json()["participants"]} == {"Aino Taiteilija", "Hanna Hoitaja"}
    assert visit.events.get().kind == VisitEvent.Kind.SCHEDULED
    assert api_rows(client=client_record) == [("visit", "create", "api", True)]


def test_a_clash_is_409_naming_busy_nurse_hanna_and_when_and_nothing_is_saved(
    api_as, coordinator, hanna_busy, booking, monday
):
    booking["pair"] = hanna_busy.pk
    before = Visit.objects.count()

    response = api_as(coordinator).post(VISITS, booking, format="json")

    assert response.status_code == 409
    body = response.json()
    [clash] = body["conflicts"]
    assert (clash["kind"], clash["person_name"], clash["role"], clash["staff_id"]) == (
        "person", "Hanna Hoitaja", "nurse", hanna_busy.nurse_id,
    )
    assert dt.datetime.fromisoformat(clash["starts_at"]) == at(monday, 10, 30)
    assert dt.datetime.fromisoformat(clash["ends_at"]) == at(monday, 11, 30)
    assert "Hanna Hoitaja" in body["detail"]
    assert dt.datetime.fromisoformat(body["requested"]["starts_at"]) == at(monday, 10)
    assert Visit.objects.count() == before


def test_cancelling_frees_the_slot_for_a_new_booking(api_as, coordinator, hanna_busy, booking):
    busy_visit = Visit.objects.get()
    client = api_as(coordinator)
    assert client.post(VISITS, {**booking, "pair": hanna_busy.pk}, format="json").status_code == 409

    cancelled = client.post(f"{VISITS}{busy_visit.pk}/cancel/", {"reason": "Asiakas sairaana"}, format="json")
    assert cancelled.status_code == 200, cancelled.json()
    assert [row["status"] for row in cancelled.json()["visits"]] == ["cancelled"]

    assert client.post(VISITS, {**booking, "pair": hanna_busy.pk}, format="json").status_code == 201
    busy_visit.refresh_from_db()
    assert (busy_visit.status, busy_visit.cancellation_reason) == ("cancelled", "Asiakas sairaana")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "not a time"}, "ends_at"),
        ({"client": 999999}, "client"),
        ({"pair": None}, "pair"),
    ],
)
def test_bad_input_is_400_on_the_field(api_as, coordinator, booking, change, field):
    response = api_as(coordinator).post(VISITS, {**booking, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Visit.objects.exists()


def test_the_services_rules_are_400_on_their_fields(api_as, coordinator, booking, monday, client_record):
    too_short = {**booking, "ends_at": at(monday, 10, 5).isoformat()}
    response = api_as(coordinator).post(VISITS, too_short, format="json")
    assert response.status_code == 400
    assert response.json() == {"ends_at": ["A visit lasts from 15 minutes to 8 hours."]}

    client_record.consent_given = False
    client_record.save(update_fields=["consent_given"])
    response = api_as(coordinator).post(VISITS, booking, format="json")
    assert response.status_code == 400
    assert "consent" in response.json()["client"][0]
    assert not Visit.objects.exists()


def test_another_teams_coordinator_cannot_book_our_client(api_as, other_coordinator, booking):
    response = api_as(other_coordinator).post(VISITS, booking, format="json")
    # Our client and pair are outside their scope: refused as if they did not exist.
    assert response.status_code == 400
    assert {"client", "pair"} <= set(response.json())
    assert not Visit.objects.exists()


@pytest.mark.parametrize("persona", ["artist", "nurse", "manager"])
def test_artists_nurses_and_managers_cannot_schedule(persona, request, api_as, booking):
    response = api_as(request.getfixturevalue(persona)).post(VISITS, booking, format="json")
    assert response.status_code == 403
    assert not Visit.objects.exists()


def test_a_token_holding_system_schedules_as_its_coordinator(token_client, coordinator, booking):
    assert token_client(coordinator).post(VISITS, booking, format="json").status_code == 201
    assert Visit.objects.get().created_by == coordinator.user


# --- Series ---------------------------------------------------------------------------


def test_a_series_reports_created_and_skipped_occurrences_with_who_was_busy(
    api_as, coordinator, pair, client_record, team, monday
):
    # Hanna is busy on the second Monday.
    make_visit(pair=f.WorkPairFactory(team=team, nurse=pair.nurse), starts_at=at(monday + dt.timedelta(weeks=1), 10))
    body = {
        "client": client_record.pk, "pair": pair.pk, "first_starts_at": at(monday, 10).isoformat(),
        "duration_minutes": 60, "interval_weeks": 1, "count": 3,
    }

    response = api_as(coordinator).post(f"{VISITS}series/", body, format="json")

    assert response.status_code == 201, response.json()
    report = response.json()
    series = VisitSeries.objects.get()
    assert report["series"] == series.pk
    assert [dt.datetime.fromisoformat(v["starts_at"]) for v in report["created"]] == [
        at(monday, 10), at(monday + dt.timedelta(weeks=2), 10),
    ]
    [skipped] = report["skipped"]
    assert skipped["reason"] == "busy"
    assert [(c["person_name"], c["role"]) for c in skipped["clashes"]] == [("Hanna Hoitaja", "nurse")]
    assert set(series.visits.values_list("starts_at", flat=True)) == {at(monday, 10), at(monday + dt.timedelta(weeks=2), 10)}


def test_a_series_without_an_end_is_400(api_as, coordinator, pair, client_record, monday):
    body = {"client": client_record.pk, "pair": pair.pk, "first_starts_at": at(monday, 10).isoformat(), "duration_minutes": 60}
    response = api_as(coordinator).post(f"{VISITS}series/", body, format="json")
    assert response.status_code == 400
    assert "until" in response.json()
    assert not VisitSeries.objects.exists()


# --- Reschedule and cancel --------------------------------------------------------------


@pytest.fixture
def planned(pair, client_record, monday):
    return make_visit(pair=pair, client=client_record, starts_at=at(monday, 9))


def test_rescheduling_moves_the_visit_and_keeps_the_history(api_as, coordinator, planned, monday, client_record):
    body = {"starts_at": at(monday, 13).isoformat(), "ends_at": at(monday, 14, 30).isoformat(), "reason": "Lääkäri aamulla"}

    response = api_as(coordinator).post(f"{VISITS}{planned.pk}/reschedule/", body, format="json")

    assert response.status_code == 200, response.json()
    planned.refresh_from_db()
    assert (planned.starts_at, planned.ends_at) == (at(monday, 13), at(monday, 14, 30))
    event = planned.events.get()
    assert (event.kind, event.previous_starts_at, event.reason) == (VisitEvent.Kind.RESCHEDULED, at(monday, 9), "Lääkäri aamulla")
    # One row for the request, written by the service, on the API channel.
    assert api_rows(client=client_record) == [("visit", "update", "api", True)]


def test_rescheduling_the_rest_of_a_series_moves_every_later_visit(api_as, coordinator, pair, client_record, monday):
    client = api_as(coordinator)
    series = client.post(f"{VISITS}series/", {
        "client": client_record.pk, "pair": pair.pk, "first_starts_at": at(monday, 10).isoformat(),
        "duration_minutes": 60, "count": 3,
    }, format="json").json()
    first, second, third = (row["id"] for row in series["created"])

    body = {
        "starts_at": at(monday + dt.timedelta(weeks=1, days=1), 12).isoformat(),
        "ends_at": at(monday + dt.timedelta(weeks=1, days=1), 13).isoformat(),
        "reason": "Tiistait sopivat paremmin", "scope": "following",
    }
    response = client.post(f"{VISITS}{second}/reschedule/", body, format="json")

    assert response.status_code == 200, response.json()
    assert [row["id"] for row in response.json()["visits"]] == [second, third]
    starts = dict(Visit.objects.values_list("pk", "starts_at"))
    assert starts[first] == at(monday, 10)
    assert starts[third] == at(monday + dt.timedelta(weeks=2, days=1), 12)


def test_rescheduling_onto_a_busy_nurse_is_409_and_changes_nothing(api_as, coordinator, planned, team, pair, monday):
    make_visit(pair=f.WorkPairFactory(team=team, nurse=pair.nurse), starts_at=at(monday, 13))
    body = {"starts_at": at(monday, 13).isoformat(), "ends_at": at(monday, 14).isoformat(), "reason": "Siirto"}

    response = api_as(coordinator).post(f"{VISITS}{planned.pk}/reschedule/", body, format="json")

    assert response.status_code == 409
    assert [c["person_name"] for c in response.json()["conflicts"]] == ["Hanna Hoitaja"]
    planned.refresh_from_db()
    assert planned.starts_at == at(monday, 9)
    assert not planned.events.exists()


def test_a_change_needs_a_reason(api_as, coordinator, planned):
    response = api_as(coordinator).post(f"{VISITS}{planned.pk}/cancel/", {"reason": ""}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    planned.refresh_from_db()
    assert planned.status == "planned"


def test_a_cancelled_visit_cannot_be_cancelled_again(api_as, coordinator, planned):
    client = api_as(coordinator)
    assert client.post(f"{VISITS}{planned.pk}/cancel/", {"reason": "Sairas"}, format="json").status_code == 200
    response = client.post(f"{VISITS}{planned.pk}/cancel/", {"reason": "Sairas"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


@pytest.mark.parametrize("operation", ["reschedule", "cancel"])
def test_another_teams_coordinator_gets_404_and_the_refusal_is_logged(operation, api_as, other_coordinator, planned, monday):
    body = {"starts_at": at(monday, 13).isoformat(), "ends_at": at(monday, 14).isoformat(), "reason": "Siirto"}

    response = api_as(other_coordinator).post(f"{VISITS}{planned.pk}/{operation}/", body, format="json")

    assert response.status_code == 404
    planned.refresh_from_db()
    assert (planned.starts_at, planned.status) == (at(monday, 9), "planned")
    assert api_rows(client=planned.client) == [("visit", "update", "api", False)]


def test_an_unknown_visit_is_404(api_as, coordinator):
    assert api_as(coordinator).post(f"{VISITS}999999/cancel/", {"reason": "x"}, format="json").status_code == 404


@pytest.mark.parametrize("persona", ["artist", "nurse"])
@pytest.mark.parametrize("operation", ["reschedule", "cancel"])
def test_the_pair_itself_cannot_move_or_cancel_its_visit(persona, operation, request, api_as, planned, monday):
    body = {"starts_at": at(monday, 13).isoformat(), "ends_at": at(monday, 14).isoformat(), "reason": "Siirto"}
    response = api_as(request.getfixturevalue(persona)).post(f"{VISITS}{planned.pk}/{operation}/", body, format="json")
    assert response.status_code == 403
    planned.refresh_from_db()
    assert (planned.starts_at, planned.status) == (at(monday, 9), "planned")
