"""When a client's baseline and follow-up are due, and where the nurse and the coordinator see it."""
from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.models import AccessLog
from clients.models import Client
from tests import factories as f
from tests.conftest import login
from tests.factories import make_visit
from visits.models import VisitStatus
from wellbeing import metrics
from wellbeing.models import Instrument, OutcomeMeasurementReminder, TimePoint
from wellbeing.outcome_schedule import (
    FOLLOW_UP_GRACE,
    FOLLOW_UP_OPENS_BEFORE,
    DueStatus,
    measurement_schedules,
    needing_action,
    schedule_of,
)
from wellbeing.reminders import send_outcome_measurement_reminders
from wellbeing.selectors import current_instrument
from wellbeing.services import submit_response

from .test_answering import CLIENT_ANSWERS

NOW = timezone.make_aware(dt.datetime(2026, 11, 10, 12, 0))


def facts(**overrides) -> dict:
    base = {"client": None, "first_visit_starts": None, "first_visit_ends": None, "baseline_at": None,
            "follow_up_weeks": 8, "latest_follow_up_at": None, "now": NOW}
    return {**base, **overrides}


def record(client_record, nurse, time_point, at):
    return submit_response(
        instrument=current_instrument(metrics.CLIENT_OUTCOME), time_point=time_point, answers=CLIENT_ANSWERS,
        team=client_record.team, recorded_by=nurse.user, client=client_record, submitted_at=at, refresh_aggregates=False,
    )


# --- The rule ------------------------------------------------------------------------------------


def test_nothing_is_due_while_no_paired_visit_is_planned():
    schedule = schedule_of(**facts())
    assert schedule.baseline is None and schedule.follow_up is None and schedule.next_action is None


def test_the_baseline_is_due_before_the_first_paired_visit_and_still_at_it():
    starts = NOW + dt.timedelta(days=3)
    ahead = schedule_of(**facts(first_visit_starts=starts, first_visit_ends=starts + dt.timedelta(hours=1)))
    assert (ahead.baseline.status, ahead.baseline.due_on) == (DueStatus.DUE, dt.date(2026, 11, 13))
    assert ahead.next_action == ahead.baseline and ahead.follow_up is None
    # At the visit itself the nurse can still record it with the client.
    during = schedule_of(**facts(first_visit_starts=NOW - dt.timedelta(minutes=20), first_visit_ends=NOW + dt.timedelta(minutes=40)))
    assert during.baseline.status == DueStatus.DUE


def test_the_baseline_is_overdue_once_the_first_paired_visit_has_ended():
    schedule = schedule_of(**facts(first_visit_starts=NOW - dt.timedelta(hours=2), first_visit_ends=NOW - dt.timedelta(hours=1)))
    assert schedule.baseline.status == DueStatus.OVERDUE


@pytest.mark.parametrize(("days_after_baseline", "status"), [
    (0, DueStatus.UPCOMING),
    (8 * 7 - FOLLOW_UP_OPENS_BEFORE.days - 1, DueStatus.UPCOMING),   # the day before the window opens
    (8 * 7 - FOLLOW_UP_OPENS_BEFORE.days, DueStatus.DUE),            # the window opens a week before the due day
    (8 * 7, DueStatus.DUE),                                         # the due day
    (8 * 7 + FOLLOW_UP_GRACE.days, DueStatus.DUE),                  # the last day of the grace
    (8 * 7 + FOLLOW_UP_GRACE.days + 1, DueStatus.OVERDUE),
])
def test_the_follow_up_window_around_follow_up_weeks_after_the_baseline(days_after_baseline, status):
    baseline_at = NOW - dt.timedelta(days=days_after_baseline)
    schedule = schedule_of(**facts(first_visit_starts=baseline_at, first_visit_ends=baseline_at, baseline_at=baseline_at))
    assert schedule.baseline.status == DueStatus.DONE
    assert schedule.baseline.done_on == timezone.localdate(baseline_at)
    assert schedule.follow_up.status == status
    assert schedule.follow_up.due_on == timezone.localdate(baseline_at) + dt.timedelta(weeks=8)


def test_the_follow_up_interval_is_the_instruments():
    baseline_at = NOW - dt.timedelta(weeks=8)
    schedule = schedule_of(**facts(first_visit_starts=baseline_at, first_visit_ends=baseline_at, baseline_at=baseline_at,
                                   follow_up_weeks=12))
    assert schedule.follow_up.status == DueStatus.UPCOMING
    assert schedule.follow_up.due_on == timezone.localdate(baseline_at) + dt.timedelta(weeks=12)


def test_a_follow_up_counts_only_when_recorded_in_its_window():
    baseline_at = NOW - dt.timedelta(weeks=9)
    early = schedule_of(**facts(first_visit_starts=baseline_at, first_visit_ends=baseline_at, baseline_at=baseline_at,
                                latest_follow_up_at=baseline_at + dt.timedelta(weeks=3)))
    assert early.follow_up.status == DueStatus.DUE and early.follow_up.done_on is None
    on_time = schedule_of(**facts(first_visit_starts=baseline_at, first_visit_ends=baseline_at, baseline_at=baseline_at,
                                  latest_follow_up_at=baseline_at + dt.timedelta(weeks=7)))
    assert on_time.follow_up.status == DueStatus.DONE and on_time.next_action is None


# --- The query -------------------------------------------------------------------------------------


@pytest.fixture
def clients_in_every_state(team, pair, nurse):
    """Five clients of our team: baseline due, baseline overdue, follow-up due, all done, and no visit yet."""
    now = timezone.now().replace(microsecond=0)
    make = lambda name: f.ClientFactory(team=team, first_name=name)  # noqa: E731
    due, overdue, follow_up, done, waiting = (make(n) for n in ("Alli", "Bertta", "Cecilia", "Doris", "Eino"))
    make_visit(pair=pair, client=due, starts_at=now + dt.timedelta(days=2))
    # A cancelled visit before it does not count as the first paired visit.
    make_visit(pair=pair, client=due, starts_at=now - dt.timedelta(days=5), status=VisitStatus.CANCELLED, cancellation_reason="Sairas")
    make_visit(pair=pair, client=overdue, starts_at=now - dt.timedelta(days=3), status=VisitStatus.COMPLETED)
    for client_record, weeks in ((follow_up, 9), (done, 10)):
        first = now - dt.timedelta(weeks=weeks)
        make_visit(pair=pair, client=client_record, starts_at=first, status=VisitStatus.COMPLETED)
        make_visit(pair=pair, client=client_record, starts_at=now + dt.timedelta(days=1, hours=weeks))
        record(client_record, nurse, TimePoint.BASELINE, first - dt.timedelta(minutes=10))
    record(done, nurse, TimePoint.FOLLOW_UP, now - dt.timedelta(days=3))
    return {"due": due, "overdue": overdue, "follow_up": follow_up, "done": done, "waiting": waiting}


def test_the_schedules_of_many_clients_take_one_query(clients_in_every_state, django_assert_num_queries):
    with django_assert_num_queries(1):
        schedules = {s.client.first_name: s for s in measurement_schedules(Client.objects.order_by("first_name"))}
        states = {name: [(m.time_point, m.status) for m in s.measurements] for name, s in schedules.items()}
        teams = {s.client.team.name for s in schedules.values()}
    assert states == {
        "Alli": [("baseline", "due")],
        "Bertta": [("baseline", "overdue")],
        "Cecilia": [("baseline", "done"), ("follow_up", "due")],
        "Doris": [("baseline", "done"), ("follow_up", "done")],
        "Eino": [],
    }
    assert teams == {"Kallio"}
    assert [s.client.first_name for s in needing_action(Client.objects.all())] == ["Bertta", "Cecilia", "Alli"]


def test_the_nurse_to_remind_is_the_one_of_the_next_visit(clients_in_every_state, team, nurse):
    other_pair = f.WorkPairFactory(team=team)
    alli = clients_in_every_state["due"]
    schedules = {s.client.pk: s for s in measurement_schedules(Client.objects.all())}
    assert schedules[alli.pk].responsible_nurse_id == nurse.pk
    make_visit(pair=other_pair, client=alli, starts_at=timezone.now() + dt.timedelta(hours=5))
    schedules = {s.client.pk: s for s in measurement_schedules(Client.objects.all())}
    assert schedules[alli.pk].responsible_nurse_id == other_pair.nurse_id
    assert schedules[clients_in_every_state["overdue"].pk].responsible_nurse_id == nurse.pk  # the latest visit's


# --- The visit page ----------------------------------------------------------------------------------


def test_the_visiting_nurse_sees_the_baseline_due_with_a_button_that_opens_the_form(client, todays_visit, nurse, client_record):
    login(client, nurse)
    visit_url = reverse("visits:detail", args=[todays_visit.pk])
    page = client.get(visit_url).content.decode()
    assert 'data-due-status="due"' in page and "Record the baseline with the client" in page
    form_url = reverse("wellbeing:client_outcome", args=[client_record.pk])
    assert f'href="{form_url}?time_point=baseline&amp;next=%2Fvisits%2F{todays_visit.pk}%2F"' in page

    form = client.get(f"{form_url}?time_point=baseline&next={visit_url}")
    assert form.context["form"].initial["time_point"] == "baseline"
    saved = client.post(f"{form_url}", {"time_point": "baseline", "next": visit_url, **CLIENT_ANSWERS})
    assert saved.status_code == 302 and saved.url == visit_url

    after = client.get(visit_url).content.decode()
    assert 'data-due-status="done"' in after and "Record the baseline with the client" not in after
    assert 'data-due-status="upcoming"' in after  # the follow-up, in eight weeks


def test_the_form_opens_at_the_time_point_it_is_asked_for(client, todays_visit, nurse, client_record):
    login(client, nurse)
    url = reverse("wellbeing:client_outcome", args=[client_record.pk])
    record(client_record, nurse, TimePoint.BASELINE, timezone.now() - dt.timedelta(weeks=8))
    assert client.get(url).context["form"].initial["time_point"] == "follow_up"
    assert client.get(url, {"time_point": "nonsense"}).context["form"].initial["time_point"] == "follow_up"


@pytest.mark.parametrize("persona", ["artist", "coordinator"])
def test_only_the_visiting_nurse_gets_the_measurement_panel_on_the_visit_page(client, todays_visit, persona, request):
    login(client, request.getfixturevalue(persona))
    page = client.get(reverse("visits:detail", args=[todays_visit.pk]))
    assert page.status_code == 200
    assert 'data-testid="outcome-measurements"' not in page.content.decode()


def test_the_visit_page_still_logs_one_row(client, todays_visit, nurse):
    login(client, nurse)
    last = AccessLog.objects.aggregate(last=Max("id"))["last"] or 0
    client.get(reverse("visits:detail", args=[todays_visit.pk]))
    assert AccessLog.objects.filter(id__gt=last).count() == 1


# --- The client page and the nurse's home ----------------------------------------------------------


def test_the_coordinator_sees_the_clients_schedule_on_the_client_page(client, coordinator, clients_in_every_state):
    login(client, coordinator)
    page = client.get(reverse("clients:detail", args=[clients_in_every_state["follow_up"].pk])).content.decode()
    assert 'data-due-status="done"' in page and 'data-due-status="due"' in page
    waiting = client.get(reverse("clients:detail", args=[clients_in_every_state["waiting"].pk])).content.decode()
    assert "The baseline becomes due when the first joint visit is scheduled." in waiting


def test_the_nurses_home_lists_her_measurements_due_and_logs_the_list(client, nurse, other_nurse, clients_in_every_state):
    login(client, nurse)
    last = AccessLog.objects.aggregate(last=Max("id"))["last"] or 0
    page = client.get(reverse("home")).content.decode()
    due_list = page[page.index('data-testid="measurements-due"'):]
    due_list = due_list[: due_list.index("</section>")]
    assert "Measurements due" in due_list
    for name in ("Alli", "Bertta", "Cecilia"):
        assert name in due_list
    assert "Doris" not in due_list and "Eino" not in due_list
    listed = AccessLog.objects.filter(id__gt=last, action="list", username="hanna")
    assert set(listed.values_list("client_id", flat=True)) >= {c.pk for k, c in clients_in_every_state.items() if k in ("due", "overdue", "follow_up")}
    # Another nurse of the team does not visit these clients: nothing to show her.
    login(client, other_nurse)
    assert 'data-testid="measurements-due"' not in client.get(reverse("home")).content.decode()


# --- The coordinator's list -----------------------------------------------------------------------------


def test_the_coordinators_list_shows_due_and_overdue_most_urgent_first(client, coordinator, clients_in_every_state):
    login(client, coordinator)
    last = AccessLog.objects.aggregate(last=Max("id"))["last"] or 0
    response = client.get(reverse("wellbeing:due_measurements"))
    assert response.status_code == 200
    assert [s.client.first_name for s in response.context["page"]] == ["Bertta", "Cecilia", "Alli"]
    rows = AccessLog.objects.filter(id__gt=last)
    assert sorted(rows.values_list("client_id", flat=True)) == sorted(s.client.pk for s in response.context["page"])
    assert set(rows.values_list("grounds", "allowed", "action")) == {("team coordinator", True, "list")}
    overdue = client.get(reverse("wellbeing:due_measurements"), {"status": "overdue"})
    assert [s.client.first_name for s in overdue.context["page"]] == ["Bertta"]
    bad = client.get(reverse("wellbeing:due_measurements"), {"status": "everything"})
    assert "status" in bad.context["form"].errors


def test_the_coordinators_list_is_paginated(client, coordinator, team, pair):
    soon = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    for number in range(30):
        make_visit(pair=pair, client=f.ClientFactory(team=team), starts_at=soon + dt.timedelta(hours=2 * number))
    login(client, coordinator)
    first = client.get(reverse("wellbeing:due_measurements"))
    assert len(first.context["page"]) == 25 and first.context["page"].paginator.count == 30
    second = client.get(reverse("wellbeing:due_measurements"), {"page": 2})
    assert len(second.context["page"]) == 5
    assert "Page 2 of 2" in second.content.decode()


def test_the_coordinators_list_has_an_empty_state_and_is_in_the_navigation(client, other_coordinator, clients_in_every_state):
    login(client, other_coordinator)  # the other team: none of these clients are hers
    response = client.get(reverse("wellbeing:due_measurements"))
    page = response.content.decode()
    assert response.status_code == 200 and not response.context["page"].object_list
    assert "Nothing to record" in page
    assert f'href="{reverse("wellbeing:due_measurements")}"' in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("persona", ["nurse", "artist", "manager", "admin_user"])
def test_the_coordinators_list_is_refused_to_everyone_else(client, persona, request, clients_in_every_state):
    login(client, request.getfixturevalue(persona))
    last = AccessLog.objects.aggregate(last=Max("id"))["last"] or 0
    assert client.get(reverse("wellbeing:due_measurements")).status_code == 403
    assert not AccessLog.objects.filter(id__gt=last).exists()


def test_the_coordinators_list_wants_a_sign_in(client):
    response = client.get(reverse("wellbeing:due_measurements"))
    assert response.status_code == 302 and "login" in response.url


# --- The reminder -------------------------------------------------------------------------------------


def test_the_nurse_is_reminded_once_without_client_data(clients_in_every_state, nurse, settings):
    assert send_outcome_measurement_reminders() == 1
    assert [m.to for m in mail.outbox] == [[nurse.user.email]]
    message = mail.outbox[0]
    for client_record in Client.objects.all():
        assert client_record.first_name not in message.body + message.subject
        assert client_record.last_name not in message.body + message.subject
    assert "3" in message.body
    reminded = set(OutcomeMeasurementReminder.objects.values_list("client__first_name", "time_point", "nurse"))
    assert reminded == {("Alli", "baseline", nurse.pk), ("Bertta", "baseline", nurse.pk), ("Cecilia", "follow_up", nurse.pk)}
    # Again: nothing new to remind of.
    assert send_outcome_measurement_reminders() == 0
    assert len(mail.outbox) == 1
    # Weeks later the same measurements are overdue: still not reminded again.
    assert send_outcome_measurement_reminders(now=timezone.now() + dt.timedelta(weeks=4)) == 0
    assert len(mail.outbox) == 1


def test_a_failed_reminder_is_sent_next_run(clients_in_every_state, nurse):
    with mock.patch("wellbeing.reminders.send_mail", side_effect=OSError("smtp down")):
        assert send_outcome_measurement_reminders() == 0
    assert not OutcomeMeasurementReminder.objects.exists()
    assert send_outcome_measurement_reminders() == 1


def test_no_reminders_without_the_outcome_instrument(clients_in_every_state):
    Instrument.objects.filter(code=metrics.CLIENT_OUTCOME).update(is_active=False)
    assert send_outcome_measurement_reminders() == 0
    assert not mail.outbox


@pytest.mark.parametrize(("language", "words"), [
    ("fi", ["Mittaukset tehtävänä", "Lähtötaso", "myöhässä", "tehtävänä"]),
    ("sv", ["Mätningar att göra", "försenad", "att göra"]),
])
def test_the_coordinators_list_speaks_the_ui_language(client, coordinator, clients_in_every_state, settings, language, words):
    settings.LANGUAGE_CODE = language
    login(client, coordinator)
    page = client.get(reverse("wellbeing:due_measurements")).content.decode()
    for word in words:
        assert word in page, word
    assert "Measurements due" not in page


def test_the_lists_query_counts_do_not_grow_with_the_clients(client, coordinator, nurse, team, pair, django_assert_num_queries):
    soon = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)

    def add_clients(count: int, start: int) -> None:
        for number in range(start, start + count):
            make_visit(pair=pair, client=f.ClientFactory(team=team), starts_at=soon + dt.timedelta(hours=2 * number))

    add_clients(2, 0)
    counts = {}
    for persona, url in ((coordinator, reverse("wellbeing:due_measurements")), (nurse, reverse("home"))):
        login(client, persona)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        counts[persona.pk] = len(few.captured_queries)
    add_clients(8, 2)
    for persona, url in ((coordinator, reverse("wellbeing:due_measurements")), (nurse, reverse("home"))):
        login(client, persona)
        with django_assert_num_queries(counts[persona.pk]):
            client.get(url)
