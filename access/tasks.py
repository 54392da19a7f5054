"""Celery tasks of the access app: thin and safe to run twice."""
from __future__ import annotations

from celery import shared_task

from . import storage as access_log_storage


@shared_task
def ensure_access_log_partitions() -> int:
    """Daily: the access log has its monthly partitions three months ahead (returns how many were created)."""
    return access_log_storage.ensure_partitions()
