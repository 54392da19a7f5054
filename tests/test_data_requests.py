"""Data requests: the administrator's JSON export of one client, and purging after the retention period."""
import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clients import data_requests
from access.models import AccessLog
from clients.models import CareRelationship, Client, ServiceCircleEntry
from tests import factories as f
from tests.conftest import login
from tests.scheduling import at, next_weekday
from visits import notes, services
from visits.client_absences import record_client_absence
from visits.models import Visit, VisitEvent, VisitNote, VisitNoteVersion, VisitParticipant
from wellbeing.models import Answer, Instrument, Item, Scale, ResponseScore, SurveyResponse


def outcome_instrument():
    # An instrument of its own, beside the client_outcome v1 that the wellbeing migrations ship.
    instrument = Instrument.objects.create(
        code="test_client_outcome", name_fi="Asiakkaan hyvinvointi", name_en="Client wellbeing", audience="client",
        time_points=["baseline", "follow_up"],
    )
    scale = Scale.objects.create(instrument=instrument, code="wellbeing", name_fi="Hyvinvointi")
    item = Item.objects.create(
        instrument=instrument, scale=scale, code="life_satisfaction", text_fi="Tyytyväisyys elämään",
        text_en="Life satisfaction", scale_min=0, scale_max=10,
    )
    return instrument, scale, item


def client_answers(client_record, value, *, instrument, scale, item, time_point="baseline"):
    response = SurveyResponse.objects.create(
        instrument=instrument, time_point=time_point, client=client_record, team=client_record.team,
        period=timezone.localdate().replace(day=1),
    )
    Answer.objects.create(response=response, item=item, value=value)
    ResponseScore.objects.create(response=response, scale=scale, value=value, answered=1)
    return response


def note(visit, person, activities):
    return notes.log_visit_note(
        participant=visit.participants.get(staff=person), by=person.user,
        content={"art_form": "music", "activities": activities, "engagement": 4, "mood_before": 3, "mood_after": 4,
                 "care_plan_observations": "", "next_visit_suggestions": "", "free_text": ""},
    )


@pytest.fixture
def held_data(pair, team, client_record, nurse):
    """Helmi's visits, notes (one edited), outcome answers; and another client, Toivo, with the same pair."""
    instrument, scale, item = outcome_instrument()
    f.ServiceCircleEntryFactory(client=client_record, service="Kotiateria")
    visit = f.make_visit(pair=pair, client=client_record, starts_at=timezone.now() - dt.timedelta(hours=2))
    helmi_note = note(visit, nurse, "Helmin käynti: lauloimme.")
    notes.edit_visit_note(note=helmi_note, by=nurse.user, content={"free_text": "Lisätty jälkikäteen."})
    client_answers(client_record, 7, instrument=instrument, scale=scale, item=item)

    toivo = f.ClientFactory(team=team, first_name="Toivo", last_name="Toisasiakas", health_notes="Toivon diagnoosi.")
    toivo_visit = f.make_visit(pair=pair, client=toivo, starts_at=timezone.now() - dt.timedelta(hours=5))
    note(toivo_visit, nurse, "Toivon käynti: tanssimme.")
    client_answers(toivo, 2, instrument=instrument, scale=scale, item=item)
    scoping_row = AccessLog.objects.create(
        username="hanna", client_id=toivo.pk, object_type="client", action="view", grounds="visit participant", allowed=True
    )
    # A nurse's own post-visit pulse about Helmi's visit is the nurse's data, not Helmi's.
    pulse = Instrument.objects.create(code="test_pulse", name_fi="Pulssi", audience="staff", time_points=["post_visit"])
    SurveyResponse.objects.create(
        instrument=pulse, time_point="post_visit", respondent=nurse, team=team, visit=visit,
        period=timezone.localdate().replace(day=1),
    )
    return {"visit": visit, "note": helmi_note, "toivo": toivo, "toivo_visit": toivo_visit, "toivo_row": scoping_row}


def export_as(client, person, client_record):
    login(client, person)
    return client.get(reverse("clients:data_export", args=[client_record.pk]))


def test_export_contains_the_clients_visits_notes_and_survey_answers(client, held_data, client_record, admin_user):
    response = export_as(client, admin_user, client_record)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["client"]["id"] == client_record.pk
    assert data["client"]["last_name"] == client_record.last_name
    assert data["client"]["health_notes"] == client_record.health_notes
    assert [v["id"] for v in data["visits"]] == [held_data["visit"].pk]
    exported_note = data["visits"][0]["notes"][0]
    assert exported_note["activities"] == "Helmin käynti: lauloimme."
    assert exported_note["free_text"] == "Lisätty jälkikäteen."
    assert [v["version"] for v in exported_note["versions"]] == [1, 2]
    assert data["survey_responses"][0]["answers"] == [
        {"item": "life_satisfaction", "question": "Life satisfaction", "value": 7}
    ]
    assert data["familiar_nurses"] == [{"nurse": "Hanna Hoitaja", "primary": True, "since": timezone.localdate().isoformat()}]
    assert data["service_circle"][0]["service"] == "Kotiateria"
    assert data["client_absences"] == []
    assert data["client"]["preferred_weekdays"] == []


def test_export_says_nothing_about_other_clients(client, held_data, client_record, admin_user):
    text = export_as(client, admin_user, client_record).content.decode()

    data = json.loads(text)
    for other in ("Toivo", "Toisasiakas", "Toivon diagnoosi.", "Toivon käynti: tanssimme."):
        assert other not in text
    assert held_data["toivo_visit"].pk not in [v["id"] for v in data["visits"]]
    assert len(data["survey_responses"]) == 1  # Helmi's own; not Toivo's, not the nurse's pulse
    assert all(row["object_id"] != str(held_data["toivo"].pk) for row in data["access_log"])


def test_the_export_is_itself_logged_and_reported(client, held_data, client_record, admin_user):
    data = json.loads(export_as(client, admin_user, client_record).content)

    logged = AccessLog.objects.get(action="export")
    assert (logged.client_id, logged.user, logged.grounds, logged.allowed, logged.channel) == (
        client_record.pk, admin_user, "administrator", True, "admin",
    )
    assert data["access_log"][-1]["action"] == "export"


def test_the_download_is_named_by_id_not_by_name(client, client_record, admin_user):
    disposition = export_as(client, admin_user, client_record)["Content-Disposition"]

    assert disposition.startswith(f'attachment; filename="client-{client_record.pk}-data-')
    assert client_record.first_name not in disposition


@pytest.mark.parametrize("persona", ["coordinator", "nurse", "manager"])
def test_only_administrators_export(client, client_record, todays_visit, persona, request):
    response = export_as(client, request.getfixturevalue(persona), client_record)

    assert response.status_code == 404
    logged = AccessLog.objects.get()
    assert (logged.action, logged.allowed, logged.grounds) == ("export", False, "not an administrator")


def test_the_export_is_an_action_in_the_client_admin(client, held_data, client_record, admin_user):
    login(client, admin_user)

    response = client.post(
        reverse("admin:clients_client_changelist"),
        {"action": "export_client_data", "_selected_action": [client_record.pk]},
    )

    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["client"]["id"] == client_record.pk
    assert AccessLog.objects.filter(action="export", client_id=client_record.pk, channel="admin").count() == 1


def test_the_admin_action_exports_one_client_at_a_time(client, held_data, client_record, admin_user):
    login(client, admin_user)

    response = client.post(
        reverse("admin:clients_client_changelist"),
        {"action": "export_client_data", "_selected_action": [client_record.pk, held_data["toivo"].pk]},
        follow=True,
    )

    assert "Choose exactly one client to export." in response.content.decode()
    assert not AccessLog.objects.filter(action="export").exists()


def test_the_client_admin_page_links_to_the_export_and_logs_the_read(client, client_record, admin_user):
    login(client, admin_user)

    response = client.get(reverse("admin:clients_client_change", args=[client_record.pk]))

    assert reverse("clients:data_export", args=[client_record.pk]) in response.content.decode()
    logged = AccessLog.objects.get()
    assert (logged.client_id, logged.action, logged.channel, logged.grounds) == (client_record.pk, "view", "admin", "administrator")


def test_the_export_service_refuses_non_administrators(client_record, coordinator):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        data_requests.export_client_data(client=client_record, by=coordinator.user)

    assert AccessLog.objects.get().allowed is False


def test_the_export_does_not_grow_queries_with_visits(held_data, pair, client_record, nurse, admin_user, django_assert_max_num_queries):
    for hours in (30, 60, 90):
        visit = f.make_visit(pair=pair, client=client_record, starts_at=timezone.now() - dt.timedelta(hours=hours))
        note(visit, nurse, "Lisää käyntejä.")

    with django_assert_max_num_queries(16):
        data_requests.export_client_data(client=client_record, by=admin_user)


# --- purge_clients -------------------------------------------------------------------------------------


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Client, CareRelationship, ServiceCircleEntry, Visit, VisitParticipant, VisitEvent, VisitNote,
            VisitNoteVersion, SurveyResponse, Answer, AccessLog,
        )
    }


@pytest.fixture
def archived(held_data, client_record, team, settings):
    """Helmi archived 400 days ago (past a 365-day retention); Elli archived last month; Toivo active."""
    settings.CLIENT_RETENTION_DAYS = 365
    Client.objects.filter(pk=client_record.pk).update(archived_at=timezone.now() - dt.timedelta(days=400))
    elli = f.ClientFactory(team=team, first_name="Elli", archived_at=timezone.now() - dt.timedelta(days=30))
    return {"expired": client_record, "kept": elli}


def run_purge(*args):
    from io import StringIO

    out = StringIO()
    call_command("purge_clients", *args, stdout=out)
    return out.getvalue()


def test_purge_dry_run_changes_nothing(archived):
    before = row_counts()

    output = run_purge("--dry-run")

    assert row_counts() == before
    assert f"would remove client #{archived['expired'].pk}" in output
    assert f"client #{archived['kept'].pk}" not in output
    assert "1 client(s) would be removed; nothing changed" in output


def test_the_purge_output_names_clients_by_id_only(archived):
    output = run_purge("--dry-run") + run_purge()

    for private in (archived["expired"].first_name, archived["expired"].last_name, archived["expired"].street_address):
        assert private not in output


def test_purge_removes_clients_archived_longer_than_the_retention(archived, held_data):
    expired = archived["expired"]

    run_purge()

    assert not Client.objects.filter(pk=expired.pk).exists()
    assert not Visit.objects.filter(client_id=expired.pk).exists()
    assert not VisitNote.objects.filter(pk=held_data["note"].pk).exists()
    assert not SurveyResponse.objects.filter(client_id=expired.pk).exists()
    assert Client.objects.filter(pk=archived["kept"].pk).exists()
    assert Client.objects.filter(pk=held_data["toivo"].pk).exists()
    assert VisitNote.objects.filter(participant__visit=held_data["toivo_visit"]).exists()


def test_purge_keeps_the_access_log_and_logs_the_removal(archived):
    expired = archived["expired"]
    earlier = set(AccessLog.objects.filter(client_id=expired.pk).values_list("pk", flat=True))
    assert earlier

    run_purge()

    remaining = AccessLog.objects.filter(client_id=expired.pk)
    assert earlier < set(remaining.values_list("pk", flat=True))
    removal = remaining.get(action="delete")
    assert (removal.user, removal.grounds, removal.channel) == (None, "retention period ended", "command")


def test_the_staff_pulse_about_a_purged_visit_stays_without_the_visit(archived, nurse):
    run_purge()

    pulse = SurveyResponse.objects.get(respondent=nurse)
    assert pulse.visit is None


def test_the_retention_period_comes_from_settings(archived, settings):
    settings.CLIENT_RETENTION_DAYS = 500

    run_purge()

    assert Client.objects.filter(pk=archived["expired"].pk).exists()


def test_a_client_brought_back_from_the_archive_is_not_purged(archived):
    cutoff = data_requests.retention_cutoff()
    candidates = data_requests.purge_candidates(cutoff=cutoff)
    Client.objects.filter(pk=archived["expired"].pk).update(archived_at=None)

    purged = [c for c in candidates if data_requests._purge_one(c.client_id, cutoff=cutoff)]

    assert purged == []
    assert Client.objects.filter(pk=archived["expired"].pk).exists()


def test_purge_keeps_the_partitioned_log_in_every_month_it_spans(archived):
    """The log is partitioned by month (clients migration 0004): the purge removes no row from any partition."""
    from django.db import connection

    expired = archived["expired"]
    old = AccessLog.objects.create(
        at=timezone.now() - dt.timedelta(days=420), client_id=expired.pk, username="aino",
        object_type="client", object_id=str(expired.pk), action="view", grounds="visit participant", allowed=True,
    )
    before = list(AccessLog.objects.filter(client_id=expired.pk).order_by("pk").values_list("pk", flat=True))

    def partitions_of(ids):
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, tableoid::regclass::text FROM clients_accesslog WHERE id = ANY(%s)", [ids])
            return dict(cursor.fetchall())

    where = partitions_of(before)
    assert len(set(where.values())) >= 2  # this month's partition and the one holding last year's row

    run_purge()

    after = list(AccessLog.objects.filter(client_id=expired.pk).order_by("pk").values_list("pk", flat=True))
    assert set(before) < set(after) and old.pk in after
    assert {pk: name for pk, name in partitions_of(after).items() if pk in where} == where


def test_the_export_holds_the_clients_absences_and_what_they_cancelled(client, client_record, pair, coordinator, admin_user):
    monday = next_weekday(0, weeks_ahead=2)
    visit = services.schedule_visit(client=client_record, pair=pair, starts_at=at(monday, 10), ends_at=at(monday, 11),
                                    by=coordinator.user)
    record_client_absence(client=client_record, kind="respite", starts_on=monday, ends_on=monday, reason="Intervalli",
                          by=coordinator.user)
    data = json.loads(export_as(client, admin_user, client_record).content)
    [absence] = data["client_absences"]
    assert (absence["kind"], absence["reason"], absence["starts_on"]) == ("respite", "Intervalli", monday.isoformat())
    assert absence["cancelled_visits"] == [{"visit": visit.pk, "restored_at": None}]
