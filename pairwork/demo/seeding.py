"""The one entry point that writes the demo world, step by step, in one transaction."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pairwork.models import Team

from . import absences, client_records, staff, survey_answers, visit_history
from .world import DemoWorld

SeedStep = Callable[[DemoWorld], None]

# In order; each step finds what exists by natural key and adds only what is
# missing, so a step added here later also fills an already seeded database.
SEED_STEPS: list[SeedStep] = [
    staff.seed_teams,
    staff.seed_staff,
    staff.seed_availability,
    staff.seed_work_pairs,
    client_records.seed_clients,
    client_records.seed_familiar_nurses,
    client_records.seed_service_circles,
    visit_history.seed_visits,
    visit_history.seed_visit_notes,
    survey_answers.seed_survey_responses,
    absences.seed_absences,
]


class DemoDataRefused(Exception):
    """Demo data is only ever written to a development database."""


@dataclass(frozen=True)
class SeedReport:
    created: dict[str, int]
    left_alone: bool = False  # only_if_empty found data already there

    @property
    def created_anything(self) -> bool:
        return bool(self.created)


@transaction.atomic
def seed_demo(*, now: dt.datetime | None = None, only_if_empty: bool = False) -> SeedReport:
    """Create the synthetic demo world, or add only what it lacks; all or nothing.

    Refuses unless DEBUG is on, so production data can never be touched.
    Running it again on a seeded database creates nothing. With
    `only_if_empty`, a database that already has teams is left as it is.
    """
    if not settings.DEBUG:
        raise DemoDataRefused(
            "seed_demo writes synthetic demo data and runs only with DEBUG on; "
            "this looks like a production database, so nothing was written."
        )
    if only_if_empty and Team.objects.exists():
        return SeedReport(created={}, left_alone=True)
    now = now or timezone.now()
    world = DemoWorld(now=now, today=timezone.localdate(now))
    for step in SEED_STEPS:
        step(world)
    return SeedReport(created=dict(world.created))
