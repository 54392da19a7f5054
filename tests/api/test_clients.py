"""Client records over the API: scope by role, fields by role, every read and change logged."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from access.models import AccessLog
from clients.models import Client
from tests import factories as f
from tests.factories import make_visit

CLIENTS = "/api/v1/clients/"
CARE_FIELDS = {"birth_year", "phone", "health_notes", "consent_given", "consent_date"}


@pytest.fixture
def visit(pair, client_record):
    return make_visit(pair=pair, client=client_record)


@pytest.fixture
def other_client(other_team):
    return f.ClientFactory(team=other_team, first_name="Toivo")


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- reading ---------------------------------------------------------------------


def test_coordinator_lists_own_team_clients_only(api_as, coordinator, client_record, other_client):
    response = api_as(coordinator).get(CLIENTS)
    assert response.status_code == 200
    assert ids(response) == {client_record.pk}


@pytest.mark.parametrize("persona", ["artist", "nurse"])
def test_pair_members_list_only_the_clients_of_their_visits(persona, request, api_as, visit, client_record, team):
    f.ClientFactory(team=team, first_name="Elli")  # same team, no visit with them
    assert ids(api_as(request.getfixturevalue(persona)).get(CLIENTS)) == {client_record.pk}


@pytest.mark.parametrize("persona", ["other_artist", "other_nurse", "manager"])
def test_staff_without_a_visit_and_managers_list_no_clients(persona, request, api_as, visit):
    response = api_as(request.getfixturevalue(persona)).get(CLIENTS)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_artist_gets_the_visit_subset_without_health_notes(api_as, artist, visit, client_record):
    row = api_as(artist).get(f"{CLIENTS}{client_record.pk}/").json()
    assert not CARE_FIELDS & set(row)
    assert (row["first_name"], row["safety_notes"]) == ("Helmi", client_record.safety_notes)
    assert client_record.health_notes not in str(row)
    listed = api_as(artist).get(CLIENTS).json()["results"][0]
    assert not CARE_FIELDS & set(listed)


@pytest.mark.parametrize("persona", ["nurse", "coordinator", "admin_user"])
def test_care_staff_get_the_health_notes(persona, request, api_as, visit, client_record):
    row = api_as(request.getfixturevalue(persona)).get(f"{CLIENTS}{client_record.pk}/").json()
    assert CARE_FIELDS <= set(row)
    assert row["health_notes"] == client_record.health_notes


@pytest.mark.parametrize("persona", ["other_coordinator", "other_artist", "other_nurse", "manager"])
def test_a_client_outside_the_callers_scope_is_404_and_the_denial_is_logged(persona, request, api_as, visit, client_record):
    person = request.getfixturevalue(persona)
    response = api_as(person).get(f"{CLIENTS}{client_record.pk}/")
    assert response.status_code == 404
    row = AccessLog.objects.get()
    assert (row.client_id, row.allowed, row.channel, row.user_id) == (client_record.pk, False, "api", person.user.pk)


def test_an_existing_client_outside_scope_looks_exactly_like_a_missing_one(api_as, other_coordinator, client_record):
    client = api_as(other_coordinator)
    hidden, missing = client.get(f"{CLIENTS}{client_record.pk}/"), client.get(f"{CLIENTS}999999/")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json()) == (404, {"detail": "Not found."})


def test_a_non_numeric_client_id_is_404_not_500(api_as, coordinator):
    assert api_as(coordinator).get(f"{CLIENTS}abc/").status_code == 404
    assert api_as(coordinator).get(f"{CLIENTS}abc/service-circle/").status_code == 404


def test_reading_a_client_writes_one_access_log_row_with_grounds(api_as, nurse, visit, client_record):
    api_as(nurse).get(f"{CLIENTS}{client_record.pk}/")
    row = AccessLog.objects.get()
    assert (row.client_id, row.action, row.allowed, row.grounds, row.channel, row.username) == (
        client_record.pk, "view", True, "visit participant", "api", "hanna",
    )


def test_listing_clients_logs_each_client_shown(api_as, coordinator, client_record, team):
    second = f.ClientFactory(team=team)
    api_as(coordinator).get(CLIENTS)
    rows = AccessLog.objects.order_by("client_id")
    assert [(r.client_id, r.action, r.grounds, r.channel) for r in rows] == [
        (client_record.pk, "list", "team coordinator", "api"),
        (second.pk, "list", "team coordinator", "api"),
    ]


def test_anonymous_gets_401_and_nothing_is_logged(api, client_record):
    assert api.get(f"{CLIENTS}{client_record.pk}/").status_code == 401
    assert api.get(CLIENTS).status_code == 401
    assert not AccessLog.objects.exists()


def test_client_filters_and_ordering(api_as, coordinator, client_record, team):
    archived = f.ClientFactory(team=team, last_name="Aalto", archived_at=timezone.now())
    client = api_as(coordinator)
    assert ids(client.get(CLIENTS, {"active": "true"})) == {client_record.pk}
    assert ids(client.get(CLIENTS, {"active": "false"})) == {archived.pk}
    ordered = client.get(CLIENTS, {"ordering": "-last_name"}).json()["results"]
    assert [row["id"] for row in ordered] == [client_record.pk, archived.pk]


def test_pagination_pages_through_the_clients(api_as, coordinator, team):
    f.ClientFactory.create_batch(5, team=team)
    page = api_as(coordinator).get(CLIENTS, {"page_size": 2, "page": 3}).json()
    assert (page["count"], len(page["results"]), page["next"]) == (5, 1, None)
    assert api_as(coordinator).get(CLIENTS, {"page": 99}).status_code == 404


# --- writing ---------------------------------------------------------------------


def _new_client(team, **overrides) -> dict:
    return {
        "first_name": "Aili", "last_name": "Uusi", "team": team.pk, "street_address": "Esimerkkitie 5",
        "area": "Kallio", "language": "fi", "preferred_art_forms": ["music", "dance"],
        "health_notes": "Kuulo heikko.", "consent_given": True, "consent_date": timezone.localdate().isoformat(),
        **overrides,
    }


def test_coordinator_creates_a_client_and_the_creation_is_logged(api_as, coordinator, team):
    response = api_as(coordinator).post(CLIENTS, _new_client(team))
    assert response.status_code == 201, response.json()
    created = Client.objects.get(pk=response.json()["id"])
    assert (created.team, created.preferred_art_forms, created.consent_recorded_by) == (
        team, ["music", "dance"], coordinator.user,
    )
    log = AccessLog.objects.get()
    assert (log.client_id, log.action, log.grounds, log.channel) == (created.pk, "create", "team coordinator", "api")


def test_consent_without_a_date_is_recorded_as_given_today_by_the_coordinator(api_as, coordinator, team):
    response = api_as(coordinator).post(CLIENTS, _new_client(team, consent_date=None))
    assert response.status_code == 201, response.json()
    created = Client.objects.get()
    assert (created.consent_date, created.consent_recorded_by) == (timezone.localdate(), coordinator.user)


def test_an_unknown_art_form_is_refused_on_its_field(api_as, coordinator, team):
    response = api_as(coordinator).post(CLIENTS, _new_client(team, preferred_art_forms=["juggling"]))
    assert response.status_code == 400
    assert "preferred_art_forms" in response.json()
    assert not Client.objects.exists()


def test_preferences_are_weekdays_once_each_and_wall_clock_times(api_as, coordinator, team):
    response = api_as(coordinator).post(CLIENTS, _new_client(
        team, preferred_weekdays=[3, 1], preferred_time_of_day="between", preferred_from="09:30", preferred_until="12:00",
    ))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["preferred_weekdays"], body["preferred_from"], body["preferred_until"]) == ([1, 3], "09:30", "12:00")
    created = Client.objects.get()
    assert (created.preferred_weekdays, created.preferred_from) == ([1, 3], dt.time(9, 30))


@pytest.mark.parametrize("bad, field", [
    ({"preferred_weekdays": [4, 4]}, "preferred_weekdays"),
    ({"preferred_weekdays": [7]}, "preferred_weekdays"),
    ({"preferred_time_of_day": "between", "preferred_from": "05:29:12.005051Z", "preferred_until": "08:00"}, "preferred_from"),
    ({"preferred_time_of_day": "between", "preferred_from": "10:00", "preferred_until": "09:00"}, "preferred_until"),
])
def test_bad_preferences_are_refused_on_their_field(api_as, coordinator, team, bad, field):
    response = api_as(coordinator).post(CLIENTS, _new_client(team, **bad))
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Client.objects.exists()


def test_coordinator_cannot_create_a_client_in_another_team(api_as, coordinator, other_team):
    response = api_as(coordinator).post(CLIENTS, _new_client(other_team))
    assert response.status_code == 400
    assert "team" in response.json()
    assert not Client.objects.exists()


@pytest.mark.parametrize("persona", ["artist", "nurse", "manager"])
def test_only_coordinators_create_clients(persona, request, api_as, team):
    response = api_as(request.getfixturevalue(persona)).post(CLIENTS, _new_client(team))
    assert response.status_code == 403
    assert not Client.objects.exists()


def test_coordinator_changes_a_client_and_the_change_is_logged_once(api_as, coordinator, client_record):
    response = api_as(coordinator).patch(f"{CLIENTS}{client_record.pk}/", {"needs_and_wishes": "Tanssi."})
    assert response.status_code == 200, response.json()
    client_record.refresh_from_db()
    assert client_record.needs_and_wishes == "Tanssi."
    assert [(r.action, r.allowed) for r in AccessLog.objects.all()] == [("update", True)]


def test_nurse_cannot_change_the_client_of_her_visit(api_as, nurse, visit, client_record):
    response = api_as(nurse).patch(f"{CLIENTS}{client_record.pk}/", {"needs_and_wishes": "Muutettu"})
    assert response.status_code == 403
    client_record.refresh_from_db()
    assert client_record.needs_and_wishes != "Muutettu"


def test_other_team_coordinator_gets_404_on_change_and_the_denial_is_logged(api_as, other_coordinator, client_record):
    response = api_as(other_coordinator).patch(f"{CLIENTS}{client_record.pk}/", {"needs_and_wishes": "Muutettu"})
    assert response.status_code == 404
    client_record.refresh_from_db()
    assert client_record.needs_and_wishes != "Muutettu"
    assert [(r.action, r.allowed) for r in AccessLog.objects.all()] == [("update", False)]


def test_a_future_consent_date_is_refused(api_as, coordinator, client_record):
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = api_as(coordinator).patch(f"{CLIENTS}{client_record.pk}/", {"consent_date": future})
    assert response.status_code == 400
    assert "consent_date" in response.json()
