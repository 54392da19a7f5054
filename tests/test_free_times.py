"""visits.free_times: the next free times never offer what the database would refuse."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pairwork.models import WeeklyAvailability
from tests import factories as f
from tests.scheduling import at, next_spring_forward, next_weekday
from visits import services
from visits.absences import record_absence
from visits.client_absences import record_client_absence
from visits.free_times import next_free_times, person_busy_intervals
from visits.models import AbsenceKind, ClientAbsence
from visits.services import SchedulingConflict

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def monday():
    return next_weekday(0, weeks_ahead=2)


def only_available(person, weekday, start, end):
    WeeklyAvailability.objects.filter(staff=person).delete()
    WeeklyAvailability.objects.create(staff=person, weekday=weekday, starts_at=dt.time(start), ends_at=dt.time(end))


def search(client, coordinator, first, last=None, **kwargs):
    kwargs.setdefault("duration", HOUR)
    return next_free_times(client, date_from=first, date_to=last or first, viewer=coordinator.user, **kwargs)


def book(pair, client, coordinator, starts_at, minutes=60):
    return services.schedule_visit(
        client=client, pair=pair, starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes), by=coordinator.user
    )


def test_respects_both_peoples_weekly_availability(pair, client_record, coordinator, monday):
    only_available(pair.artist, 0, 9, 13)
    only_available(pair.nurse, 0, 11, 15)
    found = search(client_record, coordinator, monday, monday + dt.timedelta(days=6))
    assert [(s.starts_at, s.ends_at) for s in found.slots] == [(at(monday, 11), at(monday, 12))]
    assert found.slots[0].recommended
    assert any(reason.positive for reason in found.slots[0].reasons)


def test_skips_busy_people_the_busy_client_and_the_travel_buffer(pair, client_record, coordinator, monday, team):
    team.travel_buffer_minutes = 30
    team.save(update_fields=["travel_buffer_minutes"])
    only_available(pair.artist, 0, 9, 17)
    only_available(pair.nurse, 0, 9, 17)
    elsewhere = f.ClientFactory(team=team, street_address="Toinen katu 5")
    book(pair, elsewhere, coordinator, at(monday, 9))  # the pair is busy 9–10 across town
    found = search(client_record, coordinator, monday, time_of_day=(dt.time(9), dt.time(17)))
    # 10:00 would leave no travel time; 10:30 is the first with 30 minutes.
    assert found.slots[0].starts_at == at(monday, 10, 30)
    same_address = f.ClientFactory(team=team, street_address=client_record.street_address)
    book(pair, same_address, coordinator, at(monday, 10, 30))
    found = search(client_record, coordinator, monday)
    assert found.slots[0].starts_at == at(monday, 11, 30)  # no travel from the same address


def test_respects_client_absences_and_the_clients_own_visits(pair, client_record, coordinator, monday):
    record_client_absence(client=client_record, kind=ClientAbsence.Kind.TRAVEL, starts_on=monday,
                          ends_on=monday + dt.timedelta(days=1), reason="", by=coordinator.user)
    found = search(client_record, coordinator, monday, monday + dt.timedelta(days=2))
    assert {timezone.localdate(s.starts_at) for s in found.slots} == {monday + dt.timedelta(days=2)}
    other_pair = f.WorkPairFactory(team=client_record.team)
    book(other_pair, client_record, coordinator, at(monday + dt.timedelta(days=2), 7))
    found = search(client_record, coordinator, monday + dt.timedelta(days=2), pair=pair)
    assert found.slots[0].starts_at == at(monday + dt.timedelta(days=2), 8)


def test_respects_staff_absences(pair, client_record, coordinator, monday):
    only_available(pair.artist, 0, 9, 17)
    only_available(pair.nurse, 0, 9, 17)
    record_absence(person=pair.nurse, kind=AbsenceKind.TRAINING, starts_at=at(monday, 9), ends_at=at(monday, 13),
                   by=coordinator.user)
    found = search(client_record, coordinator, monday, time_of_day=(dt.time(9), dt.time(17)))
    assert found.slots and found.slots[0].starts_at == at(monday, 13)
    assert all(slot.starts_at >= at(monday, 13) for slot in found.slots)


def test_weekday_and_time_of_day_filters(pair, client_record, coordinator, monday):
    found = search(client_record, coordinator, monday, monday + dt.timedelta(days=13), weekdays=[3],
                   time_of_day=(dt.time(13), dt.time(16)))
    assert found.slots
    assert all(s.starts_at.astimezone(timezone.get_default_timezone()).weekday() == 3 for s in found.slots)
    assert all(dt.time(13) <= timezone.localtime(s.starts_at).time() and timezone.localtime(s.ends_at).time() <= dt.time(16)
               for s in found.slots)


def test_never_across_the_spring_clock_change(pair, client_record, coordinator):
    day = next_spring_forward()
    for person in (pair.artist, pair.nurse):
        only_available(person, 6, 1, 6)
    found = search(client_record, coordinator, day)
    [slot] = found.slots
    start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    assert start.utcoffset() == end.utcoffset()
    assert end - start == HOUR


def test_every_returned_slot_is_bookable(team, pair, client_record, coordinator, monday):
    """Property: book each returned slot in a savepoint; the database never refuses one."""
    other_pairs = [f.WorkPairFactory(team=team) for _ in range(3)]
    others = [f.ClientFactory(team=team, street_address=f"Muu katu {n}") for n in range(4)]
    # A busy week for everybody, at awkward times.
    for offset, (each, who) in enumerate(zip([pair, *other_pairs] * 3, others * 3)):
        day = monday + dt.timedelta(days=offset % 5)
        book(each, who, coordinator, at(day, 8 + offset % 9, 15 * (offset % 4)), minutes=45 + 15 * (offset % 3))
    book(other_pairs[0], client_record, coordinator, at(monday + dt.timedelta(days=1), 12))
    for minutes in (45, 90, 150):
        found = search(client_record, coordinator, monday, monday + dt.timedelta(days=6),
                       duration=dt.timedelta(minutes=minutes), limit=50)
        assert found.slots
        for slot in found.slots:
            try:
                with transaction.atomic():
                    book(slot.pair, client_record, coordinator, slot.starts_at, minutes=minutes)
                    transaction.set_rollback(True)
            except SchedulingConflict as conflict:  # pragma: no cover - the failure being tested for
                pytest.fail(f"{slot.starts_at} with {slot.pair} was refused: {conflict.messages}")


def test_query_count_does_not_grow_with_pairs_and_visits(team, pair, client_record, coordinator, monday,
                                                        django_assert_max_num_queries):
    client_record.team  # noqa: B018 (loaded like a page does)
    with django_assert_max_num_queries(10):
        search(client_record, coordinator, monday, monday + dt.timedelta(days=27))
    for n in range(5):
        each = f.WorkPairFactory(team=team)
        book(each, f.ClientFactory(team=team), coordinator, at(monday + dt.timedelta(days=n), 10))
    with django_assert_max_num_queries(10):
        found = search(client_record, coordinator, monday, monday + dt.timedelta(days=27), limit=50)
    assert len({s.pair.pk for s in found.slots}) == 6


def test_refusals(pair, client_record, coordinator, other_coordinator, monday, other_team):
    with pytest.raises(PermissionDenied):
        search(client_record, other_coordinator, monday)
    with pytest.raises(ValidationError) as error:
        search(client_record, coordinator, monday, monday - dt.timedelta(days=1))
    assert "date_to" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        search(client_record, coordinator, monday, duration=dt.timedelta(minutes=5))
    assert "duration_minutes" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        search(client_record, coordinator, monday, pair=f.WorkPairFactory(team=other_team))
    assert "pair" in error.value.message_dict
    client_record.consent_given, client_record.consent_date = False, None
    client_record.save()
    assert search(client_record, coordinator, monday).blocked


def test_person_busy_intervals_widen_only_visits_elsewhere(pair, client_record, coordinator, monday, team):
    elsewhere = f.ClientFactory(team=team, street_address="Kaukainen tie 1")
    book(pair, elsewhere, coordinator, at(monday, 10))
    busy = person_busy_intervals([pair.nurse_id], at(monday, 0), at(monday, 23), address=client_record.street_address,
                                 buffer_minutes=15)
    assert busy[pair.nurse_id] == [(at(monday, 9, 45), at(monday, 11, 15))]
