"""visits.suggestions: which pair for this client at this time, best first, with reasons."""
from __future__ import annotations

import datetime as dt

import pytest

from django.urls import reverse

from pairwork.models import WeeklyAvailability
from tests.conftest import login
from tests import factories as f
from tests.factories import make_visit
from tests.scheduling import at, next_weekday
from visits.suggestions import suggest_pairs


@pytest.fixture
def monday():
    return next_weekday(0)


def make_pair(team, *, nurse=None, artist_forms=("music",), languages=("fi",), name=""):
    artist = f.ArtistFactory(team=team, art_forms=list(artist_forms), languages=list(languages),
                             user__first_name=name or "Taiteilija", user__last_name="A")
    nurse = nurse or f.NurseFactory(team=team, languages=list(languages))
    return f.WorkPairFactory(team=team, artist=artist, nurse=nurse)


def ranked(client, coordinator, starts_at, minutes=60):
    result = suggest_pairs(client=client, starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes), viewer=coordinator.user)
    return result.pairs


def test_a_pair_with_the_clients_familiar_nurse_outranks_an_otherwise_equal_one(team, coordinator, monday):
    stranger_pair = make_pair(team, name="Aaro")  # sorts first by name, so only familiarity can lift the other
    familiar_nurse = f.NurseFactory(team=team, user__first_name="Hanna", user__last_name="Hoitaja")
    familiar_pair = make_pair(team, nurse=familiar_nurse, name="Ööpi")
    client = f.ClientFactory(team=team)
    f.CareRelationshipFactory(client=client, nurse=familiar_nurse, is_primary=False)

    suggestions = ranked(client, coordinator, at(monday, 10))

    assert [s.pair for s in suggestions] == [familiar_pair, stranger_pair]
    assert suggestions[0].reasons[0].text == "Hanna Hoitaja is a nurse the client knows"
    assert suggestions[1].reasons[0].text == "No familiar nurse in this pair"


def test_the_primary_nurse_comes_before_another_familiar_nurse(team, coordinator, monday):
    client = f.ClientFactory(team=team)
    known, primary = f.NurseFactory(team=team), f.NurseFactory(team=team)
    f.CareRelationshipFactory(client=client, nurse=known)
    f.CareRelationshipFactory(client=client, nurse=primary, is_primary=True)
    with_known, with_primary = make_pair(team, nurse=known, name="Aaro"), make_pair(team, nurse=primary, name="Ööpi")

    assert [s.pair for s in ranked(client, coordinator, at(monday, 10))] == [with_primary, with_known]


def test_art_form_match_then_language_match_decide_among_unfamiliar_pairs(team, coordinator, monday):
    client = f.ClientFactory(team=team, preferred_art_forms=["dance"], language="sv")
    neither = make_pair(team, artist_forms=["music"], languages=["fi"], name="Aaro")
    language_only = make_pair(team, artist_forms=["music"], languages=["fi", "sv"], name="Bertta")
    art_only = make_pair(team, artist_forms=["dance"], languages=["fi"], name="Cecilia")

    suggestions = ranked(client, coordinator, at(monday, 10))

    assert [s.pair for s in suggestions] == [art_only, language_only, neither]
    texts = [r.text for r in suggestions[0].reasons]
    assert "Art forms the client likes: Dance and movement" in texts
    assert "Neither speaks Swedish" in texts
    assert "Both speak Swedish" in [r.text for r in suggestions[1].reasons]


def test_busy_pairs_are_marked_with_who_is_busy_and_listed_last(team, coordinator, monday):
    client = f.ClientFactory(team=team)
    busy_nurse = f.NurseFactory(team=team, user__first_name="Kiireinen", user__last_name="Hoitaja")
    f.CareRelationshipFactory(client=client, nurse=busy_nurse, is_primary=True)
    busy_pair = make_pair(team, nurse=busy_nurse, name="Aaro")
    free_pair = make_pair(team, name="Ööpi")
    make_visit(pair=busy_pair, client=f.ClientFactory(team=team), starts_at=at(monday, 9, 30))

    result = suggest_pairs(client=client, starts_at=at(monday, 10), ends_at=at(monday, 11), viewer=coordinator.user)

    assert [s.pair for s in result.pairs] == [free_pair, busy_pair]
    assert [s.pair for s in result.bookable] == [free_pair]
    busy = result.pairs[1]
    assert not busy.bookable
    assert {c.person_name for c in busy.busy} == {"Kiireinen Hoitaja", busy_pair.artist.display_name}
    assert any("Kiireinen Hoitaja (Nurse) is busy" in r.text and "09:30–10:30" in r.text for r in busy.reasons)


def test_the_client_being_busy_is_reported_up_front(team, coordinator, monday, pair):
    client = f.ClientFactory(team=team, first_name="Elli", last_name="Esimerkki")
    make_visit(pair=pair, client=client, starts_at=at(monday, 10))

    result = suggest_pairs(client=client, starts_at=at(monday, 10, 30), ends_at=at(monday, 11, 30), viewer=coordinator.user)

    assert [c.message for c in result.client_clashes] == [
        f"Elli Esimerkki already has a visit {monday.day}.{monday.month}.{monday.year} 10:00–11:00."
    ]


def test_outside_weekly_availability_ranks_lower_and_says_whose(team, coordinator, monday):
    client = f.ClientFactory(team=team)
    part_timer = f.ArtistFactory(team=team, always_available=False, user__first_name="Aamu", user__last_name="Ihminen")
    WeeklyAvailability.objects.create(staff=part_timer, weekday=0, starts_at=dt.time(8), ends_at=dt.time(12))
    mornings_only = f.WorkPairFactory(team=team, artist=part_timer)
    always = make_pair(team, name="Ööpi")

    afternoon = ranked(client, coordinator, at(monday, 14))
    morning = ranked(client, coordinator, at(monday, 10))

    assert [s.pair for s in afternoon] == [always, mornings_only]
    assert "Free, but outside the weekly availability of Aamu Ihminen" in [r.text for r in afternoon[1].reasons]
    assert "Both free and within their weekly availability" in [r.text for r in morning[0].reasons]


def test_only_pairs_of_the_clients_team_working_that_day_are_suggested(team, other_team, coordinator, monday):
    client = f.ClientFactory(team=team)
    working = make_pair(team)
    ended = make_pair(team)
    ended.active_until = monday - dt.timedelta(days=1)
    ended.save()
    f.WorkPairFactory(team=other_team)

    assert [s.pair for s in ranked(client, coordinator, at(monday, 10))] == [working]


def test_suggestions_take_a_fixed_number_of_queries(team, coordinator, monday, django_assert_max_num_queries):
    client = f.ClientFactory(team=team)
    pairs = [make_pair(team) for _ in range(12)]
    for hour, pair in enumerate(pairs[:6]):
        make_visit(pair=pair, client=f.ClientFactory(team=team), starts_at=at(monday, 9, 30))

    # pairs, two availability prefetches, familiar nurses, the client's and the people's visits,
    # visible clients, the people's visits within the travel time, and the client's absences
    with django_assert_max_num_queries(9):
        result = suggest_pairs(client=client, starts_at=at(monday, 10), ends_at=at(monday, 11), viewer=coordinator.user)
        [s.reasons for s in result.pairs]

    assert len(result.pairs) == 12 and len(result.bookable) == 6


def test_a_primary_nurse_does_not_outweigh_art_forms_language_and_working_hours(team, coordinator, monday):
    """The pair with every reason in its favour is recommended over the primary nurse's pair that has none of them."""
    client = f.ClientFactory(team=team, preferred_art_forms=["dance"], language="fi")
    primary, known = f.NurseFactory(team=team, languages=["sv"]), f.NurseFactory(team=team, languages=["fi"])
    f.CareRelationshipFactory(client=client, nurse=primary, is_primary=True)
    f.CareRelationshipFactory(client=client, nurse=known, is_primary=False)
    primarys_pair = make_pair(team, nurse=primary, artist_forms=("music",), languages=("sv",), name="Aaro")
    WeeklyAvailability.objects.filter(staff=primarys_pair.artist).delete()  # the artist does not work then
    all_reasons = make_pair(team, nurse=known, artist_forms=("dance",), languages=("fi",), name="Ööpi")

    assert [s.pair for s in ranked(client, coordinator, at(monday, 10))] == [all_reasons, primarys_pair]


def test_the_schedule_page_labels_the_recommended_pair_and_says_for_and_against_in_words(client, team, coordinator, monday):
    customer = f.ClientFactory(team=team, preferred_art_forms=["dance"])
    best = make_pair(team, artist_forms=("dance",), name="Aaro")
    make_pair(team, artist_forms=("music",), name="Ööpi")
    login(client, coordinator)

    page = client.get(reverse("visits:schedule"), {
        "client": customer.pk, "day": monday.isoformat(), "start_time": "10:00", "duration_minutes": 60,
    }).content.decode()

    [recommended] = [item for item in page.split('<li class="list-group-item suggestion')[1:] if 'data-testid="recommended"' in item]
    assert f'value="{best.pk}"' in recommended and "checked" in recommended
    assert "For:" in page and "Against:" in page and "✓" in page and "✗" in page
    assert "the primary nurse settles a tie" in page


# --- Travel time between visits at different addresses ---------------------------------------------

def test_a_pair_arriving_from_across_town_without_travel_time_ranks_lower_and_says_why(team, coordinator, monday):
    client = f.ClientFactory(team=team, street_address="Kotikatu 1")
    rushed, relaxed = make_pair(team, name="Aaro"), make_pair(team, name="Ööpi")
    elsewhere = f.ClientFactory(team=team, street_address="Kaukotie 99")
    make_visit(pair=rushed, client=elsewhere, starts_at=at(monday, 9), minutes=55)  # ends 09:55, the slot is at 10:00

    result = ranked(client, coordinator, at(monday, 10))

    assert [s.pair for s in result] == [relaxed, rushed]
    texts = [r.text for r in result[1].reasons if not r.positive]
    assert any("from a visit at another address only 5 min earlier (travel time 15 min)" in t for t in texts), texts
    assert "Kaukotie" not in " ".join(texts)  # the other client is not named


def test_the_same_address_and_a_buffer_kept_are_no_concern(team, coordinator, monday):
    client = f.ClientFactory(team=team, street_address="Kotikatu 1")
    neighbour = f.ClientFactory(team=team, street_address="Kotikatu 1")  # same building
    far = f.ClientFactory(team=team, street_address="Kaukotie 99")
    pair = make_pair(team)
    make_visit(pair=pair, client=neighbour, starts_at=at(monday, 9), minutes=55)
    make_visit(pair=pair, client=far, starts_at=at(monday, 11, 15))  # 15 min after the slot ends: exactly the buffer

    [suggestion] = ranked(client, coordinator, at(monday, 10))

    assert suggestion.tight == []
    assert "Both free and within their weekly availability" in [r.text for r in suggestion.reasons]


def test_the_buffer_is_the_teams(team, coordinator, monday):
    team.travel_buffer_minutes = 30
    team.save()
    client = f.ClientFactory(team=team, street_address="Kotikatu 1")
    pair = make_pair(team)
    make_visit(pair=pair, client=f.ClientFactory(team=team, street_address="Kaukotie 99"), starts_at=at(monday, 11, 20))

    [suggestion] = ranked(client, coordinator, at(monday, 10))

    assert [(t.person, t.gap_minutes, t.before) for t in suggestion.tight] == [(pair.artist, 20, False), (pair.nurse, 20, False)]


def test_booking_inside_the_travel_time_succeeds_with_a_warning(client, team, coordinator, monday):
    customer = f.ClientFactory(team=team, street_address="Kotikatu 1")
    pair = make_pair(team)
    make_visit(pair=pair, client=f.ClientFactory(team=team, street_address="Kaukotie 99"), starts_at=at(monday, 9), minutes=55)
    login(client, coordinator)

    page = client.post(reverse("visits:schedule"), {
        "client": customer.pk, "day": monday.isoformat(), "start_time": "10:00", "duration_minutes": 60, "pair": pair.pk,
    }, follow=True).content.decode()

    assert "The visit was scheduled" in page
    assert "only 5 min earlier (travel time 15 min)" in page
    assert customer.visits.count() == 1


def test_a_client_away_then_is_shown_before_choosing_a_pair(team, coordinator, monday, pair):
    from visits.client_absences import record_client_absence
    from visits.models import ClientAbsence

    client = f.ClientFactory(team=team)
    record_client_absence(client=client, kind=ClientAbsence.Kind.TRAVEL, starts_on=monday, ends_on=monday, reason="",
                          by=coordinator.user)
    result = suggest_pairs(client=client, starts_at=at(monday, 10), ends_at=at(monday, 11), viewer=coordinator.user)
    assert [clash.kind for clash in result.client_clashes] == ["absence"]
    assert "is away" in result.client_clashes[0].message
