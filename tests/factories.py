"""Factories for synthetic people and records (never real ones)."""
from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from clients.models import CareRelationship, Client, ServiceCircleEntry
from pairwork.models import Role, StaffProfile, Team, WeeklyAvailability, WorkPair
from visits.models import Visit, VisitParticipant

PASSWORD = "Salasana-testi-2026"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Tiimi {n}")
    area = "Kallio"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Iterator(["Aino", "Eero", "Liisa", "Matti", "Sanna", "Ville"])
    # Never a client surname used in tests (clients are "Esimerkki", "Asiakas<n>"...).
    last_name = factory.Iterator(["Testinen", "Koekäyttäjä", "Mallinen", "Kokeilija"])
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(factory.django.DjangoModelFactory):
    """A staff member; pass team=... to put them in a team."""

    class Meta:
        model = StaffProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = Role.NURSE
    languages = factory.LazyFunction(lambda: ["fi"])
    art_forms = factory.LazyFunction(list)

    @factory.post_generation
    def team(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.teams.add(extracted)

    @factory.post_generation
    def always_available(obj, create, extracted, **kwargs):
        """By default available every day 7–21, so tests are about the rule they test."""
        if create and extracted is not False:
            WeeklyAvailability.objects.bulk_create(
                WeeklyAvailability(staff=obj, weekday=d, starts_at=dt.time(7), ends_at=dt.time(21)) for d in range(7)
            )


class ArtistFactory(StaffFactory):
    role = Role.ARTIST
    art_forms = factory.LazyFunction(lambda: ["music"])


class NurseFactory(StaffFactory):
    role = Role.NURSE


class CoordinatorFactory(StaffFactory):
    role = Role.COORDINATOR


class ManagerFactory(StaffFactory):
    role = Role.MANAGER


class WorkPairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkPair

    team = factory.SubFactory(TeamFactory)
    artist = factory.LazyAttribute(lambda p: ArtistFactory(team=p.team))
    nurse = factory.LazyAttribute(lambda p: NurseFactory(team=p.team))
    active_from = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=120))
    shared_agreement = "Tavoite: hyvä hetki asiakkaalle. Arvot: kunnioitus. Roolit: hoitaja tuttu, taiteilija ohjaa."


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    first_name = factory.Iterator(["Helmi", "Toivo", "Elli", "Onni", "Aili", "Veikko"])
    last_name = factory.Sequence(lambda n: f"Asiakas{n}")
    birth_year = 1938
    team = factory.SubFactory(TeamFactory)
    street_address = factory.Sequence(lambda n: f"Esimerkkikatu {n + 1}")
    postal_code = "00530"
    area = "Kallio"
    language = "fi"
    needs_and_wishes = "Pitää vanhoista iskelmistä."
    preferred_art_forms = factory.LazyFunction(lambda: ["music"])
    safety_notes = "Kissa, ovikoodi hoitajalla."
    health_notes = "Muistisairaus, lievä."
    consent_given = True
    consent_date = factory.LazyFunction(timezone.localdate)


class CareRelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareRelationship

    client = factory.SubFactory(ClientFactory)
    nurse = factory.SubFactory(NurseFactory)
    is_primary = False


class ServiceCircleEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCircleEntry

    client = factory.SubFactory(ClientFactory)
    service = "Kotiateria"
    organisation = "Esimerkin ateriapalvelu Oy"
    contact_person = "Pekka Yhteyshenkilö"
    phone = "+358 40 000 0000"


def make_visit(*, pair: WorkPair, client: Client | None = None, starts_at=None, minutes: int = 60, **fields) -> Visit:
    """A visit with its two participants, written the plain way (no service rules).

    Tests of database constraints use this; tests of scheduling use the service.
    """
    client = client or ClientFactory(team=pair.team)
    starts_at = starts_at or timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    visit = Visit.objects.create(
        client=client, pair=pair, starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes), **fields
    )
    VisitParticipant.objects.bulk_create(
        [
            VisitParticipant(visit=visit, staff=pair.artist, role=Role.ARTIST),
            VisitParticipant(visit=visit, staff=pair.nurse, role=Role.NURSE),
        ]
    )
    return visit
