"""Celery tasks of the clients app: thin and safe to run twice."""
from __future__ import annotations

from celery import shared_task

from . import access_log_storage


@shared_task
def ensure_access_log_partitions() -> int:
    """Daily: the access log has its monthly partitions three months ahead (returns how many were created)."""
    return access_log_storage.ensure_partitions()
