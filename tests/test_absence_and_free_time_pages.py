"""The coordinator's pages: a client's absences (with confirmations), the next free time, the client's preferences."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from access.models import AccessLog
from clients.models import Client
from tests import factories as f
from tests.conftest import login
from tests.scheduling import at, next_weekday
from tests.test_client_pages import client_form
from visits import services
from visits.models import ClientAbsence, Visit, VisitStatus


@pytest.fixture
def monday():
    return next_weekday(0, weeks_ahead=2)


@pytest.fixture
def coordinator_client(client, coordinator):
    login(client, coordinator)
    return client


@pytest.fixture
def visits(pair, client_record, coordinator, monday):
    return [
        services.schedule_visit(client=client_record, pair=pair, starts_at=at(monday + dt.timedelta(days=d), 10),
                                ends_at=at(monday + dt.timedelta(days=d), 11), by=coordinator.user)
        for d in (0, 1, 3)
    ]


def absence_data(monday, **extra):
    return {"action": "record", "kind": "hospital", "starts_on": monday.isoformat(),
            "ends_on": (monday + dt.timedelta(days=1)).isoformat(), "reason": "Leikkaus", **extra}


def test_recording_asks_for_confirmation_listing_the_visits_then_cancels_them(
    coordinator_client, client_record, visits, monday
):
    url = reverse("clients:absences", args=[client_record.pk])
    before = AccessLog.objects.count()
    preview = coordinator_client.post(url, absence_data(monday))
    assert preview.status_code == 200
    assert [v.pk for v in preview.context["pending"]["visits"]] == [visits[0].pk, visits[1].pk]
    assert 'id="confirm-record"' in preview.content.decode()
    assert not ClientAbsence.objects.exists()
    assert Visit.objects.filter(status=VisitStatus.CANCELLED).count() == 0
    assert AccessLog.objects.count() == before + 1  # the preview read, once
    done = coordinator_client.post(url, absence_data(monday, confirm="yes"), follow=True)
    assert done.redirect_chain[-1][0] == url
    assert "2 visits were cancelled" in done.content.decode()
    assert [Visit.objects.get(pk=v.pk).status for v in visits] == ["cancelled", "cancelled", "planned"]
    absence = ClientAbsence.objects.get()
    assert (absence.kind, absence.reason) == ("hospital", "Leikkaus")
    page = coordinator_client.get(reverse("clients:detail", args=[client_record.pk]))
    assert 'id="client-away"' in page.content.decode()


def test_withdrawing_asks_then_restores(coordinator_client, client_record, visits, monday):
    url = reverse("clients:absences", args=[client_record.pk])
    coordinator_client.post(url, absence_data(monday, confirm="yes"))
    absence = ClientAbsence.objects.get()
    ask = coordinator_client.post(url, {"action": "withdraw", "absence": absence.pk})
    assert ask.status_code == 200 and ask.context["pending"]["restorable"] == 2
    assert ClientAbsence.objects.get().withdrawn_at is None
    done = coordinator_client.post(url, {"action": "withdraw", "absence": absence.pk, "confirm": "yes"}, follow=True)
    assert "2 visits are back on the calendar" in done.content.decode()
    assert [Visit.objects.get(pk=v.pk).status for v in visits] == ["planned", "planned", "planned"]


def test_shortening_with_a_longer_period_is_a_field_error(coordinator_client, client_record, visits, monday):
    url = reverse("clients:absences", args=[client_record.pk])
    coordinator_client.post(url, absence_data(monday, confirm="yes"))
    absence = ClientAbsence.objects.get()
    refused = coordinator_client.post(url, {
        "action": "shorten", "absence": absence.pk, "starts_on": monday.isoformat(),
        "ends_on": (monday + dt.timedelta(days=9)).isoformat(), "confirm": "yes",
    })
    assert refused.status_code == 400
    assert "can only be shortened" in refused.content.decode()
    assert ClientAbsence.objects.get().ends_on == monday + dt.timedelta(days=1)


def test_bad_absence_input_is_a_field_error_not_a_500(coordinator_client, client_record, monday):
    url = reverse("clients:absences", args=[client_record.pk])
    response = coordinator_client.post(url, absence_data(monday, ends_on="2020-01-01", confirm="yes"))
    assert response.status_code == 400
    assert response.context["form"].errors or "ends_on" in str(response.content)
    assert not ClientAbsence.objects.exists()
    response = coordinator_client.post(url, absence_data(monday, kind="moon"))
    assert response.status_code == 400 and "kind" in response.context["form"].errors


def test_the_artist_sees_only_that_the_client_is_away(client, artist, client_record, visits, monday, coordinator):
    login(client, coordinator)
    client.post(reverse("clients:absences", args=[client_record.pk]), absence_data(monday, confirm="yes"))
    login(client, artist)
    page = client.get(reverse("visits:detail", args=[visits[0].pk])).content.decode()
    assert "The client is away." in page
    assert "Leikkaus" not in page and "Hospital" not in page
    assert client.get(reverse("clients:absences", args=[client_record.pk])).status_code == 404


def test_free_time_page_starts_from_the_preferences_and_links_to_booking(
    coordinator_client, client_record, pair, monday, django_assert_max_num_queries
):
    client_record.preferred_weekdays, client_record.preferred_time_of_day = [2], "morning"
    client_record.save()
    for _ in range(3):  # more pairs, same number of queries
        f.WorkPairFactory(team=client_record.team)
    with django_assert_max_num_queries(20):
        page = coordinator_client.get(reverse("visits:free_times"), {"client": client_record.pk})
    assert page.status_code == 200
    slots = page.context["slots"]
    assert slots and all(item["slot"].local_day.weekday() == 2 for item in slots)
    link = urlparse(slots[0]["book_url"])
    query = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert query["pair"] == str(pair.pk) and query["start_time"] == "08:00"
    schedule = coordinator_client.get(slots[0]["book_url"])
    assert schedule.context["selected_pair_id"] == pair.pk
    assert 'id="find-next-free-time"' in schedule.content.decode()
    assert AccessLog.objects.filter(client_id=client_record.pk, action="view").count() >= 1


def test_free_time_page_empty_state_and_bad_input(coordinator_client, client_record, monday):
    page = coordinator_client.get(reverse("visits:free_times"), {
        "client": client_record.pk, "duration_minutes": 60, "date_from": monday.isoformat(),
        "date_to": monday.isoformat(), "time_of_day": "between", "time_from": "22:00", "time_to": "23:00",
    })
    assert page.status_code == 200 and 'id="no-free-times"' in page.content.decode()
    bad = coordinator_client.get(reverse("visits:free_times"), {
        "client": client_record.pk, "duration_minutes": 60, "time_of_day": "between", "time_from": "12:00", "time_to": "11:00",
    })
    assert bad.status_code == 400 and "time_to" in bad.context["form"].errors


def test_the_client_form_keeps_preferences_and_the_page_shows_them(coordinator_client, client_record):
    data = client_form(client_record.team, preferred_weekdays=["0", "3"], preferred_time_of_day="between",
                       preferred_from="09:30", preferred_until="11:00")
    response = coordinator_client.post(reverse("clients:edit", args=[client_record.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    saved = Client.objects.get(pk=client_record.pk)
    assert (saved.preferred_weekdays, saved.preferred_time_of_day) == ([0, 3], "between")
    assert (saved.preferred_from, saved.preferred_until) == (dt.time(9, 30), dt.time(11))
    page = coordinator_client.get(reverse("clients:detail", args=[client_record.pk])).content.decode()
    assert "Monday, Thursday · 09:30–11:00" in page
    refused = coordinator_client.post(reverse("clients:edit", args=[client_record.pk]), {
        **data, "preferred_until": "09:00"})
    assert refused.status_code in (200, 400) and "preferred_until" in refused.context["form"].errors
