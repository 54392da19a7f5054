"""The stand-in endpoint: ranked options (GET) and applying one (POST), 409 when the stand-in was booked meanwhile."""
from __future__ import annotations

import datetime as dt

import pytest

from access.models import AccessLog
from tests import factories as f
from tests.scheduling import at, next_weekday
from visits import services, standins
from visits.models import VisitEvent, VisitParticipant


@pytest.fixture
def visit(pair, client_record, coordinator):
    starts_at = at(next_weekday(0), 10)
    return services.schedule_visit(
        client=client_record, pair=pair, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=1), by=coordinator.user
    )


def url(visit):
    return f"/api/v1/visits/{visit.pk}/stand-ins/"


def test_options_are_ranked_with_reasons_and_the_first_recommended(api_as, coordinator, visit, pair, team):
    stand_in = f.ArtistFactory(team=team, user__first_name="Sami", user__last_name="Sijainen")
    response = api_as(coordinator).get(url(visit), {"person": pair.artist.pk})
    assert response.status_code == 200, response.content
    options = response.json()
    assert options[0]["recommended"] is True and all(not o["recommended"] for o in options[1:])
    assert options[0]["kind"] == "keep_nurse"
    assert options[0]["artist"] == {"id": stand_in.pk, "name": "Sami Sijainen"}
    assert options[0]["nurse"]["id"] == pair.nurse.pk
    assert any(r["positive"] for r in options[0]["reasons"]) and {"text", "positive"} <= set(options[0]["reasons"][0])
    assert options[-1]["kind"] == "move"


def test_apply_changes_the_participant_and_answers_the_visit(api_as, coordinator, visit, pair, team):
    stand_in = f.ArtistFactory(team=team)
    api = api_as(coordinator)
    [best, *_rest] = api.get(url(visit), {"person": pair.artist.pk}).json()
    response = api.post(url(visit), {"person": pair.artist.pk, "option": best["key"]}, format="json")
    assert response.status_code == 200, response.content
    assert {p["staff"] for p in response.json()["participants"]} == {stand_in.pk, pair.nurse.pk}
    assert response.json()["pair"]["artist"] == pair.artist.pk  # the planned pair stays
    assert VisitParticipant.objects.filter(visit=visit, staff=stand_in).exists()
    assert VisitEvent.objects.filter(visit=visit, kind=VisitEvent.Kind.STAND_IN, staff=stand_in).count() == 1
    assert AccessLog.objects.filter(client_id=visit.client_id, action=AccessLog.Action.UPDATE, channel="api").count() >= 1


def test_a_stand_in_booked_meanwhile_is_409_and_nothing_changes(api_as, coordinator, visit, pair, team, monkeypatch):
    stand_in = f.ArtistFactory(team=team, user__first_name="Sami", user__last_name="Sijainen")
    ranked_before = standins.stand_in_options(visit, pair.artist, coordinator.user)
    assert ranked_before[0].artist == stand_in
    services.schedule_visit(
        client=f.ClientFactory(team=team), pair=f.WorkPairFactory(team=team, artist=stand_in),
        starts_at=visit.starts_at, ends_at=visit.ends_at, by=coordinator.user,
    )
    # The ranking was read just before the other booking committed (a race): it still offers Sami.
    monkeypatch.setattr(standins, "stand_in_options", lambda *args, **kwargs: ranked_before)

    response = api_as(coordinator).post(url(visit), {"person": pair.artist.pk, "option": ranked_before[0].key}, format="json")

    assert response.status_code == 409, response.content
    body = response.json()
    assert "Sami Sijainen" in body["detail"]
    assert [c["staff_id"] for c in body["conflicts"]] == [stand_in.pk]
    assert VisitParticipant.objects.get(visit=visit, role="artist").staff == pair.artist
    assert not VisitEvent.objects.filter(visit=visit, kind=VisitEvent.Kind.STAND_IN).exists()


def test_a_stand_in_no_longer_free_when_asked_again_is_a_field_error(api_as, coordinator, visit, pair, team):
    stand_in = f.ArtistFactory(team=team)
    api = api_as(coordinator)
    [best, *_rest] = api.get(url(visit), {"person": pair.artist.pk}).json()
    services.schedule_visit(
        client=f.ClientFactory(team=team), pair=f.WorkPairFactory(team=team, artist=stand_in),
        starts_at=visit.starts_at, ends_at=visit.ends_at, by=coordinator.user,
    )
    response = api.post(url(visit), {"person": pair.artist.pk, "option": best["key"]}, format="json")
    assert response.status_code == 400 and "option" in response.json()
    assert VisitParticipant.objects.get(visit=visit, role="artist").staff == pair.artist


def test_refusals(api_as, api, coordinator, other_coordinator, artist, visit, pair):
    assert api.get(url(visit), {"person": pair.artist.pk}).status_code in (401, 403)
    assert api_as(artist).get(url(visit), {"person": pair.artist.pk}).status_code == 403
    assert api_as(other_coordinator).get(url(visit), {"person": pair.artist.pk}).status_code == 404
    assert api_as(other_coordinator).post(url(visit), {"person": pair.artist.pk, "option": "x"}, format="json").status_code == 404
    bad = api_as(coordinator).get(url(visit), {"person": 999999})
    assert bad.status_code == 400 and "person" in bad.json()
    assert api_as(coordinator).get(url(visit)).status_code == 400
    stale = api_as(coordinator).post(url(visit), {"person": pair.artist.pk, "option": "people:1:2"}, format="json")
    assert stale.status_code == 400 and "option" in stale.json()
