"""What staff are offered: the pulse after a visit note, and the monthly survey once a month."""
import datetime as dt

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_visit
from visits.models import VisitNote, VisitStatus
from wellbeing.selectors import pending_surveys
from wellbeing.services import submit_monthly_survey, submit_post_visit_pulse

from .conftest import GOOD_PULSE


def test_a_completed_visit_offers_its_pulse_until_answered(past_visit, nurse):
    assert pending_surveys(nurse).pulse_visits == [past_visit]
    submit_post_visit_pulse(visit=past_visit, staff=nurse, answers=GOOD_PULSE, by=nurse.user)
    assert pending_surveys(nurse).pulse_visits == []


def test_logging_a_note_offers_the_pulse_even_before_the_visit_is_marked_done(pair, client_record, artist):
    visit = make_visit(pair=pair, client=client_record, starts_at=timezone.now() - dt.timedelta(hours=3))
    assert visit.status == VisitStatus.PLANNED
    assert pending_surveys(artist).pulse_visits == []
    VisitNote.objects.create(
        participant=visit.participants.get(staff=artist), activities="Lauloimme", engagement=4, mood_before=3, mood_after=4
    )
    assert pending_surveys(artist).pulse_visits == [visit]


def test_old_cancelled_and_other_peoples_visits_are_not_offered(pair, client_record, nurse, other_nurse):
    make_visit(pair=pair, client=client_record, starts_at=timezone.now() - dt.timedelta(days=20), status=VisitStatus.COMPLETED)
    make_visit(
        pair=pair, client=client_record, starts_at=timezone.now() - dt.timedelta(days=1), status=VisitStatus.CANCELLED,
        cancellation_reason="Asiakas sairaalassa",
    )
    assert pending_surveys(nurse).pulse_visits == []
    make_visit(pair=pair, client=client_record, starts_at=timezone.now() - dt.timedelta(days=2), status=VisitStatus.COMPLETED)
    assert pending_surveys(other_nurse).pulse_visits == []


def test_the_monthly_survey_is_offered_until_answered_this_month(nurse):
    assert pending_surveys(nurse).monthly_period == timezone.localdate().replace(day=1)
    submit_monthly_survey(staff=nurse, team=nurse.teams.get(), answers={"work_ability": 7, "sick_leave_days": 0}, by=nurse.user)
    assert pending_surveys(nurse).monthly_period is None
    assert not pending_surveys(nurse)


def test_coordinators_and_managers_are_offered_nothing(coordinator, manager):
    assert not pending_surveys(coordinator)
    assert not pending_surveys(manager)
    assert not pending_surveys(None)


def test_pending_surveys_take_two_queries(past_visit, nurse, django_assert_num_queries):
    with django_assert_num_queries(2):
        pending_surveys(nurse)


def test_the_include_template_links_to_both(past_visit, nurse):
    html = render_to_string("wellbeing/_pending_surveys.html", {"pending_surveys": pending_surveys(nurse)})
    assert reverse("wellbeing:pulse", args=[past_visit.pk]) in html
    assert reverse("wellbeing:monthly") in html
    assert render_to_string("wellbeing/_pending_surveys.html", {"pending_surveys": pending_surveys(None)}).strip() == ""
