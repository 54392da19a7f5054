"""A cache of whole pages and API lists that is never stale and still logs every read.

The busiest pages (a nurse's visits, the calendar, the dashboard) are opened
again and again by the same person while nothing has changed. This module
keeps the rendered response for *that person* and serves it again while the
data is unchanged, instead of querying and rendering it anew.

What keeps it correct:

* **A generation of the data.** Every statement that changes data through a
  Django connection (ORM, bulk updates, raw SQL, in the web and in the Celery
  worker alike) advances a PostgreSQL sequence, `access_page_generation`,
  once its transaction has committed (`note_statement`, installed on every
  connection). A cached response is keyed by the generation read *before* it
  was built, so a response built from older data is never read again after a
  commit. Only the access log, sessions and the login lockout's tables are
  left out: writing them changes no cached page. Writes made outside Django
  (psql) are covered by the entries' short lifetime (`TTL`).
* **The person and their browser.** The key holds the signed-in user, a hash
  of their session data (the team they picked, …), the browser's CSRF secret
  (the forms on the page carry a token for it), the language, the full path
  with its query, the host and scheme (links to the calendar feed are
  absolute), and the current minute (pages that say "now" or "today"
  are at most a minute old). API lists are keyed by the token's user after
  REST framework has authenticated, permitted and throttled the call.
* **Only plain successes.** A response is kept only when it is a 200, sets no
  cookie, shows no flash message, did not change the session and wrote
  nothing to the database during the request.
* **Every read is still logged.** The access-log rows a response would write
  (`access.log.pending_rows`) are kept with it and written again, by the
  access log's own code, on every request it serves.

Without a working cache (Redis down) every request is simply built; with
`PAGE_CACHE=false` the cache is off. The tests run with it off except those
about it.
"""
from __future__ import annotations

import contextvars
import functools
import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.http import HttpResponse

from . import log

SEQUENCE = "access_page_generation"
TTL = 120  # seconds an entry lives at most (writes made outside Django)
HEADER = "X-Page-Cache"  # "hit" or "miss": lets the benchmark and the tests see what happened
# Tables whose writes change no cached page: the access log (every read writes it), sessions, the login lockout,
# API tokens (a token call notes when it was used; REST framework checks the token on every call, cached or not).
_UNWATCHED = ("clients_accesslog", "django_session", "axes_", "pairwork_apitoken")
# The table an INSERT, UPDATE or DELETE writes (whatever else it reads); anything else that is not a read counts as a change.
_TARGET = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
_READ_ONLY = ("SELECT", "SHOW", "SET ", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "EXPLAIN")

# Set while a request is being built: did it write anything?
_writes: contextvars.ContextVar[list | None] = contextvars.ContextVar("page_cache_writes", default=None)


def enabled() -> bool:
    return settings.PAGE_CACHE


# --- the generation ----------------------------------------------------------------------------

def _changes_data(sql: str) -> bool:
    head = sql.lstrip()[:120]
    if head.upper().startswith(_READ_ONLY):  # also our own "SELECT nextval(...)"
        return False
    target = _TARGET.match(head)
    return target is None or not target.group(1).startswith(_UNWATCHED)


def advance(conn=None) -> None:
    """A new generation: every cached response built before it is unreachable (a no-op before migrating)."""
    with (conn or connection).cursor() as cursor:
        cursor.execute(_ADVANCE)


_ADVANCE = f"SELECT nextval(to_regclass('{SEQUENCE}')) WHERE to_regclass('{SEQUENCE}') IS NOT NULL"


def _already_pending(conn) -> bool:
    return any(getattr(func, "_page_generation", False) for _, func, _ in conn.run_on_commit)


def note_statement(execute, sql, params, many, context):
    """Connection wrapper: after a data change commits, advance the generation."""
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and _changes_data(sql):
        writes = _writes.get()
        if writes is not None:
            writes.append(1)
        conn = context["connection"]
        if not conn.in_atomic_block:
            advance(conn)
        elif not _already_pending(conn):
            def bump(conn=conn):
                advance(conn)
            bump._page_generation = True
            # Robust: the change is committed whatever happens here; a failure is logged, not a 500.
            transaction.on_commit(bump, using=conn.alias, robust=True)
    return result


def _install(sender, connection, **kwargs) -> None:
    if note_statement not in connection.execute_wrappers:
        connection.execute_wrappers.append(note_statement)


def install() -> None:
    """Watch every database connection (called from the app's ready())."""
    connection_created.connect(_install, dispatch_uid="access.page_cache")


def generation() -> int | None:
    """The current generation, or None before the sequence exists (a database not yet migrated)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_value FROM {SEQUENCE}")
        return cursor.fetchone()[0]


# --- keys, lookups and stores ------------------------------------------------------------------

def key(*parts: object) -> str:
    digest = hashlib.sha256(repr((generation(), int(time.time() // 60), *parts)).encode()).hexdigest()
    return f"page:{digest}"


def fetch(cache_key: str) -> dict | None:
    return cache.get(cache_key)


def begin() -> contextvars.Token:
    """Start counting the writes of the request being built."""
    return _writes.set([])


def wrote(token: contextvars.Token) -> bool:
    writes = _writes.get()
    _writes.reset(token)
    return bool(writes)


def store(cache_key: str, entry: dict) -> None:
    cache.set(cache_key, entry, TTL)


def entry_for(response: HttpResponse) -> dict:
    return {
        "status": response.status_code,
        "content": response.content,
        "headers": dict(response.items()),
        "rows": log.pending_rows(),
    }


def response_from(entry: dict) -> HttpResponse:
    log.replay_rows(entry["rows"])
    response = HttpResponse(entry["content"], status=entry["status"], headers=entry["headers"])
    response[HEADER] = "hit"
    return response


def storable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not log.wrote_now()
    )


def cacheable(view):
    """Mark a page view whose GET response the page cache may keep (access.middleware.PageCacheMiddleware)."""
    view.page_cacheable = True
    return view


def cached_list(method):
    """For a REST framework list: the same kept-and-logged answer while nothing has changed.

    Runs after REST framework's authentication, permissions and throttles (they
    apply to every call, served from the cache or not); keyed by the caller.
    """

    @functools.wraps(method)
    def list_(self, request, *args, **kwargs):
        user = request.user
        if not enabled() or not user.is_authenticated:
            return method(self, request, *args, **kwargs)
        cache_key = key("api", user.pk, getattr(request, "LANGUAGE_CODE", ""), request.get_full_path(),
                        request.accepted_media_type, request.get_host(), request.scheme)
        entry = fetch(cache_key)
        if entry is not None:
            return response_from(entry)  # rendered bytes: REST framework passes a plain response through
        token = begin()
        try:
            response = method(self, request, *args, **kwargs)
        finally:
            changed = wrote(token)
        if not changed and response.status_code == 200 and not log.wrote_now():
            content = request.accepted_renderer.render(response.data, request.accepted_media_type, self.get_renderer_context())
            store(cache_key, {"status": 200, "content": content, "rows": log.pending_rows(),
                              "headers": {"Content-Type": request.accepted_media_type}})
            response[HEADER] = "miss"
        return response

    return list_
