"""Marking how a visit went: completed, client declined, no-show, cancelled on arrival."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.choices import Action, Grounds, ObjectType
from access.log import log_access
from access.policy import Access, policy

from .models import OUTCOME_STATUSES, Visit, VisitEvent, VisitStatus

# Participants can correct a mistaken outcome for as long as they can correct their notes.
OUTCOME_CORRECTION_WINDOW = dt.timedelta(hours=48)


def may_record_outcome_now(visit: Visit, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        visit.status != VisitStatus.CANCELLED
        and timezone.localdate(visit.starts_at) <= timezone.localdate(now)
        and now < visit.ends_at + OUTCOME_CORRECTION_WINDOW
    )


@transaction.atomic
def record_visit_outcome(*, visit: Visit, by, status: str, channel: str | None = None) -> Visit:
    """Set the visit's outcome, as one of its participants, and keep it in the visit's history.

    Refused (ValidationError) for a status that is not an outcome, for
    someone who did not take part, for a cancelled visit, before the day of
    the visit, and later than 48 hours after it ended.
    """
    if status not in OUTCOME_STATUSES:
        raise ValidationError({"status": _("Choose how the visit went.")})
    # Lock the visit: both partners may mark it at the same moment, and the
    # history must show their outcomes in the order the visit took them.
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if not policy(by).takes_part(visit):
        raise ValidationError(_("Only the visit's artist and nurse can mark how it went."))
    now = timezone.now()
    if not may_record_outcome_now(visit, now=now):
        raise ValidationError({
            "status": _(
                "The outcome can be marked from the day of the visit until 48 hours after it, "
                "not for a cancelled visit."
            )
        })
    visit.status = status
    visit.outcome_recorded_by = by
    visit.outcome_recorded_at = now
    visit.save(update_fields=["status", "outcome_recorded_by", "outcome_recorded_at", "updated_at"])
    VisitEvent.objects.create(visit=visit, kind=VisitEvent.Kind.OUTCOME, status=status, by=by, at=now)
    log_access(
        user=by,
        client_id=visit.client_id,
        object_type=ObjectType.VISIT,
        object_id=visit.pk,
        action=Action.UPDATE,
        access=Access(True, Grounds.VISIT_PARTICIPANT),
        channel=channel,
    )
    return visit
