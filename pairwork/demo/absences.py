"""One current absence in the demo: a nurse of the second pair is on sick leave today and tomorrow,
so the coordinator's home shows visits that need attention and the calendars show the badges."""
from __future__ import annotations

import datetime as dt

from pairwork.timing import local_midnight
from visits.models import AbsenceKind, StaffAbsence

from .world import DemoWorld


def seed_absences(world: DemoWorld) -> None:
    if len(world.pairs) < 2:
        return
    nurse = world.pairs[1].nurse
    if StaffAbsence.objects.filter(person=nurse).exists():
        return
    StaffAbsence.objects.create(
        person=nurse, kind=AbsenceKind.SICK_LEAVE, all_day=True,
        starts_at=local_midnight(world.today), ends_at=local_midnight(world.today + dt.timedelta(days=2)),
        created_by=world.coordinator_of(world.pairs[1].team), created_at=world.now,
    )
    world.count("staff absences", 1)
