"""Teams, colleagues and work pairs over the API."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pairwork.models import WorkPair
from tests import factories as f
from tests.factories import make_visit

TEAMS, STAFF, PAIRS = "/api/v1/teams/", "/api/v1/staff/", "/api/v1/pairs/"


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- teams ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["artist", "nurse", "coordinator", "manager", "admin_user"])
def test_every_role_reads_the_teams(persona, request, api_as, team, other_team):
    response = api_as(request.getfixturevalue(persona)).get(TEAMS)
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Espoo", "Kallio"]


def test_a_team_is_read_by_id_and_a_missing_one_is_404(api_as, coordinator, team):
    client = api_as(coordinator)
    assert client.get(f"{TEAMS}{team.pk}/").json() == {
        "id": team.pk, "name": "Kallio", "area": "Kallio", "description": "",
    }
    assert client.get(f"{TEAMS}999999/").status_code == 404


def test_anonymous_cannot_read_teams(api, team):
    assert api.get(TEAMS).status_code == 401


# --- staff ---------------------------------------------------------------------


def test_staff_see_colleagues_of_their_own_teams_only(api_as, artist, nurse, coordinator, other_coordinator):
    response = api_as(artist).get(STAFF)
    assert response.status_code == 200
    assert ids(response) == {artist.pk, nurse.pk, coordinator.pk}


def test_colleague_fields_leave_out_contact_and_account_details(api_as, artist, nurse):
    nurse.phone = "+358 40 123 4567"
    nurse.save(update_fields=["phone"])
    row = api_as(artist).get(f"{STAFF}{nurse.pk}/").json()
    assert set(row) == {"id", "name", "role", "teams", "art_forms", "languages"}
    assert row["name"] == "Hanna Hoitaja"
    assert "+358" not in str(row)


def test_a_colleague_of_another_team_is_404(api_as, artist, other_coordinator):
    assert api_as(artist).get(f"{STAFF}{other_coordinator.pk}/").status_code == 404


def test_administrator_sees_all_staff(api_as, admin_user, artist, other_coordinator):
    assert {artist.pk, other_coordinator.pk} <= ids(api_as(admin_user).get(STAFF))


def test_staff_filter_by_role(api_as, coordinator, artist, nurse):
    assert ids(api_as(coordinator).get(STAFF, {"role": "nurse"})) == {nurse.pk}


def test_staff_filter_with_a_bad_role_is_400(api_as, coordinator):
    response = api_as(coordinator).get(STAFF, {"role": "pilot"})
    assert response.status_code == 400
    assert "role" in response.json()


# --- work pairs: read --------------------------------------------------------------


def test_pair_members_see_their_own_pairs_only(api_as, pair, team, other_team, nurse):
    same_team_pair = f.WorkPairFactory(team=team)
    other_pair = f.WorkPairFactory(team=other_team)
    response = api_as(nurse).get(PAIRS)
    assert ids(response) == {pair.pk}
    row = response.json()["results"][0]
    assert (row["artist_name"], row["nurse_name"], row["is_active"]) == ("Aino Taiteilija", "Hanna Hoitaja", True)
    assert api_as(nurse).get(f"{PAIRS}{same_team_pair.pk}/").status_code == 404
    assert api_as(nurse).get(f"{PAIRS}{other_pair.pk}/").status_code == 404


def test_coordinator_sees_every_pair_of_own_team(api_as, coordinator, pair, team, other_team):
    same_team_pair = f.WorkPairFactory(team=team)
    f.WorkPairFactory(team=other_team)
    assert ids(api_as(coordinator).get(PAIRS)) == {pair.pk, same_team_pair.pk}


def test_managers_see_no_pairs(api_as, manager, pair):
    assert ids(api_as(manager).get(PAIRS)) == set()


def test_other_team_coordinator_gets_404_for_the_pair(api_as, pair, other_coordinator):
    assert api_as(other_coordinator).get(f"{PAIRS}{pair.pk}/").status_code == 404


def test_pairs_filter_by_day_they_work(api_as, coordinator, pair, team):
    ended = f.WorkPairFactory(
        team=team, active_from=timezone.localdate() - dt.timedelta(days=60),
        active_until=timezone.localdate() - dt.timedelta(days=30),
    )
    client = api_as(coordinator)
    assert ids(client.get(PAIRS, {"active_on": timezone.localdate().isoformat()})) == {pair.pk}
    assert ids(client.get(PAIRS)) == {pair.pk, ended.pk}


# --- work pairs: write -------------------------------------------------------------


@pytest.fixture
def free_people(team):
    return f.ArtistFactory(user__username="ville", team=team), f.NurseFactory(user__username="sanna", team=team)


def test_coordinator_forms_a_pair_in_own_team(api_as, coordinator, team, free_people):
    artist, nurse = free_people
    response = api_as(coordinator).post(
        PAIRS, {"team": team.pk, "artist": artist.pk, "nurse": nurse.pk, "shared_agreement": "Goals: a good moment."}
    )
    assert response.status_code == 201, response.json()
    pair = WorkPair.objects.get(pk=response.json()["id"])
    assert (pair.team, pair.artist, pair.nurse, pair.shared_agreement) == (team, artist, nurse, "Goals: a good moment.")


def test_a_pair_with_two_nurses_is_refused_on_the_field(api_as, coordinator, team, free_people):
    _, nurse = free_people
    other_nurse = f.NurseFactory(user__username="outi", team=team)
    response = api_as(coordinator).post(PAIRS, {"team": team.pk, "artist": other_nurse.pk, "nurse": nurse.pk})
    assert response.status_code == 400
    assert "artist" in response.json()
    assert not WorkPair.objects.exists()


def test_a_pair_with_a_person_of_another_team_is_refused(api_as, coordinator, team, other_team):
    outsider = f.ArtistFactory(user__username="ulla", team=other_team)
    nurse = f.NurseFactory(user__username="sanna", team=team)
    response = api_as(coordinator).post(PAIRS, {"team": team.pk, "artist": outsider.pk, "nurse": nurse.pk})
    assert response.status_code == 400
    assert "artist" in response.json()
    assert not WorkPair.objects.exists()


def test_coordinator_cannot_form_a_pair_in_another_team(api_as, coordinator, other_team):
    artist = f.ArtistFactory(user__username="ulla", team=other_team)
    nurse = f.NurseFactory(user__username="ulpu", team=other_team)
    response = api_as(coordinator).post(PAIRS, {"team": other_team.pk, "artist": artist.pk, "nurse": nurse.pk})
    assert response.status_code == 400
    assert set(response.json()) >= {"team", "artist", "nurse"}
    assert not WorkPair.objects.exists()


@pytest.mark.parametrize("persona", ["artist", "nurse", "manager"])
def test_only_coordinators_form_pairs(persona, request, api_as, team, free_people):
    artist, nurse = free_people
    response = api_as(request.getfixturevalue(persona)).post(PAIRS, {"team": team.pk, "artist": artist.pk, "nurse": nurse.pk})
    assert response.status_code == 403
    assert WorkPair.objects.filter(artist=artist).count() == 0


def test_coordinator_ends_a_pair_and_edits_its_agreement(api_as, coordinator, pair):
    until = timezone.localdate() + dt.timedelta(days=30)
    response = api_as(coordinator).patch(
        f"{PAIRS}{pair.pk}/", {"active_until": until.isoformat(), "shared_agreement": "New goals."}
    )
    assert response.status_code == 200, response.json()
    pair.refresh_from_db()
    assert (pair.active_until, pair.shared_agreement) == (until, "New goals.")
    assert response.json()["artist_name"] == "Aino Taiteilija"


def test_an_ended_pair_stays_ended(api_as, coordinator, pair):
    last_day = timezone.localdate() + dt.timedelta(days=3)
    pair.active_until = last_day
    pair.save(update_fields=["active_until"])
    response = api_as(coordinator).patch(f"{PAIRS}{pair.pk}/", {"active_until": None})
    assert response.status_code == 400
    assert "active_until" in response.json()
    pair.refresh_from_db()
    assert pair.active_until == last_day


def test_changing_a_pairs_people_is_ignored_not_applied(api_as, coordinator, pair, team):
    someone = f.ArtistFactory(user__username="ville", team=team)
    api_as(coordinator).patch(f"{PAIRS}{pair.pk}/", {"artist": someone.pk})
    pair.refresh_from_db()
    assert pair.artist.user.username == "aino"


def test_a_pair_cannot_end_before_it_starts(api_as, coordinator, pair):
    before = pair.active_from - dt.timedelta(days=1)
    response = api_as(coordinator).patch(f"{PAIRS}{pair.pk}/", {"active_until": before.isoformat()})
    assert response.status_code == 400
    assert "active_until" in response.json()
    pair.refresh_from_db()
    assert pair.active_until is None


def test_a_pair_cannot_end_before_its_planned_visits(api_as, coordinator, pair, client_record):
    make_visit(pair=pair, client=client_record, starts_at=timezone.now() + dt.timedelta(days=10))
    response = api_as(coordinator).patch(
        f"{PAIRS}{pair.pk}/", {"active_until": (timezone.localdate() + dt.timedelta(days=2)).isoformat()}
    )
    assert response.status_code == 400
    assert "active_until" in response.json()
    pair.refresh_from_db()
    assert pair.active_until is None


def test_other_team_coordinator_cannot_change_the_pair(api_as, other_coordinator, pair):
    response = api_as(other_coordinator).patch(f"{PAIRS}{pair.pk}/", {"shared_agreement": "Hijacked"})
    assert response.status_code == 404
    pair.refresh_from_db()
    assert pair.shared_agreement != "Hijacked"
