"""The health check before a request's first query: a dropped connection is replaced, a live one kept, no round trip.

Terminated from another session, the server closes the connection: the next request must not fail on it.
"""
from __future__ import annotations

import time

import psycopg2
import pytest
from django.db import connection

from pairwork.postgresql.base import dropped

pytestmark = pytest.mark.django_db(transaction=True)


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid: int) -> None:
    """As a server restart or an administrator does: from another session."""
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"],
        host=settings["HOST"] or None, port=settings["PORT"] or None,
    )
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()


def _start_request() -> None:
    """What a request's start does to the check (django.db.close_old_connections resets it)."""
    connection.health_check_done = False


@pytest.fixture
def health_checks():
    connection.ensure_connection()  # connecting sets the flag from the settings: set it after
    enabled = connection.health_check_enabled
    connection.health_check_enabled = True
    yield
    connection.health_check_enabled = enabled


def test_the_backend_is_ours():
    assert connection.settings_dict["ENGINE"] == "pairwork.postgresql"
    assert connection.vendor == "postgresql"


def test_a_live_idle_connection_is_kept_and_asked_nothing(health_checks, django_assert_num_queries):
    pid = _backend_pid()
    assert not dropped(connection.connection)
    _start_request()
    with django_assert_num_queries(0):
        connection.close_if_health_check_failed()
    assert connection.connection is not None
    assert _backend_pid() == pid


def test_a_terminated_connection_is_replaced_before_the_first_query(health_checks):
    pid = _backend_pid()
    _terminate(pid)
    deadline = time.monotonic() + 5
    while not dropped(connection.connection) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert dropped(connection.connection)
    _start_request()
    with connection.cursor() as cursor:  # the request's first query: the check runs, then a new connection
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert _backend_pid() != pid


def test_without_the_check_a_terminated_connection_fails_the_query():
    """The check is what saves the request: without it the same query fails (so the test above can fail)."""
    pid = _backend_pid()  # connecting sets the flag from the settings: set it after
    enabled = connection.health_check_enabled
    connection.health_check_enabled = False
    try:
        _terminate(pid)
        time.sleep(0.2)
        _start_request()
        with pytest.raises(Exception):
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
    finally:
        connection.health_check_enabled = enabled
        connection.close()


def test_a_closed_connection_counts_as_dropped():
    _backend_pid()
    raw = connection.connection
    raw.close()
    assert dropped(raw)
    connection.connection = None
