"""Celery tasks of the wellbeing app: thin, idempotent, take ids, retry with backoff.

Saving an answer never waits on these: `enqueue_cell_refresh` runs after the
commit and swallows a broker failure (Redis down), because the nightly
`reconcile_wellbeing` rebuilds every aggregate from the source rows anyway.
"""
from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from pairwork.jobs import enqueue

from . import aggregation, evidence, reminders

logger = logging.getLogger(__name__)

# Transient database trouble (a restart, a dropped connection, a deadlock
# victim) is worth retrying; anything else is a bug and should surface.
TRANSIENT = (OperationalError, InterfaceError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(bind=True, **RETRY)
def refresh_wellbeing_cells(self, team_id: int, period: str, instrument_code: str) -> int:
    """Recompute the aggregate cells of one (team, month, instrument); returns rows changed."""
    return aggregation.refresh_cells(
        team_id=team_id, period=dt.date.fromisoformat(period), instrument_code=instrument_code
    )


@shared_task(bind=True, **RETRY)
def reconcile_wellbeing(self) -> dict:
    """Rebuild every aggregate from the source rows. A run that finds another one running skips."""
    result = aggregation.rebuild_all()
    if result is None:
        logger.info("wellbeing reconcile skipped: another run holds the lock")
        return {"skipped": True}
    logger.info(
        "wellbeing reconcile done: %s rows changed, %s metric rows, %s visit rows",
        result.rows_changed, result.metric_rows, result.visit_rows,
    )
    return {"skipped": False, "rows_changed": result.rows_changed}


@shared_task(bind=True, **RETRY)
def refresh_analyses(self) -> int:
    """Recompute the stored analyses (wellbeing.evidence) after a client outcome answer; returns rows changed."""
    return evidence.store_analyses()


@shared_task(bind=True, **RETRY)
def send_monthly_survey_reminders(self) -> int:
    """E-mail staff who have not answered this month's survey yet; once per person and month."""
    return reminders.send_monthly_survey_reminders()


@shared_task(bind=True, **RETRY)
def send_outcome_measurement_reminders(self) -> int:
    """E-mail each nurse once about the client baselines and follow-ups that have become due."""
    return reminders.send_outcome_measurement_reminders()


def _enqueue(task, **kwargs) -> bool:
    return enqueue(task, later="the nightly reconcile will bring the aggregates up to date", **kwargs)


def enqueue_cell_refresh(*, team_id: int, period: dt.date, instrument_code: str) -> bool:
    return _enqueue(refresh_wellbeing_cells, team_id=team_id, period=period.isoformat(), instrument_code=instrument_code)


def enqueue_reconcile() -> bool:
    return _enqueue(reconcile_wellbeing)


def enqueue_analyses() -> bool:
    return enqueue(refresh_analyses, later="the nightly reconcile will recompute the analyses")
