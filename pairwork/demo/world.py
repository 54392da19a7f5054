"""What the seeding steps share: the clock, the demo objects found so far, and a tally."""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from clients.models import Client
from pairwork.models import Role, StaffProfile, Team, WorkPair

from .catalogue import DEMO_SEED, STAFF, StaffSpec


@dataclass
class DemoWorld:
    """Filled step by step; every step finds what exists by natural key and adds what is missing."""

    now: dt.datetime
    today: dt.date
    teams: dict[str, Team] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)  # username -> User
    staff: dict[str, StaffProfile] = field(default_factory=dict)  # username -> profile
    pairs: list[WorkPair] = field(default_factory=list)  # in catalogue order; the first is the demo pair
    clients: list[Client] = field(default_factory=list)  # in catalogue order
    created: Counter = field(default_factory=Counter)

    @staticmethod
    def rng() -> random.Random:
        """A fresh generator per step, so a step draws the same numbers whether or not others ran."""
        return random.Random(DEMO_SEED)

    def staff_in(self, team_name: str, role: str) -> list[StaffProfile]:
        return [
            self.staff[spec.username]
            for spec in STAFF
            if spec.role == role and team_name in spec.teams and spec.username in self.staff
        ]

    def coordinator_of(self, team: Team):
        for spec in STAFF:
            if spec.role == Role.COORDINATOR and team.name in spec.teams:
                return self.users[spec.username]
        raise LookupError(f"no demo coordinator for team {team.name}")

    def spec_of(self, profile: StaffProfile) -> StaffSpec:
        return next(spec for spec in STAFF if spec.username == profile.user.username)

    @property
    def demo_pair(self) -> WorkPair:
        return self.pairs[0]

    def count(self, what: str, number: int) -> None:
        if number:
            self.created[what] += number
