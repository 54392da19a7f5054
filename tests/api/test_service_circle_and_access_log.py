"""A client's service circle (nested) and access log over the API."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from access.models import AccessLog
from clients.models import ServiceCircleEntry
from tests import factories as f
from tests.factories import make_visit


@pytest.fixture
def visit(pair, client_record):
    return make_visit(pair=pair, client=client_record)


@pytest.fixture
def entry(client_record):
    return f.ServiceCircleEntryFactory(client=client_record)


def circle(client) -> str:
    return f"/api/v1/clients/{client.pk}/service-circle/"


def access_log(client) -> str:
    return f"/api/v1/clients/{client.pk}/access-log/"


# --- service circle ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "nurse", "admin_user"])
def test_care_staff_read_the_service_circle(persona, request, api_as, visit, client_record, entry):
    response = api_as(request.getfixturevalue(persona)).get(circle(client_record))
    assert response.status_code == 200
    assert [(r["id"], r["organisation"]) for r in response.json()["results"]] == [(entry.pk, entry.organisation)]


def test_reading_the_service_circle_is_logged_against_the_client(api_as, nurse, visit, client_record, entry):
    api_as(nurse).get(circle(client_record))
    assert [(r.client_id, r.action, r.allowed, r.channel) for r in AccessLog.objects.all()] == [
        (client_record.pk, "view", True, "api")
    ]


def test_artist_may_not_read_the_service_circle(api_as, artist, visit, client_record, entry):
    assert api_as(artist).get(circle(client_record)).status_code == 403


@pytest.mark.parametrize("persona", ["other_coordinator", "other_nurse"])
def test_service_circle_of_a_client_outside_scope_is_404(persona, request, api_as, visit, client_record, entry):
    assert api_as(request.getfixturevalue(persona)).get(circle(client_record)).status_code == 404
    assert api_as(request.getfixturevalue(persona)).get(f"{circle(client_record)}{entry.pk}/").status_code == 404


def test_an_entry_is_only_found_under_its_own_client(api_as, coordinator, client_record, entry, team):
    neighbour = f.ClientFactory(team=team)
    assert api_as(coordinator).get(f"{circle(neighbour)}{entry.pk}/").status_code == 404


def test_coordinator_replaces_the_service_circle_and_the_change_is_logged_once(api_as, coordinator, client_record, entry):
    response = api_as(coordinator).put(
        circle(client_record),
        [
            {"service": "Päivätoiminta", "organisation": "Esimerkin päiväkeskus", "contact_person": "Pia Yhteys"},
            {"service": "Fysioterapia", "organisation": "Esimerkin terveysasema", "email": "fysio@example.invalid"},
        ],
    )
    assert response.status_code == 200, response.json()
    assert sorted(e["service"] for e in response.json()) == ["Fysioterapia", "Päivätoiminta"]
    assert sorted(client_record.service_circle.values_list("service", flat=True)) == ["Fysioterapia", "Päivätoiminta"]
    assert not ServiceCircleEntry.objects.filter(pk=entry.pk).exists()
    assert [(r.action, r.object_type, r.channel, r.allowed) for r in AccessLog.objects.all()] == [
        ("update", "service_circle", "api", True)
    ]


def test_a_bad_email_in_the_circle_is_refused_on_its_field(api_as, coordinator, client_record, entry):
    response = api_as(coordinator).put(
        circle(client_record), [{"service": "Fysioterapia", "organisation": "Esimerkki", "email": "not-an-address"}]
    )
    assert response.status_code == 400
    assert "email" in response.json()[0]
    assert list(client_record.service_circle.all()) == [entry]


def test_nurse_cannot_replace_the_service_circle(api_as, nurse, visit, client_record, entry):
    response = api_as(nurse).put(circle(client_record), [])
    assert response.status_code == 403
    assert list(client_record.service_circle.all()) == [entry]


def test_other_team_coordinator_cannot_replace_the_circle(api_as, other_coordinator, client_record, entry):
    response = api_as(other_coordinator).put(circle(client_record), [{"service": "X", "organisation": "Y"}])
    assert response.status_code == 404
    assert list(client_record.service_circle.all()) == [entry]
    row = AccessLog.objects.get()
    assert (row.allowed, row.action, row.channel) == (False, "update", "api")



# --- access log -------------------------------------------------------------------------


def test_coordinator_sees_who_accessed_the_client(api_as, coordinator, nurse, visit, client_record):
    api_as(nurse).get(f"/api/v1/clients/{client_record.pk}/")
    response = api_as(coordinator).get(access_log(client_record))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert ("hanna", "view", "visit participant", True, "api") in {
        (r["username"], r["action"], r["grounds"], r["allowed"], r["channel"]) for r in rows
    }


def test_access_log_filters_by_date(api_as, admin_user, client_record):
    AccessLog.objects.create(
        at=timezone.now() - dt.timedelta(days=40), username="old", client=client_record,
        object_type="client", action="view", grounds="administrator", allowed=True,
    )
    since = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    rows = api_as(admin_user).get(access_log(client_record), {"since": since}).json()["results"]
    assert "old" not in {r["username"] for r in rows}
    rows = api_as(admin_user).get(access_log(client_record)).json()["results"]
    assert "old" in {r["username"] for r in rows}


@pytest.mark.parametrize("persona", ["nurse", "artist", "manager"])
def test_only_coordinators_and_administrators_read_the_access_log(persona, request, api_as, visit, client_record):
    person = request.getfixturevalue(persona)
    assert api_as(person).get(access_log(client_record)).status_code == 404
    row = AccessLog.objects.get(user_id=person.user.pk)
    assert (row.object_type, row.allowed, row.channel) == ("access log", False, "api")


def test_other_team_coordinator_gets_404_for_the_access_log(api_as, other_coordinator, client_record):
    assert api_as(other_coordinator).get(access_log(client_record)).status_code == 404


def test_anonymous_gets_401_for_nested_routes(api, client_record):
    assert api.get(access_log(client_record)).status_code == 401
    assert api.get(circle(client_record)).status_code == 401
