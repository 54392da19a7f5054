"""The coordinator's stand-in pages, and everywhere a visit shows who comes."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f
from tests.conftest import login
from tests.scheduling import at, next_weekday
from visits import data_export, services, standins
from visits.feeds import build_feed
from visits.models import VisitEvent, VisitParticipant


@pytest.fixture
def monday():
    return next_weekday(0)


@pytest.fixture
def visit(pair, client_record, coordinator, monday):
    return services.schedule_visit(
        client=client_record, pair=pair, starts_at=at(monday, 10), ends_at=at(monday, 11), by=coordinator.user
    )


@pytest.fixture
def sami(team):
    return f.ArtistFactory(team=team, user__username="sami", user__first_name="Sami", user__last_name="Sijainen")


def options_url(visit, person):
    return reverse("visits:stand_ins", args=[visit.pk]) + f"?person={person.pk}"


def test_the_visit_page_offers_a_stand_in_per_participant_to_the_coordinator_only(client, coordinator, nurse, visit):
    login(client, coordinator)
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert page.count('data-testid="find-stand-in"') == 2
    assert options_url(visit, nurse) in page.replace("&amp;", "&")
    login(client, nurse)
    assert "find-stand-in" not in client.get(reverse("visits:detail", args=[visit.pk])).content.decode()


def test_the_options_page_ranks_with_words_and_icons_and_recommends_the_first(client, coordinator, artist, visit, sami):
    login(client, coordinator)
    response = client.get(options_url(visit, artist))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="recommended"') == 1
    assert page.index("Sami Sijainen") < page.index('data-testid="recommended"')
    assert "For:" in page and "Against:" in page and "✓" in page and "✗" in page
    assert "Continuity comes first" in page
    assert "Move the visit to" in page  # the next time the planned pair is free, last


def test_one_click_and_a_confirmation_apply_it(client, coordinator, artist, nurse, visit, sami):
    login(client, coordinator)
    [best, *_rest] = standins.stand_in_options(visit, artist, coordinator.user)
    confirm = client.get(options_url(visit, artist) + f"&option={best.key}").content.decode()
    assert 'data-testid="confirm"' in confirm and "Yes, apply" in confirm
    assert VisitParticipant.objects.get(visit=visit, role="artist").staff == artist  # nothing yet

    response = client.post(reverse("visits:stand_ins", args=[visit.pk]), {"person": artist.pk, "option": best.key}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("visits:detail", args=[visit.pk])
    page = response.content.decode()
    assert "Stand-in applied: Sami Sijainen &amp; Hanna Hoitaja" in page
    assert VisitParticipant.objects.get(visit=visit, role="artist").staff == sami
    assert VisitEvent.objects.filter(visit=visit, kind=VisitEvent.Kind.STAND_IN).count() == 1


def test_a_clash_at_apply_is_409_with_the_message_and_nothing_changes(client, coordinator, artist, visit, sami, team, monkeypatch):
    login(client, coordinator)
    ranked = standins.stand_in_options(visit, artist, coordinator.user)
    services.schedule_visit(client=f.ClientFactory(team=team), pair=f.WorkPairFactory(team=team, artist=sami),
                            starts_at=visit.starts_at, ends_at=visit.ends_at, by=coordinator.user)
    monkeypatch.setattr(standins, "stand_in_options", lambda *args, **kwargs: ranked)
    response = client.post(reverse("visits:stand_ins", args=[visit.pk]), {"person": artist.pk, "option": ranked[0].key})
    assert response.status_code == 409
    assert "Sami Sijainen" in response.content.decode()
    assert VisitParticipant.objects.get(visit=visit, role="artist").staff == artist


def test_a_person_not_in_the_visit_is_a_clear_400(client, coordinator, visit, sami):
    login(client, coordinator)
    response = client.get(options_url(visit, sami))
    assert response.status_code == 400
    assert "Choose who cannot come" in response.content.decode()


def test_the_period_page_lists_the_persons_visits_and_applies_the_best_to_all(
    client, coordinator, pair, artist, client_record, visit, sami, team, monday
):
    second = services.schedule_visit(client=f.ClientFactory(team=team), pair=pair, starts_at=at(monday + dt.timedelta(days=1), 10),
                                     ends_at=at(monday + dt.timedelta(days=1), 11), by=coordinator.user)
    services.schedule_visit(client=f.ClientFactory(team=team), pair=pair, starts_at=at(monday + dt.timedelta(days=9), 10),
                            ends_at=at(monday + dt.timedelta(days=9), 11), by=coordinator.user)  # outside the period
    login(client, coordinator)
    period = f"?staff={artist.pk}&date_from={monday.isoformat()}&date_to={(monday + dt.timedelta(days=6)).isoformat()}"
    url = reverse("visits:stand_ins_for_person") + period
    page = client.get(url).content.decode()
    assert f"Stand-ins for Aino Taiteilija {monday.day}.{monday.month}.{monday.year}" in page
    assert page.count(reverse("visits:stand_ins", args=[visit.pk])) == 1 and reverse("visits:stand_ins", args=[second.pk]) in page
    assert "Apply the best stand-in to all" in page

    response = client.post(url)

    assert response.status_code == 200
    report = response.content.decode()
    assert report.count('data-outcome="applied"') == 2
    assert "2 of 2 visits got a stand-in." in report
    assert set(VisitParticipant.objects.filter(visit__in=[visit, second], role="artist").values_list("staff", flat=True)) == {sami.pk}


def test_the_period_page_refuses_a_bad_range_and_others_staff(client, coordinator, other_coordinator, artist, monday):
    login(client, coordinator)
    bad = client.get(reverse("visits:stand_ins_for_person") + f"?staff={artist.pk}&date_from={monday}&date_to={monday - dt.timedelta(days=1)}")
    assert bad.status_code == 400 and "The end is before the start." in bad.content.decode()
    login(client, other_coordinator)
    assert client.get(reverse("visits:stand_ins_for_person") + f"?staff={artist.pk}&date_from={monday}&date_to={monday}").status_code == 400


def test_after_a_stand_in_every_view_shows_who_actually_comes(client, coordinator, artist, nurse, visit, sami, monday):
    standins.apply_stand_in(visit=visit, absent_person=artist, replacement_person=sami, by=coordinator.user)
    login(client, coordinator)
    day = client.get(reverse("visits:calendar_day", args=[monday.isoformat()])).content.decode()
    assert "Coming: Sami Sijainen &amp; Hanna Hoitaja (stand-in)" in day
    week = client.get(reverse("visits:calendar") + f"?week={monday.isoformat()}").content.decode()
    assert "Sami Sijainen &amp; Hanna Hoitaja" in week
    assert "Sami Sijainen" in client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    # The stand-in sees it on their phone; the nurse sees who comes with her; the artist no longer has it.
    login(client, sami)
    mine = client.get(reverse("visits:my_visits")).content.decode()
    assert "Helmi" in mine and "With Hanna Hoitaja" in mine
    login(client, nurse)
    assert "With Sami Sijainen" in client.get(reverse("visits:my_visits")).content.decode()
    login(client, artist)
    assert "Helmi" not in client.get(reverse("visits:my_visits")).content.decode()
    assert b"Joint visit with Sami Sijainen" in build_feed(nurse)
    assert b"Joint visit with Hanna Hoitaja" in build_feed(sami)
    # A client's data export names who came.
    [exported] = data_export.visits(visit.client)
    assert "Sami Sijainen" in str(exported["artist"])


def test_from_the_absences_page_only_the_visits_of_that_absence_get_stand_ins(
    client, coordinator, artist, pair, client_record, visit, sami, monday
):
    from visits.absences import record_absence
    from visits.models import AbsenceKind

    afternoon = services.schedule_visit(
        client=f.ClientFactory(team=client_record.team), pair=pair, starts_at=at(monday, 14), ends_at=at(monday, 15),
        by=coordinator.user,
    )
    absence = record_absence(person=artist, kind=AbsenceKind.TRAINING, starts_at=at(monday, 9), ends_at=at(monday, 12),
                             by=coordinator.user)
    login(client, coordinator)
    absences_page = client.get(reverse("visits:absences")).content.decode()
    assert "Find stand-ins for these visits" in absences_page
    url = (reverse("visits:stand_ins_for_person")
           + f"?staff={artist.pk}&date_from={monday.isoformat()}&date_to={monday.isoformat()}&absence={absence.pk}")
    assert url.replace("&", "&amp;") in absences_page
    listed = client.get(url).content.decode()
    assert reverse("visits:stand_ins", args=[visit.pk]) in listed
    assert reverse("visits:stand_ins", args=[afternoon.pk]) not in listed, "the afternoon is outside the absence"
    client.post(url)
    artists = dict(VisitParticipant.objects.filter(role="artist").values_list("visit_id", "staff_id"))
    assert artists == {visit.pk: sami.pk, afternoon.pk: artist.pk}
    other = f.ArtistFactory(team=client_record.team)
    wrong = url.replace(f"staff={artist.pk}", f"staff={other.pk}")
    assert client.get(wrong).status_code == 400, "an absence of someone else is refused"
