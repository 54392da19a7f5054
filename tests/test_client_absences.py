"""visits.client_absences: a client away cancels exactly their visits then, and gives back exactly those."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from access.models import AccessLog
from tests import factories as f
from tests.scheduling import at, next_weekday
from visits import services
from visits.conflicts import clashes_from_records
from visits.client_absences import record_client_absence, shorten_client_absence, withdraw_client_absence
from visits.models import AbsenceCancellation, ClientAbsence, Visit, VisitEvent, VisitStatus
from visits.services import SchedulingConflict

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def monday():
    return next_weekday(0, weeks_ahead=2)


def book(pair, client, by, starts_at):
    return services.schedule_visit(client=client, pair=pair, starts_at=starts_at, ends_at=starts_at + HOUR, by=by.user)


@pytest.fixture
def week_of_visits(pair, client_record, coordinator, monday):
    """Visits on Monday, Wednesday, Friday and the next Monday at 10."""
    return [book(pair, client_record, coordinator, at(monday + dt.timedelta(days=d), 10)) for d in (0, 2, 4, 7)]


def away(client, coordinator, first, last, kind=ClientAbsence.Kind.HOSPITAL, reason="Lonkkaleikkaus"):
    return record_client_absence(client=client, kind=kind, starts_on=first, ends_on=last, reason=reason, by=coordinator.user)


def statuses(visits):
    return [Visit.objects.get(pk=v.pk).status for v in visits]


def test_recording_cancels_exactly_the_visits_in_the_period_and_remembers_them(
    client_record, coordinator, week_of_visits, monday, pair, django_capture_on_commit_callbacks
):
    other_client = f.ClientFactory(team=client_record.team)
    elsewhere = book(pair, other_client, coordinator, at(monday + dt.timedelta(days=2), 13))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = away(client_record, coordinator, monday + dt.timedelta(days=1), monday + dt.timedelta(days=4))
    assert [v.pk for v in result.cancelled] == [week_of_visits[1].pk, week_of_visits[2].pk]
    assert statuses(week_of_visits) == ["planned", "cancelled", "cancelled", "planned"]
    assert Visit.objects.get(pk=elsewhere.pk).status == VisitStatus.PLANNED
    cancelled = Visit.objects.get(pk=week_of_visits[1].pk)
    # Least data: the visit says the client is away, not why.
    assert cancelled.cancellation_reason == "The client is away."
    assert "Lonkka" not in cancelled.cancellation_reason
    assert set(AbsenceCancellation.objects.values_list("visit_id", flat=True)) == {week_of_visits[1].pk, week_of_visits[2].pk}
    assert VisitEvent.objects.filter(kind=VisitEvent.Kind.CANCELLED).count() == 2
    assert cancelled.series_id is None
    assert {m.to[0] for m in mail.outbox} == {pair.artist.user.email, pair.nurse.user.email}
    assert AccessLog.objects.filter(client_id=client_record.pk, action="create", allowed=True).exists()


def test_withdrawing_restores_only_the_visits_it_cancelled(client_record, coordinator, week_of_visits, monday):
    by_hand = week_of_visits[1]
    services.cancel_visit(visit=by_hand, reason="Asiakkaan toive", by=coordinator.user)
    result = away(client_record, coordinator, monday, monday + dt.timedelta(days=4))
    assert {v.pk for v in result.cancelled} == {week_of_visits[0].pk, week_of_visits[2].pk}
    withdrawn = withdraw_client_absence(absence=result.absence, by=coordinator.user)
    assert {v.pk for v in withdrawn.restored} == {week_of_visits[0].pk, week_of_visits[2].pk}
    assert withdrawn.unrestored == []
    assert statuses(week_of_visits) == ["planned", "cancelled", "planned", "planned"]
    assert Visit.objects.get(pk=by_hand.pk).cancellation_reason == "Asiakkaan toive"
    assert Visit.objects.get(pk=week_of_visits[0].pk).cancellation_reason == ""
    assert VisitEvent.objects.filter(kind=VisitEvent.Kind.RESTORED).count() == 2
    assert ClientAbsence.objects.get().withdrawn_at is not None
    assert AbsenceCancellation.objects.filter(restored_at__isnull=True).count() == 0


def test_shortening_restores_what_falls_outside_and_keeps_the_rest_cancelled(client_record, coordinator, week_of_visits, monday):
    result = away(client_record, coordinator, monday, monday + dt.timedelta(days=7))
    assert len(result.cancelled) == 4
    shorter = shorten_client_absence(
        absence=result.absence, starts_on=monday + dt.timedelta(days=1), ends_on=monday + dt.timedelta(days=3), by=coordinator.user
    )
    assert {v.pk for v in shorter.restored} == {week_of_visits[0].pk, week_of_visits[2].pk, week_of_visits[3].pk}
    assert statuses(week_of_visits) == ["planned", "cancelled", "planned", "planned"]
    absence = ClientAbsence.objects.get()
    assert (absence.starts_on, absence.ends_on) == (monday + dt.timedelta(days=1), monday + dt.timedelta(days=3))


def test_a_visit_whose_time_was_taken_meanwhile_is_reported_not_restored(
    client_record, coordinator, week_of_visits, monday, pair
):
    result = away(client_record, coordinator, monday, monday)
    other_client = f.ClientFactory(team=client_record.team)
    taken = book(pair, other_client, coordinator, at(monday, 10))  # the pair is now busy then
    withdrawn = withdraw_client_absence(absence=result.absence, by=coordinator.user)
    assert withdrawn.restored == []
    [report] = withdrawn.unrestored
    assert report.visit.pk == week_of_visits[0].pk
    assert any("busy" in reason for reason in report.reasons)
    assert Visit.objects.get(pk=week_of_visits[0].pk).status == VisitStatus.CANCELLED
    assert Visit.objects.get(pk=taken.pk).status == VisitStatus.PLANNED
    assert AbsenceCancellation.objects.get().restored_at is None


def test_new_bookings_in_the_period_are_refused(client_record, coordinator, pair, monday):
    away(client_record, coordinator, monday, monday + dt.timedelta(days=2))
    with pytest.raises(SchedulingConflict) as refused:
        book(pair, client_record, coordinator, at(monday + dt.timedelta(days=2), 18))
    assert refused.value.clashes[0].kind == "absence"
    assert "is away" in refused.value.messages[0]
    assert not Visit.objects.filter(client=client_record).exists()
    # The day after is free again; moving a visit into the period is refused too.
    visit = book(pair, client_record, coordinator, at(monday + dt.timedelta(days=3), 10))
    with pytest.raises(SchedulingConflict):
        services.reschedule_visit(visit=visit, starts_at=at(monday, 10), ends_at=at(monday, 11), reason="x", by=coordinator.user)
    assert Visit.objects.get(pk=visit.pk).starts_at == at(monday + dt.timedelta(days=3), 10)


def test_bad_input_and_outsiders_are_refused(client_record, coordinator, other_coordinator, monday):
    with pytest.raises(ValidationError) as error:
        away(client_record, coordinator, monday, monday - dt.timedelta(days=1))
    assert "ends_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        away(client_record, coordinator, monday, monday, kind="moon")
    assert "kind" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        away(client_record, other_coordinator, monday, monday)
    away(client_record, coordinator, monday, monday + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as error:
        away(client_record, coordinator, monday + dt.timedelta(days=2), monday + dt.timedelta(days=5))
    assert "starts_on" in error.value.message_dict
    absence = ClientAbsence.objects.get()
    with pytest.raises(ValidationError):
        shorten_client_absence(absence=absence, starts_on=monday, ends_on=monday + dt.timedelta(days=9), by=coordinator.user)
    assert ClientAbsence.objects.count() == 1


def test_a_series_skips_the_days_the_client_is_away_and_says_why(client_record, coordinator, pair, monday):
    away(client_record, coordinator, monday + dt.timedelta(days=7), monday + dt.timedelta(days=7))
    result = services.schedule_series(
        client=client_record, pair=pair, first_starts_at=at(monday, 10), duration=HOUR, count=3, by=coordinator.user,
    )
    assert [timezone.localdate(v.starts_at) for v in result.created] == [monday, monday + dt.timedelta(days=14)]
    [skip] = result.skipped
    assert skip.reason == "busy" and skip.clashes[0]["kind"] == "absence"
    [clash] = clashes_from_records(skip.clashes, viewer=coordinator.user, client=client_record)
    assert clash.message.startswith(f"{client_record} is away")


def test_restoring_leaves_visits_of_an_archived_client_cancelled(client_record, coordinator, week_of_visits, monday):
    result = away(client_record, coordinator, monday, monday + dt.timedelta(days=30))
    client_record.archived_at = timezone.now()
    client_record.save(update_fields=["archived_at"])
    withdrawn = withdraw_client_absence(absence=result.absence, by=coordinator.user)
    assert withdrawn.restored == [] and len(withdrawn.unrestored) == 4
    assert set(statuses(week_of_visits)) == {"cancelled"}


def test_restoring_leaves_a_visit_cancelled_when_its_nurse_is_absent_then(client_record, coordinator, pair, week_of_visits, monday):
    from visits.absences import record_absence
    from visits.models import AbsenceKind

    result = away(client_record, coordinator, monday, monday + dt.timedelta(days=4))
    wednesday = monday + dt.timedelta(days=2)
    record_absence(person=pair.nurse, kind=AbsenceKind.TRAINING, starts_at=at(wednesday, 8), ends_at=at(wednesday, 16),
                   by=coordinator.user)
    withdrawn = withdraw_client_absence(absence=result.absence, by=coordinator.user)
    assert [v.pk for v in withdrawn.restored] == [week_of_visits[0].pk, week_of_visits[2].pk]
    [left] = withdrawn.unrestored
    assert left.visit.pk == week_of_visits[1].pk and "absent" in " ".join(left.reasons)
    assert statuses(week_of_visits) == ["planned", "cancelled", "planned", "planned"]
