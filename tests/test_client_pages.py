"""The coordinator's client pages: list, detail, create, edit, archive, familiar nurses, service circle."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from access.models import AccessLog
from clients.models import CareRelationship, Client, ServiceCircleEntry
from tests import factories as f
from tests.conftest import login
from tests.factories import make_visit
from tests.scheduling import at, next_weekday


@pytest.fixture
def coordinator_client(client, coordinator):
    login(client, coordinator)
    return client


def client_form(team, **overrides):
    data = {
        "first_name": "Aili", "last_name": "Uusi", "birth_year": 1941, "team": team.pk, "street_address": "Koekatu 3",
        "postal_code": "00530", "area": "Kallio", "phone": "", "language": "fi", "needs_and_wishes": "Laulaminen",
        "preferred_art_forms": ["singing"], "safety_notes": "", "health_notes": "Diabetes", "consent_given": "on",
        "consent_date": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_list_shows_our_active_clients_with_primary_nurse(coordinator_client, client_record, team, other_team):
    f.ClientFactory(team=other_team, first_name="Vieras")
    archived = f.ClientFactory(team=team, first_name="Arkistoitu", archived_at=timezone.now())

    response = coordinator_client.get(reverse("clients:list"))

    assert [c.pk for c in response.context["clients"]] == [client_record.pk]
    assert response.context["clients"][0].primary_nurse == "Hanna Hoitaja"
    assert archived.pk not in {c.pk for c in response.context["clients"]}
    log = AccessLog.objects.get(action="list")
    assert (log.client_id, log.grounds) == (client_record.pk, "team coordinator")


def test_search_and_filters_are_posted_so_names_stay_out_of_urls(coordinator_client, client_record, team):
    f.ClientFactory(team=team, first_name="Toivo", last_name="Toinen", area="Vallila")
    f.ClientFactory(team=team, first_name="Elli", last_name="Ilman", consent_given=False, consent_date=None)

    by_name = coordinator_client.post(reverse("clients:list"), {"q": "toivo", "status": "active"})
    by_area = coordinator_client.post(reverse("clients:list"), {"area": "Vallila", "status": "active"})
    no_consent = coordinator_client.post(reverse("clients:list"), {"without_consent": "on", "status": "active"})

    assert [c.first_name for c in by_name.context["clients"]] == ["Toivo"]
    assert [c.first_name for c in by_area.context["clients"]] == ["Toivo"]
    assert [c.first_name for c in no_consent.context["clients"]] == ["Elli"]


def test_the_detail_shows_familiar_nurses_and_the_service_circle(coordinator_client, client_record):
    f.ServiceCircleEntryFactory(client=client_record, service="Kotiateria", contact_person="Pekka Yhteyshenkilö")

    response = coordinator_client.get(reverse("clients:detail", args=[client_record.pk]))

    page = response.content.decode()
    assert "Hanna Hoitaja" in page and "Primary nurse" in page
    assert "Kotiateria" in page and "Pekka Yhteyshenkilö" in page
    assert client_record.health_notes in page
    assert AccessLog.objects.filter(client_id=client_record.pk, action="view", allowed=True).exists()


def test_the_client_page_links_to_the_notes_and_to_who_accessed_the_data(coordinator_client, client_record):
    page = coordinator_client.get(reverse("clients:detail", args=[client_record.pk])).content.decode()

    for target in ("clients:notes", "clients:access_log"):
        url = reverse(target, args=[client_record.pk])
        assert f'href="{url}"' in page
        assert coordinator_client.get(url).status_code == 200


def test_a_coordinator_of_another_team_gets_404_on_this_teams_client_pages(client, other_coordinator, client_record):
    login(client, other_coordinator)
    for name in ("detail", "edit", "archive", "familiar_nurses", "service_circle"):
        assert client.get(reverse(f"clients:{name}", args=[client_record.pk])).status_code == 404, name
    assert client.post(reverse("clients:edit", args=[client_record.pk]), client_form(client_record.team)).status_code == 404
    assert client.post(reverse("clients:restore", args=[client_record.pk])).status_code == 404
    client_record.refresh_from_db()
    assert client_record.first_name == "Helmi"
    assert AccessLog.objects.filter(user=other_coordinator.user, allowed=False).count() == 7


def test_artists_nurses_and_managers_cannot_open_client_pages(client, artist, nurse, manager, client_record):
    for person in (artist, nurse, manager):
        login(client, person)
        assert client.get(reverse("clients:list")).status_code == 403
        # A page about one client answers as for an outsider: 404, and the attempt is logged.
        assert client.get(reverse("clients:detail", args=[client_record.pk])).status_code == 404
        assert AccessLog.objects.filter(user=person.user, client=client_record, allowed=False).count() == 1


def test_creating_a_client_records_who_took_the_consent(coordinator_client, coordinator, team):
    response = coordinator_client.post(reverse("clients:create"), client_form(team))

    created = Client.objects.get(last_name="Uusi")
    assert response.status_code == 302
    assert (created.consent_given, created.consent_date, created.consent_recorded_by) == (True, timezone.localdate(), coordinator.user)
    assert created.preferred_art_forms == ["singing"]
    assert AccessLog.objects.filter(client_id=created.pk, action="create").exists()


def test_bad_input_is_shown_on_its_field(coordinator_client, team):
    response = coordinator_client.post(reverse("clients:create"), client_form(
        team, birth_year=1800, consent_date=(timezone.localdate() + dt.timedelta(days=3)).isoformat(), first_name=""
    ))
    errors = response.context["form"].errors
    assert set(errors) == {"birth_year", "consent_date", "first_name"}
    assert not Client.objects.filter(last_name="Uusi").exists()


def test_a_client_cannot_be_created_in_another_teams_name(coordinator_client, other_team):
    response = coordinator_client.post(reverse("clients:create"), client_form(other_team))
    assert "team" in response.context["form"].errors
    assert not Client.objects.exists()


def test_withdrawing_consent_clears_the_date(coordinator_client, client_record):
    data = client_form(client_record.team, first_name="Helmi", last_name="Esimerkki", consent_given=None)
    coordinator_client.post(reverse("clients:edit", args=[client_record.pk]), data)
    client_record.refresh_from_db()
    assert (client_record.consent_given, client_record.consent_date, client_record.consent_recorded_by) == (False, None, None)


def test_archiving_is_refused_while_visits_are_planned(coordinator_client, client_record, pair):
    make_visit(pair=pair, client=client_record, starts_at=at(next_weekday(0), 10))

    response = coordinator_client.post(reverse("clients:archive", args=[client_record.pk]))

    assert "still has 1 planned visits" in response.context["error"]
    client_record.refresh_from_db()
    assert client_record.archived_at is None


def test_archiving_and_restoring(coordinator_client, client_record):
    coordinator_client.post(reverse("clients:archive", args=[client_record.pk]))
    client_record.refresh_from_db()
    assert client_record.archived_at is not None
    assert client_record.pk not in {c.pk for c in coordinator_client.get(reverse("clients:list")).context["clients"]}

    coordinator_client.post(reverse("clients:restore", args=[client_record.pk]))
    client_record.refresh_from_db()
    assert client_record.archived_at is None


def test_setting_familiar_nurses_with_one_primary(coordinator_client, client_record, team, nurse):
    outi = f.NurseFactory(team=team, user__first_name="Outi", user__last_name="Uusi")
    management = {"nurses-TOTAL_FORMS": 2, "nurses-INITIAL_FORMS": 1, "nurses-MAX_NUM_FORMS": 20, "nurses-MIN_NUM_FORMS": 0}

    two_primaries = coordinator_client.post(reverse("clients:familiar_nurses", args=[client_record.pk]), {
        **management, "nurses-0-nurse": nurse.pk, "nurses-0-is_primary": "on",
        "nurses-1-nurse": outi.pk, "nurses-1-is_primary": "on",
    })
    assert "Only one nurse can be the primary nurse." in two_primaries.context["formset"].non_form_errors()

    coordinator_client.post(reverse("clients:familiar_nurses", args=[client_record.pk]), {
        **management, "nurses-0-nurse": nurse.pk, "nurses-1-nurse": outi.pk, "nurses-1-is_primary": "on",
    })
    assert set(CareRelationship.objects.filter(client=client_record).values_list("nurse_id", "is_primary")) == {
        (nurse.pk, False), (outi.pk, True),
    }


def test_a_nurse_of_another_team_cannot_be_made_familiar(coordinator_client, client_record, other_team):
    stranger = f.NurseFactory(team=other_team)
    response = coordinator_client.post(reverse("clients:familiar_nurses", args=[client_record.pk]), {
        "nurses-TOTAL_FORMS": 1, "nurses-INITIAL_FORMS": 0, "nurses-MAX_NUM_FORMS": 20, "nurses-MIN_NUM_FORMS": 0,
        "nurses-0-nurse": stranger.pk,
    })
    assert "nurse" in response.context["formset"].forms[0].errors
    assert not CareRelationship.objects.filter(nurse=stranger).exists()


def test_editing_the_service_circle(coordinator_client, client_record):
    coordinator_client.post(reverse("clients:service_circle", args=[client_record.pk]), {
        "services-TOTAL_FORMS": 2, "services-INITIAL_FORMS": 0, "services-MAX_NUM_FORMS": 30, "services-MIN_NUM_FORMS": 0,
        "services-0-service": "Päivätoiminta", "services-0-organisation": "Esimerkin palvelut", "services-0-contact_person": "Sari",
        "services-0-phone": "+358 40 000 0001", "services-0-email": "sari@example.invalid",
    })
    entry = ServiceCircleEntry.objects.get(client=client_record)
    assert (entry.service, entry.contact_person, entry.email) == ("Päivätoiminta", "Sari", "sari@example.invalid")


def test_the_client_list_runs_a_fixed_number_of_queries(
    coordinator_client, team, pair, django_assert_max_num_queries
):
    """Hundreds of visits and dozens of clients: the list still costs the same few queries."""
    clients = f.ClientFactory.create_batch(30, team=team)
    monday = next_weekday(0)
    nurses = f.NurseFactory.create_batch(5, team=team)
    for index, client in enumerate(clients):
        CareRelationship.objects.create(client=client, nurse=nurses[index % 5], is_primary=True)
    _many_visits(pair, clients, monday, count=300)

    with django_assert_max_num_queries(9):
        response = coordinator_client.get(reverse("clients:list"))

    assert len(response.context["clients"]) == 30
    assert all(c.primary_nurse for c in response.context["clients"])


def _many_visits(pair, clients, monday, *, count):
    """`count` back-to-back half-hour visits of one pair, cycling through the clients (fast, plain inserts)."""
    from pairwork.models import Role
    from visits.models import Visit, VisitParticipant

    starts = [at(monday, 0) + dt.timedelta(minutes=30 * i) for i in range(count)]
    visits = Visit.objects.bulk_create(
        Visit(client=clients[i % len(clients)], pair=pair, starts_at=s, ends_at=s + dt.timedelta(minutes=30))
        for i, s in enumerate(starts)
    )
    VisitParticipant.objects.bulk_create(
        VisitParticipant(visit=v, staff=person, role=role)
        for v in visits
        for person, role in ((pair.artist, Role.ARTIST), (pair.nurse, Role.NURSE))
    )
    return visits
