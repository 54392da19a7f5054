"""Survey responses over the API: answered through wellbeing.services, read within scope, logged."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from access.models import AccessLog
from tests.factories import make_visit
from tests.wellbeing.conftest import GOOD_PULSE, shipped_instruments  # noqa: F401 (autouse fixture)
from visits.models import VisitStatus
from wellbeing.models import Answer, SurveyResponse
from wellbeing.selectors import month_start

URL = "/api/v1/survey-responses/"
CLIENT_ANSWERS = {
    "life_satisfaction": 5, "worthwhile": 6, "happiness": 5, "anxiety": 6,
    "feels_lonely": 3, "someone_to_talk_to": 3, "left_outside": 3, "everyday_activities": 3,
}


@pytest.fixture
def past_visit(pair, client_record):
    """A completed visit of Aino and Hanna to Helmi, two days ago."""
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(days=2)
    return make_visit(pair=pair, client=client_record, starts_at=starts_at, status=VisitStatus.COMPLETED)


@pytest.fixture
def baseline(api_as, nurse, past_visit, client_record):
    response = api_as(nurse).post(URL, {"kind": "client_outcome", "client": client_record.pk, "time_point": "baseline", "answers": CLIENT_ANSWERS})
    assert response.status_code == 201, response.json()
    return SurveyResponse.objects.get(pk=response.json()["id"])


def _log(**filters):
    return AccessLog.objects.filter(object_type="survey_response", **filters)


# --- Answering ------------------------------------------------------------------------------------

def test_a_participant_answers_the_pulse_and_it_is_stored_with_scores(api_as, nurse, past_visit):
    response = api_as(nurse).post(URL, {"kind": "post_visit_pulse", "visit": past_visit.pk, "answers": GOOD_PULSE})
    assert response.status_code == 201
    body = response.json()
    assert body["instrument"] == "post_visit_pulse" and body["answers"] == GOOD_PULSE
    assert body["scores"] == {"calm": 4.0, "time_to_meet": 5.0, "energised": 3.0}
    saved = SurveyResponse.objects.get()
    assert (saved.respondent, saved.visit, saved.team, saved.recorded_by) == (nurse, past_visit, past_visit.pair.team, nurse.user)
    assert dict(Answer.objects.values_list("item__code", "value")) == GOOD_PULSE


def test_wrong_and_missing_answers_get_a_message_on_the_item_and_nothing_is_saved(api_as, nurse, past_visit):
    response = api_as(nurse).post(URL, {"kind": "post_visit_pulse", "visit": past_visit.pk, "answers": {"calm": 7, "time_to_meet": 4}})
    assert response.status_code == 400
    assert response.json() == {"answers": {"calm": ["Choose a whole number from 1 to 5."], "energised": ["Answer this question."]}}
    assert not SurveyResponse.objects.exists() and not Answer.objects.exists()


def test_a_non_number_answer_is_refused_on_the_item(api_as, nurse, past_visit):
    response = api_as(nurse).post(URL, {"kind": "post_visit_pulse", "visit": past_visit.pk, "answers": {**GOOD_PULSE, "calm": "lots"}})
    assert response.status_code == 400
    assert set(response.json()["answers"]) == {"calm"}
    assert not SurveyResponse.objects.exists()


def test_the_visit_is_required_for_a_pulse(api_as, nurse):
    response = api_as(nurse).post(URL, {"kind": "post_visit_pulse", "answers": GOOD_PULSE})
    assert response.status_code == 400 and response.json() == {"visit": ["This field is required."]}


def test_a_second_pulse_for_the_same_visit_is_refused(api_as, nurse, past_visit):
    client = api_as(nurse)
    body = {"kind": "post_visit_pulse", "visit": past_visit.pk, "answers": GOOD_PULSE}
    assert client.post(URL, body).status_code == 201
    second = client.post(URL, body)
    assert second.status_code == 400
    assert second.json() == {"non_field_errors": ["You have already answered the pulse for this visit."]}
    assert SurveyResponse.objects.count() == 1


def test_a_nurse_outside_the_visit_gets_404_and_the_refusal_is_logged(api_as, other_nurse, past_visit):
    response = api_as(other_nurse).post(URL, {"kind": "post_visit_pulse", "visit": past_visit.pk, "answers": GOOD_PULSE})
    assert response.status_code == 404
    assert not SurveyResponse.objects.exists()
    refusal = _log(action="create").get()
    assert (refusal.allowed, refusal.client_id, refusal.channel, refusal.username) == (False, past_visit.client_id, "api", other_nurse.user.username)


def test_the_monthly_survey_is_answered_once_a_month_for_ones_own_team(api_as, artist, team):
    client = api_as(artist)
    body = {"kind": "monthly", "team": team.pk, "answers": {"work_ability": 8, "sick_leave_days": 0}}
    assert client.post(URL, body).status_code == 201
    saved = SurveyResponse.objects.get()
    assert (saved.respondent, saved.team, saved.period) == (artist, team, month_start(timezone.localdate()))
    again = client.post(URL, body)
    assert again.status_code == 400 and again.json() == {"non_field_errors": ["You have already answered this month's survey."]}
    assert SurveyResponse.objects.count() == 1


def test_the_monthly_survey_for_another_team_is_refused_on_the_team(api_as, artist, other_team):
    response = api_as(artist).post(URL, {"kind": "monthly", "team": other_team.pk, "answers": {"work_ability": 8, "sick_leave_days": 0}})
    assert response.status_code == 400 and response.json() == {"team": ["Choose one of your own teams."]}
    assert not SurveyResponse.objects.exists()


def test_a_nurse_records_the_clients_baseline_and_the_write_is_logged_with_channel_api(baseline, nurse, client_record):
    assert (baseline.client, baseline.respondent, baseline.recorded_by, baseline.time_point) == (client_record, None, nurse.user, "baseline")
    write = _log(action="create").get()
    assert (write.client_id, write.object_id, write.allowed, write.channel) == (client_record.pk, str(baseline.pk), True, "api")


def test_a_follow_up_needs_a_baseline_first(api_as, nurse, past_visit, client_record):
    response = api_as(nurse).post(URL, {"kind": "client_outcome", "client": client_record.pk, "time_point": "follow_up", "answers": CLIENT_ANSWERS})
    assert response.status_code == 400
    assert response.json() == {"time_point": ["Record the baseline first; a follow-up is compared with it."]}
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("persona", ["artist", "other_nurse"])
def test_only_a_nurse_who_visits_the_client_records_outcomes(api_as, persona, request, past_visit, client_record):
    someone = request.getfixturevalue(persona)
    response = api_as(someone).post(URL, {"kind": "client_outcome", "client": client_record.pk, "time_point": "baseline", "answers": CLIENT_ANSWERS})
    assert response.status_code == 404
    assert not SurveyResponse.objects.exists()
    refusal = _log(action="create").get()
    assert (refusal.allowed, refusal.client_id, refusal.channel) == (False, client_record.pk, "api")


@pytest.mark.parametrize("persona", ["coordinator", "manager", "admin_user"])
def test_only_artists_and_nurses_answer(api_as, persona, request, team):
    response = api_as(request.getfixturevalue(persona)).post(URL, {"kind": "monthly", "team": team.pk, "answers": {"work_ability": 8, "sick_leave_days": 0}})
    assert response.status_code == 403
    assert not SurveyResponse.objects.exists()


# --- Reading --------------------------------------------------------------------------------------

def test_staff_see_only_their_own_answers(api_as, nurse, artist, past_visit):
    api_as(nurse).post(URL, {"kind": "post_visit_pulse", "visit": past_visit.pk, "answers": GOOD_PULSE})
    api_as(artist).post(URL, {"kind": "post_visit_pulse", "visit": past_visit.pk, "answers": GOOD_PULSE})
    own = SurveyResponse.objects.get(respondent=artist)
    listed = api_as(artist).get(URL).json()["results"]
    assert [r["id"] for r in listed] == [own.pk]
    other = SurveyResponse.objects.get(respondent=nurse)
    assert api_as(artist).get(f"{URL}{other.pk}/").status_code == 404
    assert api_as(artist).get(f"{URL}{own.pk}/").json()["respondent"] == artist.pk


def test_the_clients_nurse_and_team_coordinator_read_the_outcome_and_each_read_is_logged(api_as, baseline, nurse, coordinator, client_record):
    for reader in (nurse, coordinator):
        response = api_as(reader).get(f"{URL}{baseline.pk}/")
        assert response.status_code == 200 and response.json()["answers"] == CLIENT_ANSWERS
        read = _log(action="view", username=reader.user.username).get()
        assert (read.client_id, read.object_id, read.allowed, read.channel) == (client_record.pk, str(baseline.pk), True, "api")


def test_the_coordinators_list_shows_the_outcome_and_logs_the_client(api_as, baseline, coordinator, client_record):
    listed = api_as(coordinator).get(URL).json()["results"]
    assert [r["id"] for r in listed] == [baseline.pk]
    row = _log(action="list").get()
    assert (row.client_id, row.username, row.channel) == (client_record.pk, coordinator.user.username, "api")


@pytest.mark.parametrize("persona", ["artist", "other_nurse", "other_coordinator"])
def test_outsiders_get_404_for_a_clients_outcome_and_the_refusal_is_logged(api_as, persona, request, baseline, client_record):
    someone = request.getfixturevalue(persona)
    assert api_as(someone).get(f"{URL}{baseline.pk}/").status_code == 404
    assert api_as(someone).get(URL).json()["results"] == []
    refusal = _log(action="view", username=someone.user.username).get()
    assert (refusal.allowed, refusal.client_id, refusal.channel) == (False, client_record.pk, "api")


def test_managers_read_no_responses(api_as, manager, baseline):
    assert api_as(manager).get(URL).status_code == 403
    assert api_as(manager).get(f"{URL}{baseline.pk}/").status_code == 403
    assert not _log(username=manager.user.username).exists()


def test_an_unknown_response_is_404(api_as, nurse):
    assert api_as(nurse).get(f"{URL}999999/").status_code == 404
    assert api_as(nurse).get(f"{URL}abc/").status_code == 404
