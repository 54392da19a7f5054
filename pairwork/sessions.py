"""Sessions in PostgreSQL (Django's database backend), read with one fixed statement.

Every signed-in request reads its session; Django's backend builds and
compiles an ORM query for it each time. The statement is the same one, written
once, and it brings the data's generation along (pairwork.data_generation): the
page cache needs it on every signed-in request, right after the session, and
one round trip is cheaper than two. Saving, rotating and deleting sessions are
Django's own.
"""
from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from . import data_generation

_READ = f"""
    SELECT {data_generation.CURRENT}, session.session_data
      FROM (SELECT) one
      LEFT JOIN {Session._meta.db_table} session ON session.session_key = %s AND session.expire_date > %s
"""


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        with connection.cursor() as cursor:
            cursor.execute(_READ, [self.session_key, timezone.now()])
            current, data = cursor.fetchone()
        data_generation.read_along(current)
        if data is None:
            self._session_key = None
            return {}
        return self.decode(data)
