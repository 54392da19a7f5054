"""Work pairs: the pair services (the selectors are pairwork.pairs).

They ask the policy and look at the pair's visits, so they live in
workspace, above access and visits (docs/rules.md "Layers"). Who may see and
manage which pairs is access.policy's (`visible_pairs`, `require_manager`).
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from access.policy import policy
from pairwork.models import Role, StaffProfile, Team, WorkPair
from visits.models import Visit, VisitStatus


# --- Services --------------------------------------------------------------------------


def _require_manager(by, team: Team) -> None:
    policy(by).require_manager(team.pk)


def _validate_members(*, team: Team, artist: StaffProfile, nurse: StaffProfile) -> None:
    errors = {}
    if artist.role != Role.ARTIST or not artist.teams.filter(pk=team.pk).exists():
        errors["artist"] = _("Choose an artist of the team %(team)s.") % {"team": team}
    if nurse.role != Role.NURSE or not nurse.teams.filter(pk=team.pk).exists():
        errors["nurse"] = _("Choose a nurse of the team %(team)s.") % {"team": team}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_pair(
    *, team: Team, artist: StaffProfile, nurse: StaffProfile, active_from: dt.date, shared_agreement: str, by
) -> WorkPair:
    """Form a pair in `team`. Refuses people outside the team and a duplicate working pair."""
    _require_manager(by, team)
    _validate_members(team=team, artist=artist, nurse=nurse)
    duplicate = WorkPair.objects.active_on(active_from).filter(team=team, artist=artist, nurse=nurse).exists()
    if duplicate:
        raise ValidationError(_("%(artist)s and %(nurse)s already work as a pair in this team.") % {
            "artist": artist, "nurse": nurse,
        })
    return WorkPair.objects.create(
        team=team, artist=artist, nurse=nurse, active_from=active_from, shared_agreement=shared_agreement.strip()
    )


@transaction.atomic
def update_pair(*, pair: WorkPair, shared_agreement: str, active_from: dt.date, by) -> WorkPair:
    """Change the shared agreement or the start date. The people are fixed: a new pair is a new pair."""
    _require_manager(by, pair.team)
    first_visit = pair.visits.order_by("starts_at").values_list("starts_at", flat=True).first()
    if first_visit is not None and timezone.localdate(first_visit) < active_from:
        raise ValidationError({"active_from": _("The pair already has visits before this date.")})
    if pair.active_until is not None and active_from > pair.active_until:
        raise ValidationError({"active_from": _("The start cannot be after the pair's end.")})
    pair.shared_agreement = shared_agreement.strip()
    pair.active_from = active_from
    pair.save(update_fields=["shared_agreement", "active_from"])
    return pair


@transaction.atomic
def end_pair(*, pair: WorkPair, last_day: dt.date, by) -> WorkPair:
    """End the pair after `last_day`. Its history stays; planned visits after that day must be moved first."""
    _require_manager(by, pair.team)
    # Lock the pair so no visit is scheduled for it while we check.
    pair = WorkPair.objects.select_for_update().get(pk=pair.pk)
    if last_day < pair.active_from:
        raise ValidationError({"last_day": _("The pair cannot end before it started (%(day)s).") % {
            "day": date_format(pair.active_from, "j.n.Y"),
        }})
    later = Visit.objects.active().filter(pair=pair, status=VisitStatus.PLANNED, starts_at__gte=_start_of_day_after(last_day)).count()
    if later:
        raise ValidationError({"last_day": _(
            "The pair still has %(count)d planned visits after this day. Cancel or move them first."
        ) % {"count": later}})
    pair.active_until = last_day
    pair.save(update_fields=["active_until"])
    return pair


def _start_of_day_after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone())
