"""Benchmark the next-free-time search: a team of 20 pairs, four weeks ahead, median and p95 latency.

    DEBUG=true .venv/bin/python manage.py bench_free_times [--runs 30]

Builds a synthetic team inside a transaction (20 artists, 20 nurses, 20
pairs working Monday to Friday 8–16, 40 clients, three visits a day per pair
for four weeks), times `visits.free_times.next_free_times` for three
searches, prints the latency and the query count of each, and rolls
everything back: the database is left as it was. The target (issue 12) is
under 200 ms for four weeks ahead.
"""
from __future__ import annotations

import datetime as dt
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.models import Client
from pairwork.models import Role, StaffProfile, Team, WeeklyAvailability, WorkPair
from pairwork.timing import local_moment
from visits.free_times import next_free_times
from visits.models import ClientAbsence, Visit, VisitParticipant

PAIRS = 20
CLIENTS = 40
DAYS = 28


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time the next-free-time search for a team of 20 pairs, four weeks ahead (synthetic data, rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30)

    def handle(self, *args, runs: int, **options):
        try:
            with transaction.atomic():
                self._run(runs)
                raise Rollback
        except Rollback:
            self.stdout.write("(synthetic data rolled back)")

    def _person(self, n: int, role: str, team: Team) -> StaffProfile:
        user = get_user_model().objects.create_user(
            username=f"bench-ft-{role}-{n}", first_name=f"Bench{n}", last_name=role.title(), email=f"bench-{role}-{n}@example.invalid"
        )
        person = StaffProfile.objects.create(user=user, role=role, languages=["fi"], art_forms=["music"] if n % 2 else [])
        person.teams.add(team)
        return person

    def _build(self):
        team = Team.objects.create(name="Bench free times team", travel_buffer_minutes=15)
        coordinator = self._person(0, Role.COORDINATOR, team)
        pairs = []
        for n in range(PAIRS):
            artist, nurse = self._person(n, Role.ARTIST, team), self._person(n, Role.NURSE, team)
            WeeklyAvailability.objects.bulk_create(
                WeeklyAvailability(staff=person, weekday=day, starts_at=dt.time(8), ends_at=dt.time(16))
                for person in (artist, nurse) for day in range(5)
            )
            pairs.append(WorkPair.objects.create(team=team, artist=artist, nurse=nurse,
                                                 active_from=timezone.localdate() - dt.timedelta(days=30)))
        clients = Client.objects.bulk_create(
            Client(first_name="Bench", last_name=f"Client{n}", team=team, street_address=f"Benchkatu {n}", area="Bench",
                   consent_given=True, consent_date=timezone.localdate())
            for n in range(CLIENTS)
        )
        first = timezone.localdate() + dt.timedelta(days=1)
        visits, who = [], []
        for offset in range(DAYS):
            day = first + dt.timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for p, pair in enumerate(pairs):
                for slot, hour in enumerate((8, 11, 14)):
                    client = clients[(p * 3 + slot + offset) % (CLIENTS - 1) + 1]  # clients[0] is searched for
                    starts_at = local_moment(day, dt.time(hour, 15 * ((p + offset) % 3)))
                    visits.append(Visit(client=client, pair=pair, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=1)))
                    who.append(pair)
        # One client per slot and day could clash: keep each client once per hour and day.
        seen, kept, kept_pairs = set(), [], []
        for visit, pair in zip(visits, who):
            key = (visit.client_id, visit.starts_at.date(), visit.starts_at.hour)
            if key not in seen:
                seen.add(key)
                kept.append(visit)
                kept_pairs.append(pair)
        kept = Visit.objects.bulk_create(kept)
        VisitParticipant.objects.bulk_create(
            participant for visit, pair in zip(kept, kept_pairs) for participant in (
                VisitParticipant(visit=visit, staff_id=pair.artist_id, role=Role.ARTIST),
                VisitParticipant(visit=visit, staff_id=pair.nurse_id, role=Role.NURSE),
            )
        )
        return coordinator, clients[0], pairs, len(kept), first

    def _time(self, label: str, runs: int, search) -> None:
        with CaptureQueriesContext(connection) as queries:
            found = search()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            search()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
        self.stdout.write(
            f"{label:<48} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   "
            f"{len(queries)} queries   {len(found.slots)} slots"
        )

    def _run(self, runs: int) -> None:
        coordinator, client, pairs, count, first = self._build()
        self.stdout.write(f"team: {PAIRS} pairs, {CLIENTS} clients, {count} visits over {DAYS} days; {runs} runs each")
        last = first + dt.timedelta(days=DAYS - 1)
        hour = dt.timedelta(hours=1)
        self._time("any pair, next 10 free times", runs, lambda: next_free_times(
            client, duration=hour, date_from=first, date_to=last, viewer=coordinator.user))
        self._time("one pair, four weeks, up to 50", runs, lambda: next_free_times(
            client, pair=pairs[7], duration=dt.timedelta(minutes=90), date_from=first, date_to=last,
            viewer=coordinator.user, limit=50))
        # The worst case: the client is away for three weeks, so every day and pair of the range is searched.
        ClientAbsence.objects.create(client=client, kind=ClientAbsence.Kind.HOSPITAL, starts_on=first,
                                     ends_on=first + dt.timedelta(days=DAYS - 8))
        self._time("any pair, client away 3 weeks, all four weeks", runs, lambda: next_free_times(
            client, duration=hour, date_from=first, date_to=last, viewer=coordinator.user, limit=50))
