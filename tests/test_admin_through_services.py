"""The admin shows client data with a log row per page, and writes it only through the services.

Visits, their participants and visit notes are read-only in the admin (the
services own scheduling and a note is its author's own, versioned account);
a client's details and consent are saved through clients.records, which
applies the consent rules and logs the change on the admin channel.
"""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from access.models import AccessLog
from tests.conftest import login
from tests.factories import make_visit
from visits import notes
from visits.models import Visit, VisitNoteVersion


@pytest.fixture
def visit(pair, client_record):
    return make_visit(pair=pair, client=client_record)


def admin_rows():
    return list(AccessLog.objects.order_by("id").values_list("client_id", "object_type", "action", "channel"))


def test_a_visit_in_the_admin_is_shown_logged_and_cannot_be_changed(client, admin_user, visit):
    login(client, admin_user)
    starts_at = visit.starts_at

    page = client.get(reverse("admin:visits_visit_change", args=[visit.pk]))
    change = client.post(reverse("admin:visits_visit_change", args=[visit.pk]), {"status": "cancelled"})

    assert page.status_code == 200
    assert change.status_code == 403
    visit.refresh_from_db()
    assert (visit.status, visit.starts_at) == ("planned", starts_at)
    assert admin_rows()[0] == (visit.client_id, "visit", "view", "admin")
    assert client.get(reverse("admin:visits_visit_add")).status_code == 403


def test_the_admins_visit_list_is_a_list_read_of_each_client(client, admin_user, visit):
    login(client, admin_user)

    client.get(reverse("admin:visits_visit_changelist"))

    assert admin_rows() == [(visit.client_id, "visit", "list", "admin")]


def test_a_note_in_the_admin_keeps_its_versions_and_is_logged(client, admin_user, pair, client_record, nurse):
    visit = make_visit(pair=pair, client=client_record, starts_at=timezone.now().replace(microsecond=0) - dt.timedelta(hours=2))
    note = notes.log_visit_note(
        participant=visit.participants.get(staff=nurse), by=nurse.user,
        content={"art_form": "music", "activities": "Lauloimme.", "engagement": 4, "mood_before": 3, "mood_after": 4,
                 "care_plan_observations": "", "next_visit_suggestions": "", "free_text": ""},
    )
    login(client, admin_user)
    before = AccessLog.objects.count()

    page = client.get(reverse("admin:visits_visitnote_change", args=[note.pk]))
    change = client.post(reverse("admin:visits_visitnote_change", args=[note.pk]), {"activities": "Rewritten"})

    assert page.status_code == 200 and change.status_code == 403
    note.refresh_from_db()
    assert (note.activities, note.version, VisitNoteVersion.objects.filter(note=note).count()) == ("Lauloimme.", 1, 1)
    assert admin_rows()[before] == (visit.client_id, "visit note", "view", "admin")


def test_consent_saved_in_the_admin_goes_through_the_client_service(client, admin_user, client_record):
    client_record.consent_given, client_record.consent_date = False, None
    client_record.save()
    login(client, admin_user)
    form = client.get(reverse("admin:clients_client_change", args=[client_record.pk])).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update({
        "team": client_record.team_id, "consent_given": "on", "consent_date": timezone.localdate().isoformat(), "preferred_art_forms": "",
        "care_relationships-TOTAL_FORMS": "0", "care_relationships-INITIAL_FORMS": "0",
        "service_circle-TOTAL_FORMS": "0", "service_circle-INITIAL_FORMS": "0",
    })
    before = AccessLog.objects.count()

    response = client.post(reverse("admin:clients_client_change", args=[client_record.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    client_record.refresh_from_db()
    # The service's consent rule: who gave the consent is recorded with it.
    assert client_record.consent_given and client_record.consent_date == timezone.localdate()
    assert client_record.consent_recorded_by == admin_user
    assert admin_rows()[before:] == [(client_record.pk, "client", "update", "admin")]


def test_the_client_admins_history_page_is_logged(client, admin_user, client_record):
    login(client, admin_user)

    client.get(reverse("admin:clients_client_history", args=[client_record.pk]))

    assert admin_rows() == [(client_record.pk, "client", "view", "admin")]


def test_visits_cannot_be_added_in_the_admin(client, admin_user):
    login(client, admin_user)
    assert client.post(reverse("admin:visits_visit_add"), {}).status_code == 403
    assert not Visit.objects.exists()
