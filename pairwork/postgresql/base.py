"""Django's PostgreSQL backend with a health check that costs no round trip.

With persistent connections (CONN_MAX_AGE) and CONN_HEALTH_CHECKS, Django asks
the server ``SELECT 1`` before the first query of every request, so that a
connection the server has dropped (a restart, an idle timeout, a terminated
backend) is replaced instead of failing the request. Under load that round
trip costs as much wall time as a real query: the worker waits until the
server's backend process is scheduled.

A server that drops a connection tells the client so: it sends its error
(``terminating connection ...``) and closes the socket, which makes the socket
readable. Between requests nothing else arrives on it (the app uses no
LISTEN/NOTIFY, and every reply is read in full), so a socket that is readable
while idle, or that psycopg2 already knows is closed or broken, is a dropped
connection. That check is a ``select()`` with no timeout: the connection is
replaced exactly as Django's own health check replaces it. A peer that
vanished without a word (no FIN) is found by the next query, as with
``SELECT 1`` it would be found only after a timeout.

The full ``SELECT 1`` (``is_usable``) stays where Django uses it after an
error, to decide whether a connection is still usable.
"""
from __future__ import annotations

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper
from psycopg2 import extensions


def dropped(connection) -> bool:
    """Has the server dropped this idle psycopg2 connection (closed, broken, or a message waiting on its socket)?"""
    if connection.closed or connection.info.transaction_status == extensions.TRANSACTION_STATUS_UNKNOWN:
        return True
    try:
        readable, _, _ = select.select([connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.pool or self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if dropped(self.connection):
            self.close()
        self.health_check_done = True
