"""Reminder e-mails run by Celery beat (see settings.CELERY_BEAT_SCHEDULE): the monthly survey, client outcome measures."""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clients.models import Client
from pairwork.models import Role, StaffProfile

from . import metrics, outcome_schedule
from .models import MonthlySurveyReminder, OutcomeMeasurementReminder, SurveyResponse
from .selectors import current_instrument, month_start

logger = logging.getLogger(__name__)


def staff_without_monthly_answer(period: dt.date):
    """Active nurses and artists with an e-mail address who have neither answered nor been reminded this month."""
    answered = SurveyResponse.objects.filter(
        respondent=OuterRef("pk"), instrument__code=metrics.MONTHLY, period=period
    )
    reminded = MonthlySurveyReminder.objects.filter(staff=OuterRef("pk"), period=period)
    return (
        StaffProfile.objects.filter(role__in=(Role.NURSE, Role.ARTIST), user__is_active=True)
        .exclude(user__email="")
        .exclude(Exists(answered))
        .exclude(Exists(reminded))
        .select_related("user")
    )


def send_monthly_survey_reminders(*, today: dt.date | None = None) -> int:
    """Send each person at most one reminder per month; returns how many were sent.

    The reminder row and the e-mail go together: if sending fails, the row is
    rolled back and the next run tries that person again.
    """
    if current_instrument(metrics.MONTHLY) is None:
        return 0
    period = month_start(today or timezone.localdate())
    sent = 0
    for profile in staff_without_monthly_answer(period):
        try:
            with transaction.atomic():
                _reminder, created = MonthlySurveyReminder.objects.get_or_create(staff=profile, period=period)
                if not created:
                    continue
                with translation.override(settings.LANGUAGE_CODE):
                    send_mail(
                        subject=_("Your monthly wellbeing survey is open"),
                        message=render_to_string(
                            "wellbeing/email/monthly_reminder.txt", {"profile": profile, "period": period}
                        ),
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        recipient_list=[profile.user.email],
                    )
        except OSError:  # SMTP trouble: logged, retried next run
            logger.warning("monthly survey reminder to staff %s failed", profile.pk, exc_info=True)
            continue
        sent += 1
    return sent


def send_outcome_measurement_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind the responsible nurse once of each baseline or follow-up that became due; returns e-mails sent.

    The nurse is the one of the client's next planned visit, else of the
    latest one. Each nurse gets one e-mail per run with the number of
    measurements, and no client data: the names are behind the sign-in, on
    the nurse's home page. The reminder rows and the e-mail go together: if
    sending fails, the rows are rolled back and the next run tries again.
    """
    if current_instrument(metrics.CLIENT_OUTCOME) is None:
        return 0
    reminded = set(OutcomeMeasurementReminder.objects.values_list("client_id", "time_point"))
    clients = outcome_schedule.with_paired_visits(Client.objects.all())
    by_nurse: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for schedule in outcome_schedule.needing_action(clients, now=now):
        key = (schedule.client.pk, schedule.next_action.time_point)
        if schedule.responsible_nurse_id is not None and key not in reminded:
            by_nurse[schedule.responsible_nurse_id].append(key)
    nurses = (
        StaffProfile.objects.filter(pk__in=by_nurse, role=Role.NURSE, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    )
    sent = 0
    for nurse in nurses:
        measurements = by_nurse[nurse.pk]
        try:
            with transaction.atomic():
                OutcomeMeasurementReminder.objects.bulk_create(
                    OutcomeMeasurementReminder(client_id=client_id, time_point=time_point, nurse=nurse)
                    for client_id, time_point in measurements
                )
                with translation.override(settings.LANGUAGE_CODE):
                    send_mail(
                        subject=_("Client outcome measures to record"),
                        message=render_to_string(
                            "wellbeing/email/outcome_reminder.txt", {"profile": nurse, "count": len(measurements)}
                        ),
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        recipient_list=[nurse.user.email],
                    )
        except IntegrityError:  # another run reminded the same measurement meanwhile: it has been sent
            continue
        except OSError:  # SMTP trouble: logged, retried next run
            logger.warning("outcome measurement reminder to staff %s failed", nurse.pk, exc_info=True)
            continue
        sent += 1
    return sent
