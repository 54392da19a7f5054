"""Handing work to Celery without ever failing the request that asked for it.

A job is follow-up work (an e-mail, an aggregate refresh) whose source rows
are already in PostgreSQL; each has a periodic reconcile that redoes it from
those rows. So when the broker is down or slow, `enqueue` logs a warning and
returns False instead of raising, and the user sees the normal success page.
"""
from __future__ import annotations

import logging

from django.db import transaction

from .redis_outage import outage

logger = logging.getLogger(__name__)


def enqueue(task, *, later: str, **kwargs) -> bool:
    """Send `task(**kwargs)` to the broker (or run it, in eager mode); False if that failed.

    `later` says, for the log line, which reconcile catches up.
    """
    eager = task.app.conf.task_always_eager
    if not eager and outage.is_recent():
        logger.warning("%s not queued, Redis was unavailable moments ago; %s", task.name, later)
        return False
    try:
        # retry=False: an unreachable broker fails at once (within the socket
        # timeouts) instead of holding up the request.
        task.apply_async(kwargs=kwargs, retry=False)
    except Exception as error:  # noqa: BLE001 - broker trouble, or an eager run failing, must not reach the user
        if not eager:
            outage.record(f"broker, {task.name}", error)
        logger.warning("%s could not run now; %s", task.name, later, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *, later: str, **kwargs) -> None:
    """`enqueue` once the current transaction commits; nothing if it rolls back."""

    def enqueue_committed_job() -> None:
        enqueue(task, later=later, **kwargs)

    transaction.on_commit(enqueue_committed_job)
