"""The coordinator's scheduling pages: suggestions, saving, series report, moving, cancelling."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from access.models import AccessLog
from tests import factories as f
from tests.conftest import login
from tests.scheduling import at, next_weekday
from visits import services
from visits.models import SkippedOccurrence, Visit, VisitEvent


@pytest.fixture
def monday():
    return next_weekday(0)


@pytest.fixture
def coordinator_client(client, coordinator):
    login(client, coordinator)
    return client


def search_params(client_record, day, time="10:00", minutes=60):
    return {"client": client_record.pk, "day": day.isoformat(), "start_time": time, "duration_minutes": minutes}


def book(pair, client_record, coordinator, starts_at):
    return services.schedule_visit(
        client=client_record, pair=pair, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=1), by=coordinator.user
    )


def test_the_schedule_page_shows_ranked_suggestions_with_reasons(coordinator_client, pair, client_record, team, monday):
    stranger = f.WorkPairFactory(team=team)

    response = coordinator_client.get(reverse("visits:schedule"), search_params(client_record, monday))

    assert response.status_code == 200
    ranked = [s.pair for s in response.context["suggestions"].pairs]
    assert ranked == [pair, stranger]
    assert response.context["selected_pair_id"] == pair.pk
    assert "Hanna Hoitaja is the client&#x27;s primary nurse" in response.content.decode()
    # Reading the client to suggest pairs is logged.
    assert AccessLog.objects.filter(client_id=client_record.pk, object_type="client", action="view").exists()


def test_a_link_from_the_client_page_preselects_without_errors(coordinator_client, client_record):
    response = coordinator_client.get(reverse("visits:schedule"), {"client": client_record.pk})
    assert response.status_code == 200
    assert response.context["suggestions"] is None
    assert not response.context["search"].errors


def test_a_client_without_consent_gets_the_message_on_the_client_field(coordinator_client, team, monday):
    no_consent = f.ClientFactory(team=team, consent_given=False, consent_date=None)

    response = coordinator_client.get(reverse("visits:schedule"), search_params(no_consent, monday))

    assert "consent has not been recorded" in response.context["search"].errors["client"][0]
    assert response.context["suggestions"] is None


def test_scheduling_one_visit_saves_it_and_shows_its_day(coordinator_client, pair, client_record, monday):
    response = coordinator_client.post(reverse("visits:schedule"), {**search_params(client_record, monday), "pair": pair.pk})

    visit = Visit.objects.get()
    assert (visit.client, visit.pair, visit.starts_at) == (client_record, pair, at(monday, 10))
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:calendar_day", args=[monday.isoformat()])


def test_scheduling_a_series_reports_created_and_skipped(coordinator_client, pair, client_record, team, coordinator, monday):
    other = f.WorkPairFactory(team=team, nurse=pair.nurse)
    book(other, f.ClientFactory(team=team), coordinator, at(monday + dt.timedelta(weeks=1), 10))

    response = coordinator_client.post(reverse("visits:schedule"), {
        **search_params(client_record, monday), "pair": pair.pk, "repeat": "on", "interval_weeks": 1, "ends": "count", "count": 3,
    }, follow=True)

    assert Visit.objects.filter(client=client_record).count() == 2
    assert SkippedOccurrence.objects.count() == 1
    page = response.content.decode()
    assert "2 visits created" in page and "1 occurrence skipped" in page
    assert "Hanna Hoitaja (Nurse) is busy" in page


def test_a_clash_on_save_shows_the_busy_person_and_keeps_the_form(coordinator_client, pair, client_record, team, coordinator, monday):
    """The suggestion said free, but someone booked Hanna before we pressed save."""
    other = f.WorkPairFactory(team=team, nurse=pair.nurse)
    book(other, f.ClientFactory(team=team, first_name="Toivo", last_name="Toinen"), coordinator, at(monday, 10, 30))

    response = coordinator_client.post(reverse("visits:schedule"), {**search_params(client_record, monday), "pair": pair.pk})

    assert response.status_code == 409
    errors = response.context["form"].non_field_errors()
    assert "The time is taken:" in errors
    assert any("Hanna Hoitaja (Nurse) is busy" in e and "10:30–11:30" in e and "Toivo Toinen" in e for e in errors)
    assert Visit.objects.filter(client=client_record).count() == 0
    # Naming the other client is a logged read of that client's data.
    assert AccessLog.objects.filter(client__first_name="Toivo", action="view", allowed=True).exists()


def test_artists_and_nurses_cannot_open_the_scheduling_pages(client, artist, nurse, pair, client_record, monday):
    for person in (artist, nurse):
        login(client, person)
        assert client.get(reverse("visits:schedule")).status_code == 403
        assert client.post(reverse("visits:schedule"), {**search_params(client_record, monday), "pair": pair.pk}).status_code == 403
    assert not Visit.objects.exists()


def test_another_teams_client_cannot_be_picked(client, other_coordinator, pair, client_record, monday):
    login(client, other_coordinator)
    response = client.post(reverse("visits:schedule"), {**search_params(client_record, monday), "pair": pair.pk})
    assert "client" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_moving_a_visit_onto_a_clash_on_the_page_names_the_busy_person(
    coordinator_client, pair, client_record, team, coordinator, monday
):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    other = f.WorkPairFactory(team=team, artist=pair.artist)
    book(other, f.ClientFactory(team=team), coordinator, at(monday, 14))

    response = coordinator_client.post(reverse("visits:reschedule", args=[visit.pk]), {
        "day": monday.isoformat(), "start_time": "14:15", "duration_minutes": 60, "reason": "Toive",
    })

    assert response.status_code == 200
    assert any("Aino Taiteilija (Artist) is busy" in e for e in response.context["form"].non_field_errors())
    visit.refresh_from_db()
    assert visit.starts_at == at(monday, 10)


def test_moving_a_visit_on_the_page(coordinator_client, pair, client_record, coordinator, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    response = coordinator_client.post(reverse("visits:reschedule", args=[visit.pk]), {
        "day": (monday + dt.timedelta(days=1)).isoformat(), "start_time": "09:00", "duration_minutes": 90, "reason": "Toive",
    })
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.starts_at, visit.ends_at) == (at(monday + dt.timedelta(days=1), 9), at(monday + dt.timedelta(days=1), 10, 30))


def test_cancelling_on_the_page_frees_the_slot_and_keeps_history(coordinator_client, pair, client_record, coordinator, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))

    response = coordinator_client.post(reverse("visits:cancel", args=[visit.pk]), {"reason": "Asiakas matkoilla"})

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "cancelled"
    assert list(VisitEvent.objects.filter(visit=visit).values_list("kind", flat=True)) == ["scheduled", "cancelled"]
    book(pair, client_record, coordinator, at(monday, 10))  # the slot is free again


def test_cancel_without_a_reason_is_refused_on_the_field(coordinator_client, pair, client_record, coordinator, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    response = coordinator_client.post(reverse("visits:cancel", args=[visit.pk]), {"reason": ""})
    assert "reason" in response.context["form"].errors
    visit.refresh_from_db()
    assert visit.status == "planned"


def test_a_coordinator_of_another_team_gets_404_on_this_teams_visits(client, other_coordinator, pair, client_record, coordinator, monday):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    series = services.schedule_series(
        client=client_record, pair=pair, first_starts_at=at(monday, 12), duration=dt.timedelta(hours=1), count=2, by=coordinator.user,
    ).series
    login(client, other_coordinator)

    for url in (
        reverse("visits:reschedule", args=[visit.pk]),
        reverse("visits:cancel", args=[visit.pk]),
        reverse("visits:series", args=[series.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x", "day": monday.isoformat(), "start_time": "12:00", "duration_minutes": 60}).status_code == 404
    visit.refresh_from_db()
    assert visit.status == "planned" and visit.starts_at == at(monday, 10)
    assert AccessLog.objects.filter(user=other_coordinator.user, allowed=False).exists()


def test_a_local_time_skipped_by_the_clock_change_is_refused_on_the_field(coordinator_client, client_record):
    from tests.scheduling import next_spring_forward

    response = coordinator_client.get(reverse("visits:schedule"), search_params(client_record, next_spring_forward(), time="03:30"))

    assert "does not exist on that day" in response.context["search"].errors["start_time"][0]
    assert response.context["suggestions"] is None


def test_a_series_until_a_date_from_the_page(coordinator_client, pair, client_record, monday):
    response = coordinator_client.post(reverse("visits:schedule"), {
        **search_params(client_record, monday), "pair": pair.pk, "repeat": "on", "interval_weeks": 2, "ends": "until",
        "until": (monday + dt.timedelta(weeks=4)).isoformat(),
    })
    assert response.status_code == 302
    assert Visit.objects.filter(client=client_record).count() == 3


def test_a_series_without_an_end_is_refused_on_the_field(coordinator_client, pair, client_record, monday):
    response = coordinator_client.post(reverse("visits:schedule"), {
        **search_params(client_record, monday), "pair": pair.pk, "repeat": "on", "interval_weeks": 1, "ends": "until",
    })
    assert "until" in response.context["form"].errors
    assert not Visit.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_past_date_is_refused_on_the_date_field_not_with_a_500(coordinator_client, pair, client_record, method):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    params = {**search_params(client_record, yesterday), "pair": pair.pk}

    response = getattr(coordinator_client, method)(reverse("visits:schedule"), params)

    assert response.status_code == 400  # bad input: a 4xx with the message on the field
    assert "This date is in the past" in response.context["search"].errors["day"][0]
    assert response.context["suggestions"] is None
    assert "This date is in the past" in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_past_time_today_is_refused_on_the_time_field(coordinator_client, pair, client_record, method):
    if timezone.localtime().time() < dt.time(0, 1):
        pytest.skip("in the first minute of the day no earlier time exists today")
    params = {**search_params(client_record, timezone.localdate(), time="00:00"), "pair": pair.pk}

    response = getattr(coordinator_client, method)(reverse("visits:schedule"), params)

    assert response.status_code == 400  # bad input: a 4xx with the message on the field
    assert "This time is in the past" in response.context["search"].errors["start_time"][0]
    assert response.context["suggestions"] is None
    assert not Visit.objects.exists()
