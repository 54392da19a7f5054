"""The coordinator's work-pair pages; the shared agreement shown to both members."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pairwork.models import WorkPair
from tests import factories as f
from tests.conftest import login
from tests.factories import make_visit
from tests.scheduling import at, next_weekday


@pytest.fixture
def coordinator_client(client, coordinator):
    login(client, coordinator)
    return client


def test_the_list_shows_working_pairs_of_our_teams(coordinator_client, pair, team, other_team):
    ended = f.WorkPairFactory(team=team, active_until=timezone.localdate() - dt.timedelta(days=1))
    f.WorkPairFactory(team=other_team)

    working = coordinator_client.get(reverse("pairwork:pairs"))
    ended_list = coordinator_client.get(reverse("pairwork:pairs"), {"show": "ended"})

    assert [p.pk for p in working.context["pairs"]] == [pair.pk]
    assert [p.pk for p in ended_list.context["pairs"]] == [ended.pk]


def test_forming_a_pair_with_the_agreement_template(coordinator_client, team, other_artist, other_nurse):
    page = coordinator_client.get(reverse("pairwork:pair_create"))
    assert "Shared goals" in page.content.decode()

    response = coordinator_client.post(reverse("pairwork:pair_create"), {
        "team": team.pk, "artist": other_artist.pk, "nurse": other_nurse.pk,
        "active_from": timezone.localdate().isoformat(), "shared_agreement": "Tavoite: iloa arkeen.",
    })

    pair = WorkPair.objects.get(artist=other_artist)
    assert response.status_code == 302
    assert (pair.nurse, pair.team, pair.shared_agreement) == (other_nurse, team, "Tavoite: iloa arkeen.")


def test_people_of_another_team_cannot_be_paired(coordinator_client, team, other_team):
    foreign_artist = f.ArtistFactory(team=other_team)
    nurse = f.NurseFactory(team=team)
    response = coordinator_client.post(reverse("pairwork:pair_create"), {
        "team": team.pk, "artist": foreign_artist.pk, "nurse": nurse.pk,
        "active_from": timezone.localdate().isoformat(), "shared_agreement": "x",
    })
    assert "artist" in response.context["form"].errors
    assert not WorkPair.objects.filter(artist=foreign_artist).exists()


def test_the_same_two_people_are_not_paired_twice(coordinator_client, pair, team):
    response = coordinator_client.post(reverse("pairwork:pair_create"), {
        "team": team.pk, "artist": pair.artist.pk, "nurse": pair.nurse.pk,
        "active_from": timezone.localdate().isoformat(), "shared_agreement": "x",
    })
    assert "already work as a pair" in response.context["form"].non_field_errors()[0]
    assert WorkPair.objects.count() == 1


def test_both_members_see_the_shared_agreement_but_cannot_edit(client, pair, artist, nurse, other_nurse):
    for member in (artist, nurse):
        login(client, member)
        page = client.get(reverse("pairwork:pair_detail", args=[pair.pk]))
        assert page.status_code == 200
        assert "Tavoite: hyvä hetki asiakkaalle." in page.content.decode()
        assert client.get(reverse("pairwork:pair_edit", args=[pair.pk])).status_code == 403
    login(client, other_nurse)
    assert client.get(reverse("pairwork:pair_detail", args=[pair.pk])).status_code == 404


def test_a_coordinator_of_another_team_gets_404_on_this_teams_pairs(client, other_coordinator, pair):
    login(client, other_coordinator)
    for name in ("pair_detail", "pair_edit", "pair_end"):
        assert client.get(reverse(f"pairwork:{name}", args=[pair.pk])).status_code == 404
    assert client.post(reverse("pairwork:pair_end", args=[pair.pk]), {"last_day": timezone.localdate().isoformat()}).status_code == 404
    pair.refresh_from_db()
    assert pair.active_until is None


def test_editing_the_agreement(coordinator_client, pair):
    coordinator_client.post(reverse("pairwork:pair_edit", args=[pair.pk]), {
        "active_from": pair.active_from.isoformat(), "shared_agreement": "Uusi sopimus",
    })
    pair.refresh_from_db()
    assert pair.shared_agreement == "Uusi sopimus"


def test_ending_a_pair_keeps_its_history(coordinator_client, pair, client_record):
    past = make_visit(pair=pair, client=client_record, starts_at=at(timezone.localdate() - dt.timedelta(days=7), 10), status="completed")

    coordinator_client.post(reverse("pairwork:pair_end", args=[pair.pk]), {"last_day": timezone.localdate().isoformat()})

    pair.refresh_from_db()
    assert pair.active_until == timezone.localdate()
    assert pair.visits.get() == past


def test_a_pair_with_planned_visits_after_the_last_day_cannot_end(coordinator_client, pair, client_record):
    make_visit(pair=pair, client=client_record, starts_at=at(next_weekday(0), 10))

    response = coordinator_client.post(reverse("pairwork:pair_end", args=[pair.pk]), {"last_day": timezone.localdate().isoformat()})

    assert "still has 1 planned visits" in response.context["form"].errors["last_day"][0]
    pair.refresh_from_db()
    assert pair.active_until is None


def test_the_list_counts_each_pairs_future_planned_visits_in_one_query(
    coordinator_client, pair, team, client_record, django_assert_max_num_queries
):
    quiet = f.WorkPairFactory(team=team)
    now = timezone.now().replace(microsecond=0)
    for days in (2, 3):
        make_visit(pair=pair, client=client_record, starts_at=now + dt.timedelta(days=days))
    make_visit(pair=pair, client=client_record, starts_at=now - dt.timedelta(days=3))  # past: not counted
    make_visit(pair=pair, client=client_record, starts_at=now + dt.timedelta(days=4), status="completed")
    make_visit(pair=quiet, starts_at=now + dt.timedelta(days=5), status="cancelled", cancellation_reason="Sairas")

    coordinator_client.get(reverse("pairwork:pairs"))  # warm the session and caches
    with django_assert_max_num_queries(4):  # session, profile, pairs with their counts, and nothing per pair
        response = coordinator_client.get(reverse("pairwork:pairs"))

    planned = {p.pk: p.planned for p in response.context["pairs"]}
    assert planned == {pair.pk: 2, quiet.pk: 0}
