"""Redis down: the API reads and writes as usual; the throttle fails open with a logged warning.

REDIS_URL points at a closed port (the `redis_unreachable` fixture): the
throttle's counters cannot be read or written and the broker refuses the
after-commit jobs. Every write still answers 2xx with its rows in PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from clients.models import Client
from tests.scheduling import at, next_weekday
from tests.wellbeing.conftest import GOOD_PULSE, shipped_instruments  # noqa: F401 (autouse fixture)
from tests import factories as f
from visits import tasks
from visits.models import Visit, VisitEvent, VisitNote, VisitStatus
from wellbeing import metrics
from wellbeing.models import SurveyResponse

VISITS = "/api/v1/visits/"
CLIENT_ANSWERS = {
    "life_satisfaction": 5, "worthwhile": 6, "happiness": 5, "anxiety": 6,
    "feels_lonely": 3, "someone_to_talk_to": 3, "left_outside": 3, "everyday_activities": 3,
}


@pytest.fixture
def monday():
    return next_weekday(0)


@pytest.fixture
def call(token_client, django_capture_on_commit_callbacks):
    """`call(persona, method, url, body)` with a real token; the after-commit jobs run as on a commit."""

    def as_persona(persona, method, url, body=None):
        api = token_client(persona)
        with django_capture_on_commit_callbacks(execute=True):
            return getattr(api, method)(url, body, format="json")

    return as_persona


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def test_scheduling_moving_and_cancelling_through_the_api_are_stored_and_mailed_later(
    redis_unreachable, call, coordinator, pair, client_record, monday, mailoutbox, caplog
):
    with caplog.at_level(logging.WARNING):
        booked = call(coordinator, "post", VISITS, {
            "client": client_record.pk, "pair": pair.pk, "starts_at": iso(at(monday, 10)), "ends_at": iso(at(monday, 11)),
        })
    assert booked.status_code == 201, booked.json()
    visit = Visit.objects.get(pk=booked.json()["id"])
    assert "Redis unavailable" in caplog.text  # the throttle's counters, then the broker

    moved = call(coordinator, "post", f"{VISITS}{visit.pk}/reschedule/", {
        "starts_at": iso(at(monday, 13)), "ends_at": iso(at(monday, 14)), "reason": "Toive",
    })
    assert moved.status_code == 200, moved.json()
    series = call(coordinator, "post", f"{VISITS}series/", {
        "client": client_record.pk, "pair": pair.pk, "first_starts_at": iso(at(monday, 16)),
        "duration_minutes": 60, "count": 2,
    })
    assert series.status_code == 201, series.json()
    cancelled = call(coordinator, "post", f"{VISITS}{visit.pk}/cancel/", {"reason": "Sairas"})
    assert cancelled.status_code == 200, cancelled.json()

    visit.refresh_from_db()
    assert (visit.starts_at, visit.status) == (at(monday, 13), "cancelled")
    assert Visit.objects.filter(series__isnull=False).count() == 2
    # Nothing was mailed during the outage; the periodic resend sends every change once Redis is back.
    assert mailoutbox == []
    unsent = VisitEvent.objects.filter(notified_at__isnull=True)
    assert unsent.count() == 5  # scheduled, moved, two in the series, cancelled
    unsent.update(at=timezone.now() - dt.timedelta(minutes=10))
    assert tasks.resend_unsent_visit_notifications() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["aino@example.invalid", "hanna@example.invalid"]
    assert not VisitEvent.objects.filter(notified_at__isnull=True).exists()


def test_notes_and_outcomes_through_the_api_are_stored(redis_unreachable, call, nurse, todays_visit, note_content):
    written = call(nurse, "post", f"{VISITS}{todays_visit.pk}/notes/", note_content)
    assert written.status_code == 201, written.json()
    outcome = call(nurse, "post", f"{VISITS}{todays_visit.pk}/outcome/", {"status": "completed"})
    assert outcome.status_code == 200, outcome.json()

    assert VisitNote.objects.get(participant__staff=nurse).activities == note_content["activities"]
    todays_visit.refresh_from_db()
    assert todays_visit.status == "completed"


def test_survey_answers_through_the_api_are_stored(redis_unreachable, call, nurse, pair, client_record):
    past = f.make_visit(
        pair=pair, client=client_record, starts_at=timezone.now().replace(microsecond=0) - dt.timedelta(days=2),
        status=VisitStatus.COMPLETED,
    )
    url = "/api/v1/survey-responses/"
    bodies = [
        {"kind": "post_visit_pulse", "visit": past.pk, "answers": GOOD_PULSE},
        {"kind": "monthly", "team": nurse.teams.get().pk, "answers": {"work_ability": 8, "sick_leave_days": 0}},
        {"kind": "client_outcome", "client": client_record.pk, "time_point": "baseline", "answers": CLIENT_ANSWERS},
    ]
    for body in bodies:
        response = call(nurse, "post", url, body)
        assert response.status_code == 201, response.json()

    assert sorted(SurveyResponse.objects.values_list("instrument__code", flat=True)) == sorted(
        [metrics.PULSE, metrics.MONTHLY, metrics.CLIENT_OUTCOME]
    )


def test_client_records_through_the_api_are_stored(redis_unreachable, call, coordinator, team, client_record):
    created = call(coordinator, "post", "/api/v1/clients/", {
        "team": team.pk, "first_name": "Sylvi", "last_name": "Esimerkki", "consent_given": False,
        "street_address": "Esimerkkikatu 1", "area": "Kallio",
    })
    assert created.status_code == 201, created.json()
    edited = call(coordinator, "patch", f"/api/v1/clients/{client_record.pk}/", {"needs_and_wishes": "Laulaa mielellään."})
    assert edited.status_code == 200, edited.json()

    assert Client.objects.filter(first_name="Sylvi").exists()
    client_record.refresh_from_db()
    assert client_record.needs_and_wishes == "Laulaa mielellään."


@pytest.mark.parametrize("url", [
    "/api/v1/visits/", "/api/v1/clients/", "/api/v1/pairs/", "/api/v1/teams/", "/api/v1/staff/",
    "/api/v1/instruments/", "/api/schema/", "/api/v1/clients/{client}/service-circle/",
])
def test_reads_answer_200(redis_unreachable, token_client, coordinator, todays_visit, url):
    assert token_client(coordinator).get(url.format(client=todays_visit.client_id)).status_code == 200


def test_the_dashboard_api_reads_as_usual(redis_unreachable, token_client, manager):
    assert token_client(manager).get("/api/v1/dashboard/").status_code == 200
