"""Seeding steps for the staff side: teams, accounts and profiles, availability, work pairs."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from pairwork.models import StaffProfile, Team, WeeklyAvailability, WorkPair

from .catalogue import (
    ADMINISTRATOR,
    AVAILABILITY,
    DEMO_PASSWORD,
    EMAIL_DOMAIN,
    PAIRS,
    STAFF,
    TEAMS,
    demo_phone,
    shared_agreement,
)
from .world import DemoWorld


def seed_teams(world: DemoWorld) -> None:
    existing = {team.name: team for team in Team.objects.filter(name__in=[spec.name for spec in TEAMS])}
    missing = [
        Team(name=spec.name, area=spec.area, description=spec.description)
        for spec in TEAMS
        if spec.name not in existing
    ]
    Team.objects.bulk_create(missing)
    world.count("teams", len(missing))
    world.teams = existing | {team.name: team for team in missing}


def seed_staff(world: DemoWorld) -> None:
    """Accounts for every demo person, and a staff profile for all but the administrator."""
    User = get_user_model()
    usernames = [spec.username for spec in STAFF]
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    new_users = [spec for spec in STAFF if spec.username not in users]
    if new_users:
        # One hash for all: hashing is deliberately slow, and they share the demo password.
        password = make_password(DEMO_PASSWORD)
        created = User.objects.bulk_create(
            User(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@{EMAIL_DOMAIN}",
                password=password,
                is_staff=spec.role == ADMINISTRATOR,
                is_superuser=spec.role == ADMINISTRATOR,
            )
            for spec in new_users
        )
        users |= {user.username: user for user in created}
        world.count("user accounts", len(created))
    world.users = users

    found = StaffProfile.objects.filter(user__username__in=usernames).select_related("user")
    profiles = {profile.user.username: profile for profile in found}
    for number, spec in enumerate(STAFF, start=1):
        if spec.role == ADMINISTRATOR or spec.username in profiles:
            continue
        # Saved one by one: the post_save signal puts the user in their role's group.
        profile = StaffProfile.objects.create(
            user=users[spec.username],
            role=spec.role,
            art_forms=list(spec.art_forms),
            languages=list(spec.languages),
            phone=demo_phone(number),
            organisation_wide=spec.organisation_wide,
        )
        profile.teams.set([world.teams[name] for name in spec.teams])
        profiles[spec.username] = profile
        world.count("staff profiles", 1)
    world.staff = profiles


def seed_availability(world: DemoWorld) -> None:
    """Weekly hours for every artist and nurse who has none yet."""
    people = [world.staff[spec.username] for spec in STAFF if spec.availability and spec.username in world.staff]
    has_hours = set(
        WeeklyAvailability.objects.filter(staff__in=people).values_list("staff_id", flat=True).distinct()
    )
    rows = [
        WeeklyAvailability(staff=profile, weekday=weekday, starts_at=starts_at, ends_at=ends_at)
        for profile in people
        if profile.pk not in has_hours
        for weekdays, starts_at, ends_at in AVAILABILITY[world.spec_of(profile).availability]
        for weekday in weekdays
    ]
    WeeklyAvailability.objects.bulk_create(rows)
    world.count("weekly availability slots", len(rows))


def seed_work_pairs(world: DemoWorld) -> None:
    """The pairs of the catalogue, found by (team, artist, nurse); one of them has ended."""
    specs_by_name = {spec.username: spec for spec in STAFF}
    key_of = {
        (world.teams[spec.team].pk, world.staff[spec.artist].pk, world.staff[spec.nurse].pk): spec for spec in PAIRS
    }
    existing = {
        (pair.team_id, pair.artist_id, pair.nurse_id): pair
        for pair in WorkPair.objects.filter(
            team__in=world.teams.values(), artist__in=[world.staff[s.artist] for s in PAIRS]
        ).select_related("team", "artist__user", "nurse__user")
    }
    missing = []
    for index, (key, spec) in enumerate(key_of.items()):
        if key in existing:
            continue
        missing.append(
            WorkPair(
                team=world.teams[spec.team],
                artist=world.staff[spec.artist],
                nurse=world.staff[spec.nurse],
                active_from=world.today - dt.timedelta(days=spec.started_days_ago),
                active_until=(
                    world.today - dt.timedelta(days=spec.ended_days_ago) if spec.ended_days_ago is not None else None
                ),
                shared_agreement=shared_agreement(
                    index=index, artist=specs_by_name[spec.artist], nurse=specs_by_name[spec.nurse]
                ),
                created_at=world.now - dt.timedelta(days=spec.started_days_ago + 7),
            )
        )
    WorkPair.objects.bulk_create(missing)
    world.count("work pairs", len(missing))
    existing |= {(pair.team_id, pair.artist_id, pair.nurse_id): pair for pair in missing}
    world.pairs = [existing[key] for key in key_of]
