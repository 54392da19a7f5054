"""The monthly survey reminder e-mail (run by Celery beat, see settings.CELERY_BEAT_SCHEDULE)."""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pairwork.models import Role, StaffProfile

from . import metrics
from .models import MonthlySurveyReminder, SurveyResponse
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
