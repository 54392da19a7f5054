"""Both pair members hear about a scheduled, moved or cancelled visit — after commit, once."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.scheduling import at, next_weekday
from visits import services, tasks
from visits.models import VisitEvent


@pytest.fixture
def monday():
    return next_weekday(0)


def book(pair, client_record, coordinator, starts_at):
    return services.schedule_visit(
        client=client_record, pair=pair, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=1), by=coordinator.user
    )


def test_both_pair_members_are_emailed_once_the_visit_is_committed(
    pair, client_record, coordinator, monday, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as pending:
        book(pair, client_record, coordinator, at(monday, 10))
        assert mailoutbox == []  # nothing leaves before the commit

    for callback in pending:
        callback()

    assert sorted(m.to[0] for m in mailoutbox) == ["aino@example.invalid", "hanna@example.invalid"]
    to_hanna = next(m for m in mailoutbox if m.to == ["hanna@example.invalid"])
    assert to_hanna.subject == "Työpari: a joint visit was scheduled"
    assert f"Scheduled: {monday.day}.{monday.month}.{monday.year} 10:00–11:00, with Aino Taiteilija" in to_hanna.body
    # Least data: no client name, address or health text in e-mail.
    for message in mailoutbox:
        for secret in (client_record.first_name, client_record.last_name, client_record.street_address, client_record.health_notes):
            assert secret not in message.body and secret not in message.subject
    assert VisitEvent.objects.get().notified_at is not None


def test_running_the_notification_task_twice_sends_once(pair, client_record, coordinator, monday, mailoutbox):
    book(pair, client_record, coordinator, at(monday, 10))  # the on-commit task never runs inside this test transaction
    event_ids = list(VisitEvent.objects.values_list("pk", flat=True))

    assert tasks.send_visit_notifications(event_ids) == 2
    assert tasks.send_visit_notifications(event_ids) == 0
    assert len(mailoutbox) == 2


def test_a_series_is_one_email_per_member_listing_every_visit(
    pair, client_record, coordinator, monday, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_series(
            client=client_record, pair=pair, first_starts_at=at(monday, 10), duration=dt.timedelta(hours=1), count=3,
            by=coordinator.user,
        )

    assert len(mailoutbox) == 2
    assert mailoutbox[0].subject == "Työpari: 3 joint visits were scheduled"
    assert mailoutbox[0].body.count("Scheduled:") == 3


def test_moving_and_cancelling_are_announced(
    pair, client_record, coordinator, monday, mailoutbox, django_capture_on_commit_callbacks
):
    visit = book(pair, client_record, coordinator, at(monday, 10))
    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_visit(visit=visit, starts_at=at(monday, 12), ends_at=at(monday, 13), reason="Toive", by=coordinator.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_visit(visit=visit, reason="Sairaus", by=coordinator.user)

    subjects = [m.subject for m in mailoutbox]
    assert subjects.count("Työpari: a joint visit was moved") == 2
    assert subjects.count("Työpari: a joint visit was cancelled") == 2
    moved = next(m for m in mailoutbox if "moved" in m.subject)
    assert "10:00–11:00 → " in moved.body and "12:00–13:00" in moved.body


def test_a_refused_booking_sends_nothing(pair, client_record, coordinator, monday, mailoutbox, django_capture_on_commit_callbacks):
    book(pair, client_record, coordinator, at(monday, 10))
    with django_capture_on_commit_callbacks(execute=False) as pending:
        with pytest.raises(services.SchedulingConflict):
            book(pair, client_record, coordinator, at(monday, 10))
    assert pending == []


def test_the_reconcile_sends_what_the_on_commit_task_never_delivered(pair, client_record, coordinator, monday, mailoutbox):
    book(pair, client_record, coordinator, at(monday, 10))
    VisitEvent.objects.update(at=VisitEvent.objects.get().at - dt.timedelta(minutes=10))

    assert tasks.resend_unsent_visit_notifications() == 2
    assert tasks.resend_unsent_visit_notifications() == 0
    assert len(mailoutbox) == 2
