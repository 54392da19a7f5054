"""The absence pages: the coordinator's Absences page, shortening and withdrawing, the phone's "Report sick",
and the flags on the calendars, the visit page and the coordinator's home."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import login
from tests.factories import make_visit
from tests.scheduling import at, next_weekday
from visits import absences
from visits.models import StaffAbsence


@pytest.fixture
def monday():
    return next_weekday(0)


def record(person, by, first, last, kind="sick_leave"):
    starts_at, ends_at = absences.all_day_range(first, last)
    return absences.record_absence(person=person, kind=kind, starts_at=starts_at, ends_at=ends_at, all_day=True, by=by.user)


def test_the_coordinator_records_an_absence_and_sees_its_visits_linked(client, coordinator, pair, client_record, nurse, monday,
                                                                       django_capture_on_commit_callbacks):
    visit = make_visit(pair=pair, client=client_record, starts_at=at(monday, 10))
    login(client, coordinator)
    page = client.get(reverse("visits:absences"))
    assert page.status_code == 200
    assert "Nobody in your team is absent now or later." in page.content.decode()
    assert reverse("visits:absences") in client.get(reverse("home")).content.decode(), "reachable from the navigation"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("visits:absences"), {
            "person": nurse.pk, "kind": "holiday", "first_day": monday.isoformat(), "last_day": monday.isoformat(),
            "all_day": "on", "note": "Lomaviikko",
        }, follow=True)
    body = response.content.decode()
    assert "1 visit is affected" in body
    absence = StaffAbsence.objects.get()
    assert (absence.person, absence.kind, absence.all_day, absence.created_by) == (nurse, "holiday", True, coordinator.user)
    assert absence.starts_at == absences.all_day_range(monday, monday)[0]
    assert reverse("visits:detail", args=[visit.pk]) in body and client_record.last_name in body
    assert len(mail.outbox) == 1


def test_the_record_form_shows_field_errors_and_keeps_nothing(client, coordinator, nurse, monday):
    login(client, coordinator)
    response = client.post(reverse("visits:absences"), {
        "person": nurse.pk, "kind": "training", "first_day": monday.isoformat(),
        "last_day": (monday - dt.timedelta(days=1)).isoformat(), "all_day": "on",
    })
    assert response.status_code == 400
    assert "The last day is before the first day." in response.content.decode()
    response = client.post(reverse("visits:absences"), {
        "person": nurse.pk, "kind": "training", "first_day": monday.isoformat(), "last_day": monday.isoformat(),
        "start_time": "09:00",
    })
    assert response.status_code == 400 and "Give the time" in response.content.decode()
    response = client.post(reverse("visits:absences"), {"person": nurse.pk, "kind": "nap", "first_day": "x"})
    assert response.status_code == 400
    assert not StaffAbsence.objects.exists()


def test_a_person_of_another_team_cannot_be_chosen(client, coordinator, other_team, monday):
    outsider = f.NurseFactory(team=other_team)
    login(client, coordinator)
    response = client.post(reverse("visits:absences"), {
        "person": outsider.pk, "kind": "holiday", "first_day": monday.isoformat(), "last_day": monday.isoformat(), "all_day": "on",
    })
    assert response.status_code == 400
    assert not StaffAbsence.objects.exists()


def test_the_absences_list_is_paginated(client, coordinator, team, monday):
    for index in range(25):
        record(f.NurseFactory(team=team), coordinator, monday + dt.timedelta(days=index), monday + dt.timedelta(days=index))
    login(client, coordinator)
    first = client.get(reverse("visits:absences")).content.decode()
    assert first.count("data-absence=") == 20 and "Page 1 of 2" in first
    assert client.get(reverse("visits:absences"), {"page": 2}).content.decode().count("data-absence=") == 5


def test_withdrawing_asks_for_confirmation_then_keeps_the_absence_marked(client, coordinator, nurse, monday):
    absence = record(nurse, coordinator, monday, monday)
    login(client, coordinator)
    page = client.get(reverse("visits:absence_change", args=[absence.pk]))
    assert "Yes, withdraw the absence" in page.content.decode()
    assert StaffAbsence.objects.get().withdrawn_at is None
    response = client.post(reverse("visits:absence_change", args=[absence.pk]), {"action": "withdraw"}, follow=True)
    assert "Withdrawn:" in response.content.decode()
    absence.refresh_from_db()
    assert absence.withdrawn_at is not None and absence.withdrawn_by == coordinator.user


def test_shortening_moves_the_end_and_refuses_a_later_day(client, coordinator, nurse, monday):
    absence = record(nurse, coordinator, monday, monday + dt.timedelta(days=4))
    login(client, coordinator)
    url = reverse("visits:absence_change", args=[absence.pk])
    refused = client.post(url, {"action": "shorten", "last_day": (monday + dt.timedelta(days=9)).isoformat()})
    assert refused.status_code == 400 and "Shortening moves the end earlier" in refused.content.decode()
    client.post(url, {"action": "shorten", "last_day": (monday + dt.timedelta(days=1)).isoformat()})
    absence.refresh_from_db()
    assert absence.ends_at == absences.all_day_range(monday, monday + dt.timedelta(days=1))[1]


def test_another_teams_coordinator_gets_404_for_the_change_page(client, coordinator, other_coordinator, nurse, monday):
    absence = record(nurse, coordinator, monday, monday)
    login(client, other_coordinator)
    assert client.post(reverse("visits:absence_change", args=[absence.pk]), {"action": "withdraw"}).status_code == 404
    absence.refresh_from_db()
    assert absence.withdrawn_at is None


def test_the_nurse_reports_sick_from_the_phone_home(client, nurse, coordinator, pair, client_record,
                                                   django_capture_on_commit_callbacks):
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    make_visit(pair=pair, client=client_record, starts_at=at(tomorrow, 10))
    login(client, nurse)
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="report-sick"' in home and reverse("visits:report_sick") in home
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("visits:report_sick"), {"last_day": tomorrow.isoformat()}, follow=True)
    body = response.content.decode()
    assert "Get well soon." in body and "1 visit" in body
    assert 'data-testid="my-absence"' in body
    absence = StaffAbsence.objects.get()
    assert (absence.person, absence.kind, absence.created_by) == (nurse, "sick_leave", nurse.user)
    assert absence.starts_at == absences.all_day_range(today, today)[0]
    assert absence.ends_at == absences.all_day_range(tomorrow, tomorrow)[1]
    assert [m.to for m in mail.outbox] == [[coordinator.user.email]]


def test_report_sick_refuses_a_past_day(client, artist):
    login(client, artist)
    response = client.post(reverse("visits:report_sick"), {"last_day": "2020-01-01"})
    assert response.status_code == 400
    assert not StaffAbsence.objects.exists()


def test_affected_visits_are_flagged_on_calendars_visit_page_and_coordinators_home(
    client, coordinator, nurse, pair, client_record, monday
):
    visit = make_visit(pair=pair, client=client_record, starts_at=at(monday, 10))
    free = make_visit(pair=pair, client=client_record, starts_at=at(monday + dt.timedelta(days=1), 10))
    record(nurse, nurse, monday, monday)
    badge = f"{nurse.display_name} is absent (sick leave)"
    login(client, coordinator)
    week = client.get(reverse("visits:calendar"), {"week": monday.isoformat()}).content.decode()
    assert week.count(badge) == 1
    assert client.get(reverse("visits:calendar_day", args=[monday.isoformat()])).content.decode().count(badge) == 1
    assert badge in client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert badge not in client.get(reverse("visits:detail", args=[free.pk])).content.decode()
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="needs-attention-count">1<' in home
    assert reverse("visits:detail", args=[visit.pk]) in home and reverse("visits:detail", args=[free.pk]) not in home
    assert client_record.last_name not in home


def test_the_coordinators_home_says_when_nothing_needs_attention(client, coordinator):
    login(client, coordinator)
    assert "Nothing needs attention" in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("language, title, badge", [
    ("fi", "Poissaolot", "on poissa (sairausloma)"),
    ("sv", "Frånvaro", "är frånvarande (sjukledighet)"),
])
def test_the_pages_and_badges_speak_finnish_and_swedish(client, settings, coordinator, nurse, pair, client_record, monday,
                                                        language, title, badge):
    settings.LANGUAGE_CODE = language
    visit = make_visit(pair=pair, client=client_record, starts_at=at(monday, 10))
    record(nurse, nurse, monday, monday)
    login(client, coordinator)
    assert f"<h1 class=\"h2 mb-0\">{title}</h1>" in client.get(reverse("visits:absences")).content.decode()
    assert f"{nurse.display_name} {badge}" in client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
