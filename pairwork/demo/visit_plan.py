"""A conflict-free plan of demo visits, made in memory before anything is written.

PostgreSQL refuses overlapping visits (exclusion constraints); the demo must
never lean on that, because one refused row would roll the whole seed back.
So every slot is checked here against each person's and client's calendar,
and against both pair members' weekly availability, before it is booked.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from clients.models import Client
from pairwork.models import WeeklyAvailability, WorkPair

HELSINKI = ZoneInfo("Europe/Helsinki")
PAST_WEEKS = 12
FUTURE_WEEKS = 4
# A client new to the service has the first paired visit about a week after joining,
# so the demo has clients whose baseline measurement is still ahead.
FIRST_VISIT_AFTER_JOINING = dt.timedelta(days=7)
SLOT_STARTS = (dt.time(9), dt.time(10, 30), dt.time(12, 30), dt.time(14), dt.time(15))
DURATIONS = (45, 60, 60, 60, 75, 90)
# The share of visits made by a pair whose nurse the client already knows.
CONTINUITY = 0.88
# How often a client without a series is visited: every 1, 2 or 3 weeks.
CADENCES = ((1, 0.3), (2, 0.55), (3, 0.15))


@dataclass
class PlannedSeries:
    client: Client
    pair: WorkPair
    first_starts_at: dt.datetime
    duration_minutes: int
    until: dt.date


@dataclass
class PlannedVisit:
    client: Client
    pair: WorkPair
    starts_at: dt.datetime
    ends_at: dt.datetime
    series: PlannedSeries | None = None

    @property
    def day(self) -> dt.date:
        return self.starts_at.astimezone(HELSINKI).date()


@dataclass
class VisitPlan:
    series: list[PlannedSeries] = field(default_factory=list)
    visits: list[PlannedVisit] = field(default_factory=list)


class WeeklyHours:
    """When each person can work, from their WeeklyAvailability rows."""

    def __init__(self, rows: Iterable[WeeklyAvailability]):
        self._slots: dict[tuple[int, int], list[tuple[dt.time, dt.time]]] = defaultdict(list)
        for row in rows:
            self._slots[(row.staff_id, row.weekday)].append((row.starts_at, row.ends_at))

    def covers(self, staff_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        start, end = starts_at.astimezone(HELSINKI), ends_at.astimezone(HELSINKI)
        return any(
            free_from <= start.time() and end.time() <= free_until
            for free_from, free_until in self._slots[(staff_id, start.weekday())]
        )

    def pair_covers(self, pair: WorkPair, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        return self.covers(pair.artist_id, starts_at, ends_at) and self.covers(pair.nurse_id, starts_at, ends_at)


class Calendar:
    """Booked time per person and per client, by day (visits never cross midnight)."""

    def __init__(self) -> None:
        self._booked: dict[tuple[str, int, dt.date], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)

    @staticmethod
    def _keys(client: Client, pair: WorkPair, day: dt.date) -> tuple[tuple[str, int, dt.date], ...]:
        return (("client", client.pk, day), ("staff", pair.artist_id, day), ("staff", pair.nurse_id, day))

    def is_free(self, client: Client, pair: WorkPair, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        day = starts_at.astimezone(HELSINKI).date()
        # Half-open ranges, like the database: back-to-back visits are fine.
        return not any(
            start < ends_at and starts_at < end
            for key in self._keys(client, pair, day)
            for start, end in self._booked[key]
        )

    def book(self, visit: PlannedVisit) -> None:
        for key in self._keys(visit.client, visit.pair, visit.day):
            self._booked[key].append((visit.starts_at, visit.ends_at))


def at_helsinki(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=HELSINKI)


class VisitPlanner:
    """Plans weekly series first (they need fixed slots), then single visits.

    `anchor_pair` gets two weekly series on today's weekday, so that its
    members always have visits today and in the coming weeks.
    """

    def __init__(
        self,
        *,
        rng: random.Random,
        today: dt.date,
        clients: Sequence[Client],
        pairs: Sequence[WorkPair],
        familiar_nurses: Mapping[int, set[int]],
        primary_nurse: Mapping[int, int],
        hours: WeeklyHours,
        anchor_pair: WorkPair,
    ):
        self.rng = rng
        self.today = today
        self.first_day = today - dt.timedelta(weeks=PAST_WEEKS)
        self.last_day = today + dt.timedelta(weeks=FUTURE_WEEKS)
        self.clients = [c for c in clients if c.consent_given]
        self.pairs = list(pairs)
        self.familiar_nurses = familiar_nurses
        self.primary_nurse = primary_nurse
        self.hours = hours
        self.anchor_pair = anchor_pair
        self.calendar = Calendar()
        self.plan = VisitPlan()

    def make_plan(self) -> VisitPlan:
        series_ends = self._plan_series()
        for client in self.clients:
            # A client whose series ended early (the pair split up) goes on with single visits.
            self._plan_single_visits(client, after=series_ends.get(client.pk, self.first_day - dt.timedelta(days=1)))
        self.plan.visits.sort(key=lambda visit: (visit.starts_at, visit.client.pk))
        return self.plan

    # --- windows ---------------------------------------------------------------

    def _client_last_day(self, client: Client) -> dt.date:
        if client.archived_at is not None:
            return min(self.last_day, client.archived_at.astimezone(HELSINKI).date() - dt.timedelta(days=1))
        return self.last_day

    def _client_first_day(self, client: Client) -> dt.date:
        return max(self.first_day, client.created_at.astimezone(HELSINKI).date() + FIRST_VISIT_AFTER_JOINING)

    def _can_visit(self, client: Client, pair: WorkPair, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        day = starts_at.astimezone(HELSINKI).date()
        return (
            self._client_first_day(client) <= day <= self._client_last_day(client)
            and pair.is_active_on(day)
            and self.hours.pair_covers(pair, starts_at, ends_at)
            and self.calendar.is_free(client, pair, starts_at, ends_at)
        )

    def _book(
        self, client: Client, pair: WorkPair, starts_at: dt.datetime, minutes: int, series: PlannedSeries | None = None
    ) -> None:
        visit = PlannedVisit(client, pair, starts_at, starts_at + dt.timedelta(minutes=minutes), series)
        self.calendar.book(visit)
        self.plan.visits.append(visit)

    # --- weekly series ------------------------------------------------------------

    def _plan_series(self) -> dict[int, dt.date]:
        """One weekly series per pair for a client of its nurse; two for the anchor pair.

        Returns the last day of each series client's series.
        """
        series_ends: dict[int, dt.date] = {}
        for pair in self.pairs:
            wanted = 2 if pair == self.anchor_pair else 1
            for client in self._series_clients(pair, series_ends)[:wanted]:
                series_ends[client.pk] = self._plan_one_series(client, pair)
        return series_ends

    def _series_clients(self, pair: WorkPair, taken: Mapping[int, dt.date]) -> list[Client]:
        candidates = [
            c for c in self.clients
            if c.team_id == pair.team_id and c.archived_at is None and c.pk not in taken
            and self._client_first_day(c) == self.first_day  # a weekly series runs from the start of the plan
        ]
        # The pair's nurse as the client's primary nurse first: that is continuity.
        return sorted(candidates, key=lambda c: self.primary_nurse.get(c.pk) != pair.nurse_id)

    def _plan_one_series(self, client: Client, pair: WorkPair) -> dt.date:
        start_day = max(self.first_day, pair.active_from)
        end_day = min(self.last_day, pair.active_until or self.last_day)
        minutes = self.rng.choice((60, 75, 90))
        first_days = [start_day + dt.timedelta(days=n) for n in range(7)]
        if pair == self.anchor_pair:
            first_days = [day for day in first_days if day.weekday() == self.today.weekday()]
        # Days and times both members work and nobody is booked yet: (first day, start time).
        length = dt.timedelta(minutes=minutes)
        options = [
            (day, time)
            for day in first_days
            for time in SLOT_STARTS
            if self._can_visit(client, pair, at_helsinki(day, time), at_helsinki(day, time) + length)
        ]
        if not options:
            return self.first_day - dt.timedelta(days=1)
        first_day, time = self.rng.choice(options)
        series = PlannedSeries(client, pair, at_helsinki(first_day, time), minutes, until=end_day)
        self.plan.series.append(series)
        day = first_day
        while day <= end_day:
            starts_at = at_helsinki(day, time)
            # Now and then a week is skipped, as real series are (never today's anchor visit).
            skipped = day != self.today and self.rng.random() < 0.06
            if not skipped and self._can_visit(client, pair, starts_at, starts_at + dt.timedelta(minutes=minutes)):
                self._book(client, pair, starts_at, minutes, series)
            day += dt.timedelta(weeks=1)
        return end_day

    # --- single visits ---------------------------------------------------------------

    def _plan_single_visits(self, client: Client, *, after: dt.date) -> None:
        cadence = self.rng.choices([c for c, _ in CADENCES], weights=[w for _, w in CADENCES])[0]
        offset = self.rng.randrange(cadence)
        week_start = self.first_day
        week = 0
        while week_start <= self.last_day:
            if week_start > after and (week + offset) % cadence == 0:
                self._place_visit_in_week(client, week_start)
            week += 1
            week_start += dt.timedelta(weeks=1)

    def _pairs_in_preference_order(self, client: Client) -> list[WorkPair]:
        team_pairs = [pair for pair in self.pairs if pair.team_id == client.team_id]
        familiar = [pair for pair in team_pairs if pair.nurse_id in self.familiar_nurses.get(client.pk, set())]
        others = [pair for pair in team_pairs if pair not in familiar]
        self.rng.shuffle(familiar)
        self.rng.shuffle(others)
        # Mostly a pair with a familiar nurse; sometimes another pair covers.
        return familiar + others if self.rng.random() < CONTINUITY else others + familiar

    def _place_visit_in_week(self, client: Client, week_start: dt.date) -> None:
        minutes = self.rng.choice(DURATIONS)
        days = [week_start + dt.timedelta(days=n) for n in range(7)]
        for pair in self._pairs_in_preference_order(client):
            candidates = [at_helsinki(day, time) for day in days for time in SLOT_STARTS]
            self.rng.shuffle(candidates)
            for starts_at in candidates:
                if self._can_visit(client, pair, starts_at, starts_at + dt.timedelta(minutes=minutes)):
                    self._book(client, pair, starts_at, minutes)
                    return
