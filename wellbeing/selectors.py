"""Named reads of the wellbeing app (the dashboard's reads live in wellbeing.dashboard)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from clients.models import Client
from access.policy import VISITING_ROLES, policy
from pairwork.models import StaffProfile
from visits.models import Visit, VisitNote, VisitSeries, VisitStatus

from . import metrics
from .models import Instrument, SurveyResponse, TimePoint

# A pulse is offered for this long after the visit; later answers would be
# memories rather than a pulse.
PULSE_OFFER_DAYS = 14


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, count: int) -> dt.date:
    """The first day of the month `count` months from `day`'s month."""
    index = day.year * 12 + day.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def quarter_of(month: dt.date) -> dt.date:
    return dt.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)


def month_of(moment: dt.datetime) -> dt.date:
    """The first day of the month `moment` falls in, in the local (Helsinki) calendar."""
    return month_start(timezone.localtime(moment).date())


def current_instrument(code: str) -> Instrument | None:
    """The newest version of an instrument that is in use, with its items and scales."""
    return (
        Instrument.objects.current()
        .filter(code=code)
        .order_by("-version")
        .prefetch_related("items", "scales")
        .first()
    )


@dataclass(frozen=True)
class PendingSurveys:
    """What a staff member is invited to answer now."""

    pulse_visits: list[Visit] = field(default_factory=list)
    monthly_period: dt.date | None = None

    def __bool__(self) -> bool:
        return bool(self.pulse_visits) or self.monthly_period is not None


def pending_surveys(profile: StaffProfile | None) -> PendingSurveys:
    """Pulses not yet answered for the person's recent visits, and this month's survey if not answered.

    A pulse is pending for a visit that ended within PULSE_OFFER_DAYS in which
    the person took part and that is completed or has their note. Two queries.
    """
    if profile is None or profile.role not in VISITING_ROLES:
        return PendingSurveys()
    now = timezone.now()
    answered = SurveyResponse.objects.filter(respondent=profile, visit=OuterRef("pk"), instrument__code=metrics.PULSE)
    own_note = VisitNote.objects.filter(participant__visit=OuterRef("pk"), participant__staff=profile)
    visits = list(
        Visit.objects.filter(
            participants__staff=profile,
            starts_at__lte=now,
            ends_at__gte=now - dt.timedelta(days=PULSE_OFFER_DAYS),
        )
        .filter(Q(status=VisitStatus.COMPLETED) | Q(Exists(own_note)))
        .exclude(status=VisitStatus.CANCELLED)
        .exclude(Exists(answered))
        .order_by("-starts_at")[:10]
    )
    period = month_start(timezone.localdate())
    monthly_answered = SurveyResponse.objects.filter(
        respondent=profile, instrument__code=metrics.MONTHLY, period=period
    ).exists()
    return PendingSurveys(pulse_visits=visits, monthly_period=None if monthly_answered else period)


def monthly_answer_of(profile: StaffProfile, period: dt.date) -> SurveyResponse | None:
    return SurveyResponse.objects.filter(respondent=profile, instrument__code=metrics.MONTHLY, period=period).first()


def client_outcome_history(client: Client):
    """The client's recorded outcome time points (dates and kinds only), oldest first."""
    return (
        SurveyResponse.objects.filter(client=client, instrument__code=metrics.CLIENT_OUTCOME)
        .only("id", "time_point", "submitted_at", "series_id")
        .order_by("submitted_at")
    )


def client_has_baseline(client: Client) -> bool:
    return SurveyResponse.objects.filter(
        client=client, instrument__code=metrics.CLIENT_OUTCOME, time_point=TimePoint.BASELINE
    ).exists()


def series_of(client: Client):
    return VisitSeries.objects.filter(client=client).select_related("pair__artist__user", "pair__nurse__user").order_by(
        "-first_starts_at"
    )


def readable_responses(user):
    """Survey responses this user may read: their own answers, and the outcome answers of clients they may see."""
    return SurveyResponse.objects.filter(policy(user).response_scope())
