"""The data's generation: a number that changes after every committed change of the data.

Whatever is kept in a cache because "nothing has changed" (pages and API
lists: access.page_cache; API tokens: pairwork.api_tokens) is keyed by the
generation read before it was built. Every statement that changes data
through a Django connection — the ORM, bulk updates and raw SQL, in gunicorn
and in the Celery worker alike — advances a PostgreSQL sequence once its
transaction has committed (`note_statement`, installed on every connection by
the app's ready()), so after a commit the next reader builds anew.

A sequence, not a row: advancing it takes no lock, so writers never queue on
it, and a rolled-back transaction never advances it. Writes that change
nothing a cache keeps are not counted: the access log (every read writes
it), sessions, the login lockout, and an API token's "last used" time.
"""
from __future__ import annotations

import contextlib
import contextvars
import re

from django.db import connection, transaction
from django.db.backends.signals import connection_created

SEQUENCE = "data_generation"
# The table an INSERT, UPDATE or DELETE writes (whatever else it reads); anything else that is not a read counts as a change.
_TARGET = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?(\s+SET\s+"?(\w+))?', re.IGNORECASE)
_UNWATCHED = ("clients_accesslog", "django_session", "axes_")
_UNWATCHED_COLUMNS = {("pairwork_apitoken", "last_used_at")}
_READ_ONLY = ("SELECT", "SHOW", "SET ", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "EXPLAIN")
CURRENT = f"(SELECT last_value FROM {SEQUENCE})"  # for a statement that reads it alongside other things
_ADVANCE = f"SELECT nextval(to_regclass('{SEQUENCE}')) WHERE to_regclass('{SEQUENCE}') IS NOT NULL"

# The generation read once in a request (see `remembered`).
_memo: contextvars.ContextVar[list | None] = contextvars.ContextVar("data_generation_memo", default=None)
# Set while a request is being built: did it write anything?
_writes: contextvars.ContextVar[list | None] = contextvars.ContextVar("data_generation_writes", default=None)


def changes_data(sql: str) -> bool:
    head = sql.lstrip()[:160]
    if head.upper().startswith(_READ_ONLY):  # also our own "SELECT nextval(...)"
        return False
    target = _TARGET.match(head)
    if target is None:
        return True
    table, column = target.group(1), target.group(3)
    return not table.startswith(_UNWATCHED) and (table, column) not in _UNWATCHED_COLUMNS


def advance(conn=None) -> None:
    """A new generation: everything kept before it is unreachable (a no-op before migrating)."""
    memo = _memo.get()
    if memo is not None:
        memo[0] = None
    with (conn or connection).cursor() as cursor:
        cursor.execute(_ADVANCE)


def generation() -> int:
    """The current generation; inside `remembered()` read once, until the request itself changes data."""
    memo = _memo.get()
    if memo is not None and memo[0] is not None:
        return memo[0]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {CURRENT}")
        value = cursor.fetchone()[0]
    if memo is not None:
        memo[0] = value
    return value


def read_along(value: int) -> None:
    """The generation, as another statement of this request read it (CURRENT): the request's one read."""
    memo = _memo.get()
    if memo is not None and memo[0] is None:
        memo[0] = value


@contextlib.contextmanager
def remembered():
    """One read of the generation for a whole request (the token lookup and the page's key both need it)."""
    token = _memo.set([None])
    try:
        yield
    finally:
        _memo.reset(token)


def _already_pending(conn) -> bool:
    return any(getattr(func, "_data_generation", False) for _, func, _ in conn.run_on_commit)


def pending_writes(conn=None) -> bool:
    """Has the open transaction changed data that a generation does not count yet (it advances on commit)?"""
    conn = conn or connection
    return conn.in_atomic_block and _already_pending(conn)


def note_statement(execute, sql, params, many, context):
    """Connection wrapper: after a data change commits, advance the generation."""
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and changes_data(sql):
        writes = _writes.get()
        if writes is not None:
            writes.append(1)
        conn = context["connection"]
        if not conn.in_atomic_block:
            advance(conn)
        elif not _already_pending(conn):
            def bump(conn=conn):
                advance(conn)
            bump._data_generation = True
            # Robust: the change is committed whatever happens here; a failure is logged, not a 500.
            transaction.on_commit(bump, using=conn.alias, robust=True)
    return result


def _install(sender, connection, **kwargs) -> None:
    if note_statement not in connection.execute_wrappers:
        connection.execute_wrappers.append(note_statement)


def install() -> None:
    """Watch every database connection (called from the app's ready())."""
    connection_created.connect(_install, dispatch_uid="pairwork.data_generation")


def begin() -> contextvars.Token:
    """Start counting the writes of the request being built."""
    return _writes.set([])


def wrote(token: contextvars.Token) -> bool:
    writes = _writes.get()
    _writes.reset(token)
    return bool(writes)
