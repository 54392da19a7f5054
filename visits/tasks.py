"""Celery tasks of scheduling: thin, take ids, safe to run twice."""
from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from . import notifications


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, retry_jitter=True, max_retries=6)
def send_visit_notifications(event_ids: list[int]) -> int:
    """E-mail both pair members about these visit events (scheduled, moved, cancelled), once."""
    return notifications.send_for_events(event_ids)


@shared_task
def resend_unsent_visit_notifications() -> int:
    """Periodic reconcile: send what an on-commit task never delivered."""
    return notifications.send_for_events(notifications.unsent_event_ids())


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, retry_jitter=True, max_retries=6)
def send_absence_notifications(absence_ids: list[int]) -> int:
    """E-mail the team's coordinators about the visits these absences affect, once."""
    from . import absence_mail

    return absence_mail.send_for_absences(absence_ids)


@shared_task
def resend_unsent_absence_notifications() -> int:
    """Periodic reconcile: send the absence e-mails an on-commit task never delivered."""
    from . import absence_mail

    return absence_mail.send_for_absences(absence_mail.unsent_absence_ids())
