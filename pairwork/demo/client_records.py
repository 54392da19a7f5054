"""Seeding steps for clients: the records, their familiar nurses and their service circles."""
from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from clients.models import CareRelationship, Client, ServiceCircleEntry
from pairwork.choices import ArtForm, Language
from pairwork.models import Role, StaffProfile

from .catalogue import (
    CLIENT_FIRST_NAMES_FI,
    CLIENT_FIRST_NAMES_SV,
    CLIENT_LAST_NAMES_FI,
    CLIENT_LAST_NAMES_SV,
    CLIENT_MIX,
    CONTACT_PEOPLE,
    DEMO_SEED,
    EMAIL_DOMAIN,
    HEALTH_NOTES,
    NEEDS_AND_WISHES,
    NEEDS_AND_WISHES_SV,
    NO_CONSENT_NOTE,
    SAFETY_NOTES,
    SERVICES,
    TEAMS,
    demo_phone,
)
from .world import DemoWorld

# A new client joined the service this many days ago (see ClientMix.new).
NEW_CLIENT_DAYS_AGO = 2

# Clients are found again by this natural key.
ClientKey = tuple[str, str, str]  # first name, last name, street address

PRIMARY_IS_A_PAIR_NURSE = 0.85


@dataclass(frozen=True)
class ClientSpec:
    team: str
    first_name: str
    last_name: str
    street_address: str
    postal_code: str
    area: str
    language: str
    consent: bool = True
    archived: bool = False
    new: bool = False

    @property
    def key(self) -> ClientKey:
        return (self.first_name, self.last_name, self.street_address)


def client_specs() -> list[ClientSpec]:
    """Who the demo clients are, the same on every run."""
    rng = random.Random(DEMO_SEED)
    names = {
        Language.FINNISH: list(itertools.product(CLIENT_FIRST_NAMES_FI, CLIENT_LAST_NAMES_FI)),
        Language.SWEDISH: list(itertools.product(CLIENT_FIRST_NAMES_SV, CLIENT_LAST_NAMES_SV)),
    }
    for pool in names.values():
        rng.shuffle(pool)
    teams = {team.name: team for team in TEAMS}
    specs = []
    for mix in CLIENT_MIX:
        team = teams[mix.team]
        for index in range(mix.count):
            language = Language.SWEDISH if index < mix.swedish else Language.FINNISH
            first_name, last_name = names[language].pop()
            postal_code, area = rng.choice(team.districts)
            number = rng.randint(1, 60)
            staircase = rng.choice(("", "", f" A {rng.randint(1, 20)}", f" B {rng.randint(1, 30)}"))
            # The special cases sit at the end of each team's list.
            from_end = mix.count - index
            specs.append(
                ClientSpec(
                    team=mix.team,
                    first_name=first_name,
                    last_name=last_name,
                    street_address=f"{rng.choice(team.streets)} {number}{staircase}",
                    postal_code=postal_code,
                    area=area,
                    language=language,
                    consent=from_end > mix.without_consent,
                    archived=mix.without_consent < from_end <= mix.without_consent + mix.archived,
                    new=mix.without_consent + mix.archived < from_end <= mix.without_consent + mix.archived + mix.new,
                )
            )
    return specs


def seed_clients(world: DemoWorld) -> None:
    rng = world.rng()
    specs = client_specs()
    in_demo_teams = Client.objects.filter(team__in=world.teams.values()).select_related("team")
    existing = {(c.first_name, c.last_name, c.street_address): c for c in in_demo_teams}
    missing = [
        _new_client(world, rng, spec, number)
        for number, spec in enumerate(specs, start=101)
        if spec.key not in existing
    ]
    Client.objects.bulk_create(missing)
    world.count("clients", len(missing))
    existing |= {(c.first_name, c.last_name, c.street_address): c for c in missing}
    world.clients = [existing[spec.key] for spec in specs]


def _new_client(world: DemoWorld, rng: random.Random, spec: ClientSpec, number: int) -> Client:
    team = world.teams[spec.team]
    wishes = NEEDS_AND_WISHES_SV if spec.language == Language.SWEDISH else NEEDS_AND_WISHES
    needs_and_wishes = rng.choice(wishes)
    if not spec.consent:
        needs_and_wishes = f"{needs_and_wishes}\n{NO_CONSENT_NOTE}"
    created_days_ago = rng.randint(120, 700)
    if spec.new:
        created_days_ago = NEW_CLIENT_DAYS_AGO
    return Client(
        team=team,
        first_name=spec.first_name,
        last_name=spec.last_name,
        birth_year=rng.randint(1927, 1950),
        street_address=spec.street_address,
        postal_code=spec.postal_code,
        area=spec.area,
        phone=demo_phone(number),
        language=spec.language,
        needs_and_wishes=needs_and_wishes,
        preferred_art_forms=rng.sample(list(ArtForm.values), k=rng.choice((1, 2, 2, 3))),
        safety_notes=rng.choice(SAFETY_NOTES),
        health_notes=rng.choice(HEALTH_NOTES),
        consent_given=spec.consent,
        # Consent came before the first paired visit (at most twelve weeks back).
        consent_date=world.today - dt.timedelta(days=rng.randint(min(90, created_days_ago), created_days_ago)) if spec.consent else None,
        consent_recorded_by=world.coordinator_of(team) if spec.consent else None,
        archived_at=world.now - dt.timedelta(days=21) if spec.archived else None,
        created_at=world.now - dt.timedelta(days=created_days_ago),
    )


def seed_familiar_nurses(world: DemoWorld) -> None:
    """One primary nurse per client, usually one who works in a pair, and sometimes a second."""
    rng = world.rng()
    known = set(CareRelationship.objects.filter(client__in=world.clients).values_list("client_id", flat=True))
    pair_nurses = {pair.nurse for pair in world.pairs if pair.is_active_on(world.today)}
    turn = 0
    rows = []
    for client in world.clients:
        if client.pk in known:
            continue
        team_nurses = world.staff_in(client.team.name, Role.NURSE)
        in_pairs = [nurse for nurse in team_nurses if nurse in pair_nurses]
        if client.language == Language.SWEDISH:
            # Swedish speakers get a nurse who speaks Swedish where the team has one.
            in_pairs = [n for n in in_pairs if Language.SWEDISH in n.languages] or in_pairs
        if in_pairs and rng.random() < PRIMARY_IS_A_PAIR_NURSE:
            primary = in_pairs[turn % len(in_pairs)]
            turn += 1
        else:
            primary = rng.choice(team_nurses)
        rows.append(_familiar(world, rng, client, primary, is_primary=True))
        others = [nurse for nurse in team_nurses if nurse != primary]
        if others and rng.random() < 0.5:
            rows.append(_familiar(world, rng, client, rng.choice(others), is_primary=False))
    CareRelationship.objects.bulk_create(rows)
    world.count("familiar nurses", len(rows))


def _familiar(
    world: DemoWorld, rng: random.Random, client: Client, nurse: StaffProfile, *, is_primary: bool
) -> CareRelationship:
    return CareRelationship(
        client=client, nurse=nurse, is_primary=is_primary, since=world.today - dt.timedelta(days=rng.randint(60, 900))
    )


def _email_address(first_name: str, last_name: str) -> str:
    local = f"{first_name}.{last_name}".lower().translate(str.maketrans("äöå", "aoa"))
    return f"{local}@{EMAIL_DOMAIN}"


def seed_service_circles(world: DemoWorld) -> None:
    """One to three other services per client, each with a contact person."""
    rng = world.rng()
    has_circle = set(ServiceCircleEntry.objects.filter(client__in=world.clients).values_list("client_id", flat=True))
    rows = []
    for client in world.clients:
        if client.pk in has_circle:
            continue
        for service in rng.sample(SERVICES, k=rng.randint(1, 3)):
            first_name, last_name = rng.choice(CONTACT_PEOPLE)
            rows.append(
                ServiceCircleEntry(
                    client=client,
                    service=service.service,
                    organisation=service.organisation,
                    contact_person=f"{first_name} {last_name}",
                    phone=demo_phone(2000 + len(rows)),
                    email=_email_address(first_name, last_name),
                    notes=service.notes,
                )
            )
    ServiceCircleEntry.objects.bulk_create(rows)
    world.count("service circle entries", len(rows))
