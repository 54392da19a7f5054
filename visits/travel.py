"""Travel time between one person's visits at different addresses (the team's travel buffer).

Not a database rule: a visit right after one across town is possible, only
unwise. Suggestions rank a pair lower when a member would arrive with less
than the buffer, and booking inside it succeeds with a warning.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from django.db.models import Q
from django.utils.translation import gettext as _

from pairwork.models import StaffProfile

from .models import VisitParticipant


@dataclass(frozen=True)
class TightTransfer:
    """`person` has another visit at a different address only `gap_minutes` before or after the slot."""

    person: StaffProfile
    gap_minutes: int
    buffer_minutes: int
    before: bool  # the other visit comes before the slot

    @property
    def message(self) -> str:
        values = {"person": self.person.display_name, "gap": self.gap_minutes, "buffer": self.buffer_minutes}
        if self.before:
            return _("%(person)s comes from a visit at another address only %(gap)s min earlier "
                     "(travel time %(buffer)s min)") % values
        return _("%(person)s has a visit at another address only %(gap)s min later "
                 "(travel time %(buffer)s min)") % values


def tight_transfers(
    *, people: Iterable[StaffProfile], address: str, starts_at: dt.datetime, ends_at: dt.datetime,
    buffer_minutes: int, exclude_visit_ids: Iterable[int] = (),
) -> list[TightTransfer]:
    """The people's other active visits at another address closer than the buffer to [starts_at, ends_at). One query.

    The other visits' clients are not named (only the gap), so this reads no
    client data beyond an address comparison.
    """
    people = {person.pk: person for person in people}
    if not people or buffer_minutes <= 0:
        return []
    buffer = dt.timedelta(minutes=buffer_minutes)
    nearby = (
        VisitParticipant.objects.filter(staff_id__in=people, visit_active=True)
        .filter(
            Q(visit__ends_at__gt=starts_at - buffer, visit__ends_at__lte=starts_at)
            | Q(visit__starts_at__gte=ends_at, visit__starts_at__lt=ends_at + buffer)
        )
        .exclude(visit_id__in=list(exclude_visit_ids))
        .exclude(visit__client__street_address__iexact=address.strip())
        .values_list("staff_id", "visit__starts_at", "visit__ends_at")
        .order_by("visit__starts_at")
    )
    found = []
    for staff_id, other_starts, other_ends in nearby:
        before = other_ends <= starts_at
        gap = (starts_at - other_ends) if before else (other_starts - ends_at)
        found.append(TightTransfer(people[staff_id], int(gap.total_seconds() // 60), buffer_minutes, before))
    return found
