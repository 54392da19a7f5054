"""Write use cases of the staff side: forming and changing work pairs."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from visits.models import Visit, VisitStatus

from .models import Role, StaffProfile, Team, WorkPair


def _check_period(active_from: dt.date, active_until: dt.date | None) -> None:
    if active_until is not None and active_until < active_from:
        raise ValidationError({"active_until": _("The pair cannot end before it starts.")})


@transaction.atomic
def create_work_pair(
    *,
    team: Team,
    artist: StaffProfile,
    nurse: StaffProfile,
    active_from: dt.date | None = None,
    active_until: dt.date | None = None,
    shared_agreement: str = "",
    by,
) -> WorkPair:
    """Pair an artist and a nurse of `team` from `active_from` (today if not given).

    Refuses people outside the team or in the wrong role, on their fields.
    """
    active_from = active_from or timezone.localdate()
    errors = {}
    if artist.role != Role.ARTIST:
        errors["artist"] = _("%(name)s is not an artist.") % {"name": artist}
    elif not artist.teams.filter(pk=team.pk).exists():
        errors["artist"] = _("%(name)s is not in the team %(team)s.") % {"name": artist, "team": team}
    if nurse.role != Role.NURSE:
        errors["nurse"] = _("%(name)s is not a nurse.") % {"name": nurse}
    elif not nurse.teams.filter(pk=team.pk).exists():
        errors["nurse"] = _("%(name)s is not in the team %(team)s.") % {"name": nurse, "team": team}
    if errors:
        raise ValidationError(errors)
    _check_period(active_from, active_until)
    return WorkPair.objects.create(
        team=team,
        artist=artist,
        nurse=nurse,
        active_from=active_from,
        active_until=active_until,
        shared_agreement=shared_agreement,
    )


@transaction.atomic
def update_work_pair(
    *,
    pair: WorkPair,
    by,
    active_from: dt.date | None = None,
    active_until: dt.date | None = None,
    clear_active_until: bool = False,
    shared_agreement: str | None = None,
) -> WorkPair:
    """Change a pair's period or shared agreement. Its people and team are fixed: form a new pair instead.

    Ending a pair (`active_until`) is refused while it has planned visits after that day:
    cancel or move them first, so no visit is left with a pair that no longer works.
    """
    pair = WorkPair.objects.select_for_update().get(pk=pair.pk)
    changed = []
    if active_from is not None:
        pair.active_from = active_from
        changed.append("active_from")
    if active_until is not None or clear_active_until:
        pair.active_until = active_until
        changed.append("active_until")
    if shared_agreement is not None:
        pair.shared_agreement = shared_agreement
        changed.append("shared_agreement")
    _check_period(pair.active_from, pair.active_until)
    if pair.active_until is not None:
        later = Visit.objects.filter(pair=pair, status=VisitStatus.PLANNED, starts_at__date__gt=pair.active_until)
        if later.exists():
            raise ValidationError(
                {"active_until": _("The pair has planned visits after that day; move or cancel them first.")}
            )
    if changed:
        pair.save(update_fields=changed)
    return pair
