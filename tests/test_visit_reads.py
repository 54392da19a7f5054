"""The named reads that go through the participant's copy of a visit's range give what the plain conditions give."""
import datetime as dt

from django.utils import timezone

from tests import factories as f
from tests.factories import make_visit
from visits.models import Visit, VisitParticipant, VisitStatus

NINE = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 0))
HOUR = dt.timedelta(hours=1)


def test_busy_between_is_half_open_and_ignores_cancelled_visits(pair):
    before = make_visit(pair=pair, starts_at=NINE - HOUR)  # ends exactly when the period starts
    inside = make_visit(pair=pair, starts_at=NINE + HOUR / 2, minutes=30)
    cancelled = make_visit(pair=pair, starts_at=NINE + 2 * HOUR, minutes=30)
    cancelled.status, cancelled.cancellation_reason = VisitStatus.CANCELLED, "Sairastui"
    cancelled.save(update_fields=["status", "cancellation_reason"])
    after = make_visit(pair=pair, starts_at=NINE + 3 * HOUR)  # starts exactly when the period ends

    busy = VisitParticipant.objects.filter(staff=pair.nurse).busy_between(NINE, NINE + 3 * HOUR)
    assert list(busy.values_list("visit_id", flat=True)) == [inside.pk]
    assert {before.pk, after.pk}.isdisjoint(busy.values_list("visit_id", flat=True))


def test_a_persons_visits_in_a_period_are_the_plain_conditions_visits(pair, team):
    other = f.WorkPairFactory(team=team)
    mine = [make_visit(pair=pair, starts_at=NINE + offset * HOUR * 3) for offset in range(4)]
    make_visit(pair=other, starts_at=NINE)
    start, end = NINE + HOUR / 2, NINE + 7 * HOUR
    plain = Visit.objects.for_staff(pair.nurse).between(start, end).order_by("starts_at")
    assert list(Visit.objects.for_staff_between(pair.nurse, start, end).order_by("starts_at")) == list(plain) == mine[:3]
    assert list(Visit.objects.for_staff_between(pair.nurse, NINE + 4 * HOUR).order_by("starts_at")) == mine[2:]
