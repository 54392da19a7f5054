"""Redis down: every page answers, every write is stored, and the e-mails go out once it is back.

REDIS_URL points at a closed port (the `redis_unreachable` fixture), so the
cache and the Celery broker both refuse; the after-commit jobs really try the
broker and fail. Nothing here is skipped: this is the normal suite.
"""
from __future__ import annotations

import datetime as dt
import logging
import socket
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import login
from tests.scheduling import at, next_weekday
from tests.wellbeing.conftest import GOOD_PULSE, shipped_instruments  # noqa: F401 (autouse fixture)
from visits import services, tasks
from visits.models import Visit, VisitEvent, VisitNote, VisitStatus
from wellbeing import metrics
from wellbeing.models import SurveyResponse

CLIENT_ANSWERS = {
    "life_satisfaction": 5, "worthwhile": 6, "happiness": 5, "anxiety": 6,
    "feels_lonely": 3, "someone_to_talk_to": 3, "left_outside": 3, "everyday_activities": 3,
}


@pytest.fixture
def monday():
    return next_weekday(0)


@pytest.fixture
def past_visit(pair, client_record):
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(days=2)
    return f.make_visit(pair=pair, client=client_record, starts_at=starts_at, status=VisitStatus.COMPLETED)


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """`post(persona, url, data)`: the page's POST with its after-commit jobs run, as a real commit would."""

    def as_persona(persona, url, data=None):
        login(client, persona)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return as_persona


def book(pair, client_record, coordinator, starts_at):
    return services.schedule_visit(
        client=client_record, pair=pair, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=1), by=coordinator.user
    )


def slot(day, time="10:00", minutes=60):
    return {"day": day.isoformat(), "start_time": time, "duration_minutes": minutes}


def the_changes_were_emailed_once_redis_is_back(mailoutbox, expected_events: int) -> None:
    """What the periodic resend does after the outage: every unsent change, once."""
    unsent = VisitEvent.objects.filter(notified_at__isnull=True)
    assert unsent.count() == expected_events
    assert mailoutbox == []
    unsent.update(at=timezone.now() - dt.timedelta(minutes=10))  # older than the on-commit grace

    assert tasks.resend_unsent_visit_notifications() == 2  # one e-mail per pair member
    assert sorted(m.to[0] for m in mailoutbox) == ["aino@example.invalid", "hanna@example.invalid"]
    assert not VisitEvent.objects.filter(notified_at__isnull=True).exists()
    assert tasks.resend_unsent_visit_notifications() == 0


def test_the_cache_is_really_at_the_closed_port(redis_unreachable, caplog):
    with caplog.at_level(logging.WARNING, logger="pairwork.redis_outage"):
        cache.set("probe", 1)
        assert cache.get("probe", "missing") == "missing"
    assert "Redis unavailable (cache set: ConnectionError" in caplog.text


def test_scheduling_on_the_page_saves_the_visit_and_mails_it_later(
    redis_unreachable, post, coordinator, pair, client_record, monday, mailoutbox, caplog
):
    response = post(coordinator, reverse("visits:schedule"), {"client": client_record.pk, **slot(monday), "pair": pair.pk})

    assert response.status_code == 302
    assert response["Location"] == reverse("visits:calendar_day", args=[monday.isoformat()])
    visit = Visit.objects.get()
    assert (visit.starts_at, visit.ends_at) == (at(monday, 10), at(monday, 11))
    assert visit.participants.count() == 2
    assert "send_visit_notifications could not run now" in caplog.text
    the_changes_were_emailed_once_redis_is_back(mailoutbox, expected_events=1)


def test_scheduling_a_series_on_the_page_saves_every_visit(
    redis_unreachable, post, coordinator, pair, client_record, monday, mailoutbox
):
    response = post(coordinator, reverse("visits:schedule"), {
        "client": client_record.pk, **slot(monday), "pair": pair.pk,
        "repeat": "on", "interval_weeks": 1, "ends": "count", "count": 3,
    })

    assert response.status_code == 302
    assert [v.starts_at for v in Visit.objects.order_by("starts_at")] == [
        at(monday + dt.timedelta(weeks=week), 10) for week in range(3)
    ]
    the_changes_were_emailed_once_redis_is_back(mailoutbox, expected_events=3)


def test_moving_on_the_page_saves_the_new_time(redis_unreachable, post, coordinator, pair, client_record, monday, mailoutbox):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    VisitEvent.objects.update(notified_at=timezone.now())

    response = post(coordinator, reverse("visits:reschedule", args=[visit.pk]), {**slot(monday, "13:00"), "reason": "Toive"})

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.starts_at, visit.ends_at) == (at(monday, 13), at(monday, 14))
    the_changes_were_emailed_once_redis_is_back(mailoutbox, expected_events=1)


def test_cancelling_on_the_page_saves_the_cancellation(redis_unreachable, post, coordinator, pair, client_record, monday, mailoutbox):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    VisitEvent.objects.update(notified_at=timezone.now())

    response = post(coordinator, reverse("visits:cancel", args=[visit.pk]), {"reason": "Asiakas matkoilla"})

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.cancellation_reason) == ("cancelled", "Asiakas matkoilla")
    the_changes_were_emailed_once_redis_is_back(mailoutbox, expected_events=1)


def test_the_note_and_the_outcome_are_saved(redis_unreachable, post, nurse, todays_visit, note_content):
    assert post(nurse, reverse("visits:note", args=[todays_visit.pk]), note_content).status_code == 302
    assert post(nurse, reverse("visits:outcome", args=[todays_visit.pk]), {"status": "completed"}).status_code == 302

    note = VisitNote.objects.get(participant__visit=todays_visit, participant__staff=nurse)
    assert note.activities == note_content["activities"]
    todays_visit.refresh_from_db()
    assert todays_visit.status == "completed"


def test_the_pulse_the_monthly_survey_and_the_client_outcome_are_saved(
    redis_unreachable, post, nurse, past_visit, client_record, caplog
):
    assert post(nurse, reverse("wellbeing:pulse", args=[past_visit.pk]), GOOD_PULSE).status_code == 302
    monthly = {"team": nurse.teams.get().pk, "work_ability": "8", "sick_leave_days": "1"}
    assert post(nurse, reverse("wellbeing:monthly"), monthly).status_code == 302
    outcome = {"time_point": "baseline", **CLIENT_ANSWERS}
    assert post(nurse, reverse("wellbeing:client_outcome", args=[client_record.pk]), outcome).status_code == 302

    saved = SurveyResponse.objects.filter(recorded_by=nurse.user)
    assert sorted(saved.values_list("instrument__code", flat=True)) == sorted(
        [metrics.PULSE, metrics.MONTHLY, metrics.CLIENT_OUTCOME]
    )
    assert "nightly reconcile will bring the aggregates up to date" in caplog.text


def test_the_dashboard_refresh_says_it_waits_for_the_nightly_update(redis_unreachable, client, manager):
    login(client, manager)
    response = client.post(reverse("wellbeing:dashboard_refresh"), follow=True)

    assert response.status_code == 200
    assert "The refresh could not be started now; the nightly update will run as usual." in response.content.decode()


@pytest.mark.parametrize("page", ["home", "visits:calendar", "visits:my_visits", "clients:list", "wellbeing:dashboard"])
def test_pages_are_read_as_usual(redis_unreachable, client, coordinator, nurse, manager, todays_visit, page):
    persona = {"visits:my_visits": nurse, "wellbeing:dashboard": manager}.get(page, coordinator)
    login(client, persona)
    assert client.get(reverse(page)).status_code == 200


# --- Redis that accepts the connection and never answers ----------------------------------------

@pytest.fixture
def silent_redis(redis_at):
    """A local socket that accepts connections and never replies: a hung Redis, not a refusing one."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 8298))
        listener.listen(64)
        redis_at("redis://127.0.0.1:8298/0")
        yield


def test_a_hung_redis_costs_a_bounded_wait_not_a_hung_request(
    silent_redis, post, coordinator, pair, client_record, monday, settings
):
    started = time.monotonic()
    response = post(coordinator, reverse("visits:schedule"), {"client": client_record.pk, **slot(monday), "pair": pair.pk})
    waited = time.monotonic() - started

    assert response.status_code == 302
    assert Visit.objects.filter(client=client_record).count() == 1
    # The broker is tried twice (one retry), each attempt bounded by REDIS_TIMEOUT; generous slack for a busy machine.
    assert waited < 4 * settings.REDIS_TIMEOUT + 5


def test_after_one_failure_the_process_leaves_redis_alone_for_a_while(redis_unreachable, monkeypatch, caplog):
    from pairwork import jobs, redis_outage

    monkeypatch.setattr(redis_outage, "RETRY_AFTER_SECONDS", 60.0)
    assert cache.get("probe", "missing") == "missing"  # meets the refusal, starts the pause
    assert redis_outage.outage.is_recent()

    with caplog.at_level(logging.WARNING, logger="pairwork.jobs"):
        assert jobs.enqueue(tasks.send_visit_notifications, later="the resend catches up", event_ids=[1]) is False
    assert "not queued, Redis was unavailable moments ago" in caplog.text
