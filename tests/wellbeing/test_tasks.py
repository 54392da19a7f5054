"""Celery tasks: retried with backoff, reminders once a month, scheduled by beat, never in the way of saving."""
import datetime as dt
import logging
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.db import OperationalError

from pairwork.celery import app
from tests import factories as f
from wellbeing import metrics, tasks
from wellbeing.models import MonthlySurveyReminder, TimePoint
from wellbeing.reminders import send_monthly_survey_reminders
from wellbeing.selectors import current_instrument
from wellbeing.services import submit_response

PERIOD = dt.date(2026, 11, 1)


def test_a_transient_database_error_is_retried_with_exponential_backoff(db):
    with (
        mock.patch("wellbeing.aggregation.refresh_cells", side_effect=[OperationalError("server closed the connection"), 7]) as refresh,
        mock.patch("celery.app.autoretry.get_exponential_backoff_interval", return_value=5) as backoff,
    ):
        # throw=False: let the eager run follow its retries instead of raising the first Retry.
        result = tasks.refresh_wellbeing_cells.apply(
            kwargs={"team_id": 1, "period": "2026-11-01", "instrument_code": metrics.PULSE}, throw=False
        )
    assert result.get() == 7
    assert refresh.call_count == 2
    backoff.assert_called_once_with(factor=5, retries=0, maximum=600, full_jitter=True)


@pytest.fixture
def eager_retries_run_through():
    """Run an eager task's whole retry chain instead of raising at the first retry."""
    saved = app.conf.task_eager_propagates
    app.conf.update(CELERY_TASK_EAGER_PROPAGATES=False)
    yield
    app.conf.update(CELERY_TASK_EAGER_PROPAGATES=saved)


def test_a_persistent_error_gives_up_after_the_retries(db, eager_retries_run_through):
    with mock.patch("wellbeing.aggregation.rebuild_all", side_effect=OperationalError("down")) as rebuild:
        result = tasks.reconcile_wellbeing.apply()
    with pytest.raises(OperationalError):
        result.get()
    assert rebuild.call_count == tasks.RETRY["max_retries"] + 1


def test_a_programming_error_is_not_retried(db):
    with mock.patch("wellbeing.aggregation.rebuild_all", side_effect=ValueError("bug")) as rebuild:
        result = tasks.reconcile_wellbeing.apply(throw=False)
    with pytest.raises(ValueError):
        result.get()
    assert rebuild.call_count == 1


def test_an_unreachable_broker_is_logged_and_swallowed(caplog):
    with mock.patch.object(tasks.refresh_wellbeing_cells, "apply_async", side_effect=ConnectionRefusedError(111, "refused")):
        with caplog.at_level(logging.WARNING, logger="wellbeing.tasks"):
            assert tasks.enqueue_cell_refresh(team_id=1, period=PERIOD, instrument_code=metrics.PULSE) is False
    assert "nightly reconcile will bring the aggregates up to date" in caplog.text


def test_beat_runs_the_nightly_reconcile_and_the_monthly_reminder():
    app.loader.import_default_modules()  # what a worker does at start: every app's tasks module
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "wellbeing.tasks.reconcile_wellbeing", "wellbeing.tasks.send_monthly_survey_reminders",
        "wellbeing.tasks.send_outcome_measurement_reminders",
    } <= scheduled
    assert scheduled <= set(app.tasks)


def test_the_reminder_goes_once_a_month_to_those_who_have_not_answered(nurse, artist, coordinator, other_nurse):
    submit_response(
        instrument=current_instrument(metrics.MONTHLY), time_point=TimePoint.MONTHLY, team=nurse.teams.get(),
        recorded_by=nurse.user, respondent=nurse, answers={"work_ability": 8, "sick_leave_days": 0}, period=PERIOD,
        refresh_aggregates=False,
    )
    no_address = f.ArtistFactory(user__username="noemail", user__email="", team=nurse.teams.get())
    assert send_monthly_survey_reminders(today=dt.date(2026, 11, 20)) == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted([artist.user.email, other_nurse.user.email])
    assert "monthly wellbeing survey" in mail.outbox[0].body.lower() or "kuukau" in mail.outbox[0].body.lower()
    assert send_monthly_survey_reminders(today=dt.date(2026, 11, 21)) == 0
    assert len(mail.outbox) == 2
    assert send_monthly_survey_reminders(today=dt.date(2026, 12, 20)) == 3  # a new month, and Hanna has not answered it
    assert MonthlySurveyReminder.objects.filter(staff=no_address).count() == 0
    assert coordinator.user.email not in [m.to[0] for m in mail.outbox]


def test_a_failed_send_is_tried_again_next_run(nurse, artist):
    with mock.patch("wellbeing.reminders.send_mail", side_effect=OSError("smtp down")):
        assert send_monthly_survey_reminders(today=dt.date(2026, 11, 20)) == 0
    assert not MonthlySurveyReminder.objects.exists()
    assert send_monthly_survey_reminders(today=dt.date(2026, 11, 20)) == 2
