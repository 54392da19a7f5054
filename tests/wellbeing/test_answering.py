"""Answering: forms from the instrument, clear messages per item, one answer where one is allowed."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from access.models import AccessLog
from tests.conftest import login
from tests.factories import make_visit
from visits.models import VisitSeries, VisitStatus
from wellbeing.models import ResponseScore, SurveyResponse, TimePoint
from wellbeing.services import record_client_outcome, submit_monthly_survey, submit_post_visit_pulse

from .conftest import GOOD_PULSE

CLIENT_ANSWERS = {
    "life_satisfaction": 5, "worthwhile": 6, "happiness": 5, "anxiety": 6,
    "feels_lonely": 3, "someone_to_talk_to": 3, "left_outside": 3, "everyday_activities": 3,
}


# --- Post-visit pulse -----------------------------------------------------------------------------

def test_participant_answers_the_pulse_and_it_is_stored_with_scores(client, past_visit, nurse):
    login(client, nurse)
    url = reverse("wellbeing:pulse", args=[past_visit.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "The situation during the visit was calm." in page.content.decode()
    response = client.post(url, {**GOOD_PULSE, "next": "/visits/"})
    assert response.status_code == 302 and response["Location"] == "/visits/"
    saved = SurveyResponse.objects.get()
    assert (saved.respondent, saved.visit, saved.team, saved.time_point) == (nurse, past_visit, past_visit.pair.team, "post_visit")
    assert saved.period == timezone.localtime(past_visit.starts_at).date().replace(day=1)
    assert dict(ResponseScore.objects.values_list("scale__code", "value")) == {"calm": 4.0, "time_to_meet": 5.0, "energised": 3.0}


def test_out_of_range_and_missing_answers_get_a_message_on_the_item(client, past_visit, nurse):
    login(client, nurse)
    response = client.post(reverse("wellbeing:pulse", args=[past_visit.pk]), {"calm": "7", "time_to_meet": "4"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["calm"] == ["Choose a whole number from 1 to 5."]
    assert form.errors["energised"] == ["Answer this question."]
    assert "time_to_meet" not in form.errors
    assert 'id="id_calm_errors"' in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_the_service_names_each_wrong_item_too(past_visit, nurse):
    with pytest.raises(ValidationError) as error:
        submit_post_visit_pulse(visit=past_visit, staff=nurse, answers={"calm": 0, "time_to_meet": 3}, by=nurse.user)
    assert set(error.value.message_dict) == {"calm", "energised"}
    assert not SurveyResponse.objects.exists()


def test_a_second_pulse_for_the_same_visit_is_refused(past_visit, nurse):
    submit_post_visit_pulse(visit=past_visit, staff=nurse, answers=GOOD_PULSE, by=nurse.user)
    with pytest.raises(ValidationError) as error:
        submit_post_visit_pulse(visit=past_visit, staff=nurse, answers=GOOD_PULSE, by=nurse.user)
    assert error.value.messages == ["You have already answered the pulse for this visit."]
    assert SurveyResponse.objects.count() == 1


def test_the_pulse_page_says_so_when_already_answered(client, past_visit, nurse):
    submit_post_visit_pulse(visit=past_visit, staff=nurse, answers=GOOD_PULSE, by=nurse.user)
    login(client, nurse)
    page = client.post(reverse("wellbeing:pulse", args=[past_visit.pk]), GOOD_PULSE)
    assert page.status_code == 200
    assert "already answered" in page.content.decode()
    assert SurveyResponse.objects.count() == 1


@pytest.mark.parametrize("persona", ["other_nurse", "coordinator", "manager"])
def test_nobody_outside_the_visit_can_open_its_pulse(client, past_visit, persona, request):
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("wellbeing:pulse", args=[past_visit.pk])).status_code == 404
    assert client.post(reverse("wellbeing:pulse", args=[past_visit.pk]), GOOD_PULSE).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_a_future_visit_has_no_pulse_yet(pair, client_record, nurse):
    visit = make_visit(pair=pair, client=client_record)
    with pytest.raises(ValidationError):
        submit_post_visit_pulse(visit=visit, staff=nurse, answers=GOOD_PULSE, by=nurse.user)


def test_only_participants_may_answer_through_the_service(past_visit, other_nurse):
    with pytest.raises(PermissionDenied):
        submit_post_visit_pulse(visit=past_visit, staff=other_nurse, answers=GOOD_PULSE, by=other_nurse.user)


# --- Monthly survey -------------------------------------------------------------------------------

def test_monthly_survey_is_answered_once_a_month(client, artist):
    login(client, artist)
    url = reverse("wellbeing:monthly")
    assert "work ability" in client.get(url).content.decode()
    response = client.post(url, {"team": artist.teams.get().pk, "work_ability": "8", "sick_leave_days": "2"})
    assert response.status_code == 302
    saved = SurveyResponse.objects.get()
    assert (saved.period, saved.time_point) == (timezone.localdate().replace(day=1), "monthly")
    assert dict(saved.scores.values_list("scale__code", "value")) == {"work_ability": 8.0, "sick_leave_days": 2.0}
    again = client.get(url)
    assert "You answered this month's survey" in again.content.decode()
    client.post(url, {"team": artist.teams.get().pk, "work_ability": "3", "sick_leave_days": "0"})
    assert SurveyResponse.objects.count() == 1


def test_sick_leave_days_beyond_the_month_are_refused_on_the_field(client, nurse):
    login(client, nurse)
    response = client.post(reverse("wellbeing:monthly"), {"team": nurse.teams.get().pk, "work_ability": "8", "sick_leave_days": "40"})
    assert response.status_code == 400
    assert response.context["form"].errors["sick_leave_days"] == ["Choose a whole number from 0 to 31."]
    assert not SurveyResponse.objects.exists()


def test_monthly_survey_is_for_one_of_ones_own_teams(nurse, other_team):
    with pytest.raises(ValidationError) as error:
        submit_monthly_survey(staff=nurse, team=other_team, answers={"work_ability": 7, "sick_leave_days": 0}, by=nurse.user)
    assert "team" in error.value.message_dict


@pytest.mark.parametrize("persona", ["coordinator", "manager"])
def test_monthly_staff_survey_is_for_nurses_and_artists(client, persona, request):
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("wellbeing:monthly")).status_code == 403


# --- Client outcome with the nurse ----------------------------------------------------------------

def test_nurse_records_baseline_then_follow_up_and_both_are_logged(client, past_visit, nurse, client_record):
    login(client, nurse)
    url = reverse("wellbeing:client_outcome", args=[client_record.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert AccessLog.objects.filter(client=client_record, action="view", allowed=True, username="hanna").exists()
    assert client.post(url, {"time_point": "baseline", **CLIENT_ANSWERS}).status_code == 302
    assert client.post(url, {"time_point": "follow_up", **{**CLIENT_ANSWERS, "life_satisfaction": 7}}).status_code == 302
    saved = SurveyResponse.objects.filter(client=client_record).order_by("submitted_at")
    assert [r.time_point for r in saved] == ["baseline", "follow_up"]
    assert all(r.respondent is None and r.recorded_by == nurse.user and r.team == client_record.team for r in saved)
    writes = AccessLog.objects.filter(client=client_record, action="create", object_type="survey_response", allowed=True)
    assert sorted(writes.values_list("object_id", flat=True)) == sorted(str(r.pk) for r in saved)


def test_client_outcome_is_linked_to_the_clients_visit_series(past_visit, nurse, client_record):
    plan = VisitSeries.objects.create(
        client=client_record, pair=past_visit.pair, first_starts_at=past_visit.starts_at, duration_minutes=60, count=8
    )
    response = record_client_outcome(client=client_record, time_point=TimePoint.BASELINE, answers=CLIENT_ANSWERS, by=nurse.user, series=plan)
    assert response.series == plan


def test_a_follow_up_needs_a_baseline_first(past_visit, nurse, client_record):
    with pytest.raises(ValidationError) as error:
        record_client_outcome(client=client_record, time_point=TimePoint.FOLLOW_UP, answers=CLIENT_ANSWERS, by=nurse.user)
    assert "time_point" in error.value.message_dict
    assert not SurveyResponse.objects.exists()


def test_a_client_has_one_baseline(past_visit, nurse, client_record):
    record_client_outcome(client=client_record, time_point=TimePoint.BASELINE, answers=CLIENT_ANSWERS, by=nurse.user)
    with pytest.raises(ValidationError):
        record_client_outcome(client=client_record, time_point=TimePoint.BASELINE, answers=CLIENT_ANSWERS, by=nurse.user)
    assert SurveyResponse.objects.count() == 1


def test_client_answers_may_be_left_empty_as_the_client_wishes(client, past_visit, nurse, client_record):
    login(client, nurse)
    response = client.post(reverse("wellbeing:client_outcome", args=[client_record.pk]), {"time_point": "baseline", "life_satisfaction": "4"})
    assert response.status_code == 302
    assert SurveyResponse.objects.get().answers.filter(value__isnull=True).count() == 7


@pytest.mark.parametrize("persona", ["artist", "other_nurse", "coordinator", "manager"])
def test_only_a_nurse_who_visits_the_client_records_outcomes(client, past_visit, client_record, persona, request):
    login(client, request.getfixturevalue(persona))
    url = reverse("wellbeing:client_outcome", args=[client_record.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"time_point": "baseline", **CLIENT_ANSWERS}).status_code == 404
    assert not SurveyResponse.objects.exists()
    denied = AccessLog.objects.filter(client=client_record, allowed=False)
    assert denied.count() == 2


def test_the_service_refuses_an_artist_even_though_they_visit(past_visit, artist, client_record):
    with pytest.raises(PermissionDenied):
        record_client_outcome(client=client_record, time_point=TimePoint.BASELINE, answers=CLIENT_ANSWERS, by=artist.user)


def test_the_client_name_never_appears_in_the_url(client_record):
    assert "Helmi" not in reverse("wellbeing:client_outcome", args=[client_record.pk])


def test_a_pulse_after_a_cancelled_visit_is_refused(pair, client_record, nurse):
    visit = make_visit(
        pair=pair, client=client_record, starts_at=timezone.now() - dt.timedelta(days=1),
        status=VisitStatus.CANCELLED, cancellation_reason="Asiakas sairastui",
    )
    with pytest.raises(ValidationError):
        submit_post_visit_pulse(visit=visit, staff=nurse, answers=GOOD_PULSE, by=nurse.user)
    assert not SurveyResponse.objects.exists()


def rows_of(client_record):
    return list(AccessLog.objects.filter(client=client_record).order_by("id").values_list("object_type", "action", "allowed"))


def test_opening_the_outcome_page_writes_one_view_row(client, past_visit, nurse, client_record):
    login(client, nurse)

    client.get(reverse("wellbeing:client_outcome", args=[client_record.pk]))

    assert rows_of(client_record) == [("client", "view", True)]


def test_a_refused_outcome_save_is_logged_as_the_read_it_was_not_as_a_creation(client, past_visit, nurse, client_record):
    login(client, nurse)

    response = client.post(reverse("wellbeing:client_outcome", args=[client_record.pk]), {"time_point": "follow_up"})

    assert response.status_code == 400
    assert not SurveyResponse.objects.filter(client=client_record).exists()
    assert rows_of(client_record) == [("client", "view", True)]


def test_a_saved_outcome_leaves_only_the_services_row(client, past_visit, nurse, client_record):
    login(client, nurse)

    client.post(reverse("wellbeing:client_outcome", args=[client_record.pk]), {"time_point": "baseline", **CLIENT_ANSWERS})

    assert rows_of(client_record) == [("survey_response", "create", True)]
