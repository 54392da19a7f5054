"""Sessions in PostgreSQL (Django's database backend), read with one fixed statement.

Every signed-in request reads its session; Django's backend builds and
compiles an ORM query for it each time. The statement is the same one, written
once. Saving, rotating and deleting sessions are Django's own.
"""
from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

_READ = f"SELECT session_data FROM {Session._meta.db_table} WHERE session_key = %s AND expire_date > %s"


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        with connection.cursor() as cursor:
            cursor.execute(_READ, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
