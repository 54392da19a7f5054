"""Marking how a visit went: completed, client declined, no-show, cancelled on arrival."""
import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from access.models import AccessLog
from tests import factories as f
from tests.conftest import login
from visits.models import Visit, VisitEvent, VisitStatus


def outcome_url(visit):
    return reverse("visits:outcome", args=[visit.pk])


def test_nurse_marks_the_visit_completed(client, todays_visit, nurse):
    login(client, nurse)

    response = client.post(outcome_url(todays_visit), {"status": "completed"})

    assert response.status_code == 302
    assert response.url == reverse("visits:detail", args=[todays_visit.pk])
    todays_visit.refresh_from_db()
    assert todays_visit.status == VisitStatus.COMPLETED
    assert todays_visit.outcome_recorded_by == nurse.user
    assert todays_visit.outcome_recorded_at is not None
    event = VisitEvent.objects.get(visit=todays_visit)
    assert (event.kind, event.status, event.by) == ("outcome", "completed", nurse.user)
    row = AccessLog.objects.get()
    assert (row.object_type, row.action, row.grounds, row.allowed) == ("visit", "update", "visit participant", True)


@pytest.mark.parametrize("status", ["declined", "no_show", "cancelled_on_arrival"])
def test_every_outcome_can_be_marked(client, todays_visit, artist, status):
    login(client, artist)

    client.post(outcome_url(todays_visit), {"status": status})

    assert Visit.objects.get(pk=todays_visit.pk).status == status


def test_a_mistaken_outcome_can_be_corrected_and_both_stay_in_the_history(client, todays_visit, nurse):
    login(client, nurse)

    client.post(outcome_url(todays_visit), {"status": "no_show"})
    client.post(outcome_url(todays_visit), {"status": "completed"})

    assert Visit.objects.get(pk=todays_visit.pk).status == "completed"
    assert list(VisitEvent.objects.filter(visit=todays_visit).values_list("status", flat=True)) == ["no_show", "completed"]


@pytest.mark.parametrize("status", ["cancelled", "planned", "", "exploded"])
def test_a_status_that_is_not_an_outcome_is_refused_on_the_field(client, todays_visit, nurse, status):
    login(client, nurse)

    response = client.post(outcome_url(todays_visit), {"status": status})

    assert response.status_code == 200
    assert response.context["outcome_form"].errors["status"] == ["Choose how the visit went."]
    assert Visit.objects.get(pk=todays_visit.pk).status == VisitStatus.PLANNED
    assert not VisitEvent.objects.exists()


def test_no_outcome_before_the_day_of_the_visit(client, pair, client_record, nurse):
    tomorrow = f.make_visit(pair=pair, client=client_record, starts_at=timezone.now() + dt.timedelta(days=1, hours=1))
    login(client, nurse)

    response = client.post(outcome_url(tomorrow), {"status": "completed"})

    assert "from the day of the visit" in response.context["outcome_form"].errors["status"][0]
    assert Visit.objects.get(pk=tomorrow.pk).status == VisitStatus.PLANNED


def test_no_outcome_later_than_48_hours_after_the_visit(client, pair, client_record, nurse):
    last_week = f.make_visit(pair=pair, client=client_record, starts_at=timezone.now() - dt.timedelta(days=7))
    login(client, nurse)

    client.post(outcome_url(last_week), {"status": "completed"})

    assert Visit.objects.get(pk=last_week.pk).status == VisitStatus.PLANNED


def test_no_outcome_for_a_cancelled_visit(client, todays_visit, nurse):
    Visit.objects.filter(pk=todays_visit.pk).update(status=VisitStatus.CANCELLED, cancellation_reason="Sairastui.")
    login(client, nurse)

    client.post(outcome_url(todays_visit), {"status": "completed"})

    assert Visit.objects.get(pk=todays_visit.pk).status == VisitStatus.CANCELLED


@pytest.mark.parametrize("persona", ["other_nurse", "coordinator", "other_coordinator", "manager"])
def test_only_the_visits_own_pair_marks_the_outcome(client, todays_visit, persona, request):
    login(client, request.getfixturevalue(persona))

    response = client.post(outcome_url(todays_visit), {"status": "completed"})

    assert response.status_code == 404
    assert Visit.objects.get(pk=todays_visit.pk).status == VisitStatus.PLANNED
    row = AccessLog.objects.get()
    assert (row.allowed, row.action, row.client_id) == (False, "update", todays_visit.client_id)


def test_the_outcome_page_answers_posts_only(client, todays_visit, nurse):
    login(client, nurse)

    assert client.get(outcome_url(todays_visit)).status_code == 405


def test_after_saving_the_outcome_the_page_confirms_it_and_shows_it_chosen(client, todays_visit, nurse):
    login(client, nurse)

    page = client.post(outcome_url(todays_visit), {"status": "no_show"}, follow=True).content.decode()

    assert "Saved: the visit is marked “No-show”." in page
    [chosen] = re.findall(r'<input[^>]*\bchecked\b[^>]*>', page)
    assert 'value="no_show"' in chosen


def test_saving_a_note_is_confirmed(client, todays_visit, nurse, note_content):
    login(client, nurse)
    data = {key: value for key, value in note_content.items()}

    def saved(response) -> list[str]:
        assert response.status_code == 302
        return [str(message) for message in get_messages(response.wsgi_request)][-1:]  # this save's

    # The first save goes on to the pulse survey, where the confirmation is shown.
    assert saved(client.post(reverse("visits:note", args=[todays_visit.pk]), data)) == [
        "Your note was saved. Your partner and the coordinator can read it now."
    ]
    data["activities"] = "Lauloimme ja tanssimme."
    assert saved(client.post(reverse("visits:note", args=[todays_visit.pk]), data)) == ["Your changes to the note were saved."]
